/*
 * The event loop of libferry's service library (docs/services.md): one
 * notification object per process, which every peer notifies with the
 * bit of the connection it means, and fy_svc_yield, which waits on it
 * and runs the callbacks the bits name.
 *
 * Protocol of one notify (sender, then receiver):
 *   1. the sender sets the connection's pending flag in the shm,
 *   2. then ORs the connection's bit into the receiver's notification;
 *   3. the receiver's wait takes all pending bits,
 *   4. then, per bit, exchanges each flag with 0 and runs the callback
 *      of each connection whose flag was set.
 * A flag set after step 4's exchange comes with a bit after step 3, so
 * the next wait sees it: nothing is lost, and notifies between two
 * waits run the callback once. A bit whose flag was taken already (or
 * that a hostile peer sent alone) runs nothing, and the loop waits on.
 */
#include <sys/syscall.h>
#include <time.h>

#include <ferry/lock.h>

#include "svc_internal.h"

int (*svc_server_run)(uint64_t bits);

static atomic_long events = -1;

long svc_events(void)
{
	long n = atomic_load(&events), want = -1;

	if (n >= 0)
		return n;
	n = fy_notification_create();
	if (n < 0)
		return n;
	/* Two threads racing: one cap wins, the other is dropped. */
	if (!atomic_compare_exchange_strong(&events, &want, n)) {
		fy_cap_delete((cap_t)n);
		return want;
	}
	return n;
}

void svc_sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000};

	fy_syscall2(SYS_nanosleep, (long)&ts, 0);
}

void svc_lock(atomic_int *l)
{
	fy_lock(l);
}

void svc_unlock(atomic_int *l)
{
	fy_unlock(l);
}

static uint64_t now_us(void)
{
	struct timespec ts;

	fy_syscall2(SYS_clock_gettime, CLOCK_MONOTONIC, (long)&ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

long fy_svc_yield_for(uint64_t timeout_us)
{
	long ev = svc_events();
	uint64_t deadline = timeout_us ? now_us() + timeout_us : 0, left = 0;

	if (ev < 0)
		return ev;
	for (;;) {
		uint64_t bits = 0;
		long r, ran = 0;

		if (deadline) {
			uint64_t t = now_us();

			if (t >= deadline)
				return -ETIMEDOUT;
			left = deadline - t;
		}
		r = fy_notification_wait((cap_t)ev, left, &bits);
		if (r < 0)
			return r;
		if ((bits & SVC_SERVER_BITS) && svc_server_run)
			ran += svc_server_run(bits);
		if (bits >> SVC_CLIENT_BIT0)
			ran += svc_client_run(bits);
		if (ran)
			return ran;
	}
}

long fy_svc_yield(void)
{
	return fy_svc_yield_for(0);
}
