/*
 * Notification objects (docs/ipc.md "Notifications") through the real
 * syscalls: bits sent before a wait are kept, many notifies coalesce,
 * a wait takes and clears all 64 bits, rights travel with the cap, and
 * the sender never notices what the receiver does: wait, spin, never
 * wait, die, or die while waiting. Two threads of ours and two processes
 * (helpers/notify_peer); init's leak check proves a killed waiter left
 * nothing behind.
 */
#include <stdatomic.h>
#include <time.h>

#include <ferry/ferry.h>
#include <ferry/status.h>

#include "tap.h"
#include "util.h"

#define NOTE_READY 0x1ull
#define NOTE_SPIN 0x100ull
#define NOTE_STOP (1ull << 63)
#define WRITE_ONLY (CAP_RIGHT_WRITE | CAP_RIGHT_GRANT)
#define READ_ONLY (CAP_RIGHT_READ | CAP_RIGHT_GRANT)

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000 * 1000};

	nanosleep(&ts, NULL);
}

static void bad_input(void)
{
	long n = fy_notification_create(), pmo, t0, took;
	uint64_t bits = 0;

	if (!tap_ok(n >= 0, "notification_create gives a cap (%ld)", n))
		return;
	tap_eq(FY_CAP_INFO_TYPE(fy_cap_info((cap_t)n)), OBJ_TYPE_NOTIFICATION,
	       "its type is OBJ_TYPE_NOTIFICATION");
	tap_eq(FY_CAP_INFO_RIGHTS(fy_cap_info((cap_t)n)), CAP_RIGHT_ALL,
	       "with every right");
	tap_eq(fy_notify((cap_t)n, 0), -EINVAL, "notify of no bits: -EINVAL");
	tap_eq(fy_notify(99999, 1), -ECAPBILITY, "notify on no cap");
	tap_eq(fy_notify((cap_t)-1, 1), -ECAPBILITY, "notify on cap -1");
	tap_eq(fy_notification_wait(99999, 1, &bits), -ECAPBILITY,
	       "wait on no cap");
	pmo = fy_pmo_create(4096, PMO_DATA);
	tap_eq(fy_notify((cap_t)pmo, 1), -ECAPBILITY, "notify on a PMO");
	tap_eq(fy_notification_wait((cap_t)pmo, 1, &bits), -ECAPBILITY,
	       "wait on a PMO");
	fy_cap_delete((cap_t)pmo);

	t0 = now_ms();
	tap_eq(fy_notification_wait((cap_t)n, 20000, &bits), -ETIMEDOUT,
	       "wait with nothing pending times out");
	took = now_ms() - t0;
	tap_ok(took >= 20 && took < 500, "after 20 ms or a tick more (%ld)",
	       took);

	tap_eq(fy_notify((cap_t)n, 0x42), 0, "notify 0x42");
	tap_eq(fy_notification_wait((cap_t)n, 0, KERNEL_PTR), -EFAULT,
	       "wait into a kernel pointer: -EFAULT");
	tap_eq(fy_notification_wait((cap_t)n, 0, unmapped_ptr()), -EFAULT,
	       "wait into an unmapped page: -EFAULT");
	tap_eq(fy_notification_wait((cap_t)n, 0, &bits), 0,
	       "the bits stayed pending");
	tap_eq(bits, 0x42, "and come whole (0x%llx)", (unsigned long long)bits);
	fy_cap_delete((cap_t)n);
}

static void coalesce_and_rights(void)
{
	long n = fy_notification_create(), w, r;
	uint64_t bits = 0;

	if (!tap_ok(n >= 0, "a second notification (%ld)", n))
		return;
	for (int i = 0; i < 64; i++)
		fy_notify((cap_t)n, 1ull << i);
	for (int i = 0; i < 1000; i++)
		fy_notify((cap_t)n, 1ull << (i % 3));
	tap_eq(fy_notification_wait((cap_t)n, 1000, &bits), 0,
	       "1,064 notifies before anyone waited: one wait takes them");
	tap_ok(bits == ~0ull, "all 64 bits, bit 63 too (0x%llx)",
	       (unsigned long long)bits);
	tap_eq(fy_notification_wait((cap_t)n, 1, &bits), -ETIMEDOUT,
	       "the wait cleared them");

	w = fy_cap_copy((cap_t)n, CAP_RIGHT_WRITE);
	r = fy_cap_copy((cap_t)n, CAP_RIGHT_READ);
	tap_ok(w >= 0 && r >= 0, "a notify-only and a wait-only copy");
	tap_eq(fy_notification_wait((cap_t)w, 1, &bits), -ECAPBILITY,
	       "the notify-only cap cannot wait");
	tap_eq(fy_notify((cap_t)r, 1), -ECAPBILITY,
	       "the wait-only cap cannot notify");
	tap_eq(fy_notify((cap_t)w, 0x8), 0, "the notify-only cap notifies");
	tap_eq(fy_notification_wait((cap_t)r, 1000, &bits), 0,
	       "the wait-only cap waits");
	tap_eq(bits, 0x8, "and gets what the other sent");
	fy_cap_delete((cap_t)w);
	fy_cap_delete((cap_t)r);
	fy_cap_delete((cap_t)n);
}

/* Our second thread: waits once on `note`, keeps what it got. */
static char th_stack[16384] __attribute__((aligned(16)));
static long note = -1;
static atomic_int th_state; /* 1 about to wait, 2 done */
static atomic_long th_ret;
static atomic_ullong th_bits;

static void thread_waiter(void *arg)
{
	uint64_t bits = 0;

	(void)arg;
	atomic_store(&th_state, 1);
	atomic_store(&th_ret, fy_notification_wait((cap_t)note, 0, &bits));
	atomic_store(&th_bits, bits);
	atomic_store(&th_state, 2);
	fy_thread_exit();
}

static void two_threads(void)
{
	long t, t0;

	note = fy_notification_create();
	t = fy_thread_create(CAP_SELF_GROUP, thread_waiter,
			     th_stack + sizeof(th_stack), 0, 0);
	if (!tap_ok(note >= 0 && t >= 0, "a thread to wait (%ld, %ld)", note,
		    t))
		return;
	while (atomic_load(&th_state) == 0)
		fy_yield();
	sleep_ms(20); /* it is blocked in the wait now */
	tap_eq(atomic_load(&th_state), 1, "the thread waits");
	t0 = now_ms();
	tap_eq(fy_notify((cap_t)note, 0x5000), 0, "notify the waiting thread");
	while (atomic_load(&th_state) != 2 && now_ms() - t0 < 2000)
		fy_yield();
	tap_eq(atomic_load(&th_ret), 0, "its wait returned 0");
	tap_eq(atomic_load(&th_bits), 0x5000, "with the bits");
	fy_cap_delete((cap_t)t);
	fy_cap_delete((cap_t)note);
}

/* Waits (up to 2 s) until everything in `want` came back on n. */
static uint64_t collect(cap_t n, uint64_t want)
{
	uint64_t got = 0, bits;
	long t0 = now_ms();

	while ((got & want) != want && now_ms() - t0 < 2000)
		if (!fy_notification_wait(n, 100000, &bits))
			got |= bits;
	return got;
}

static long spawn_peer(const char *mode, cap_t in, cap_t out)
{
	static const char *const names[] = {"in", "out"};
	const char *argv[] = {"helpers/notify_peer", mode, NULL};
	cap_t caps[] = {in, out};
	struct fy_spawn_attr a = {.prio = SPAWN_SCHED_DEFAULT,
				  .mcp = SPAWN_SCHED_DEFAULT,
				  .ncaps = 2,
				  .names = names,
				  .caps = caps};

	return fy_spawn_caps(argv[0], argv, NULL, &a);
}

/* Two processes: an echo receiver never waited yet, waiting, busy. */
static void two_processes(void)
{
	long to = fy_notification_create(), back = fy_notification_create();
	long to_w, back_w, to_r, p, st, t0, took;

	if (!tap_ok(to >= 0 && back >= 0, "two notifications"))
		return;
	/* The child gets only what it needs: wait on `to`, notify `back`. */
	to_r = fy_cap_copy((cap_t)to, READ_ONLY);
	back_w = fy_cap_copy((cap_t)back, WRITE_ONLY);
	p = spawn_peer("echo", (cap_t)to_r, (cap_t)back_w);
	fy_cap_delete((cap_t)back_w);
	if (!tap_ok(p >= 0, "spawn the echo peer (%ld)", p))
		goto out;
	tap_eq(fy_notify((cap_t)to, 0x10), 0,
	       "notify a process that has not waited yet");
	tap_eq(collect((cap_t)back, 0x10), 0x10, "it got the bits and echoed");
	sleep_ms(20);
	tap_eq(fy_notify((cap_t)to, 0x20), 0, "notify it while it waits");
	tap_eq(collect((cap_t)back, 0x20), 0x20, "it got them");
	tap_eq(fy_notify((cap_t)to, NOTE_SPIN), 0, "make it spin 50 ms");
	sleep_ms(10);
	t0 = now_ms();
	tap_eq(fy_notify((cap_t)to, 0x200), 0, "notify it while busy");
	tap_eq(fy_notify((cap_t)to, 0x400), 0, "twice");
	took = now_ms() - t0;
	tap_ok(took < 20, "the notifier did not wait for it (%ld ms)", took);
	tap_eq(collect((cap_t)back, NOTE_SPIN | 0x600), NOTE_SPIN | 0x600,
	       "the busy process got them all");
	tap_eq(fy_notify((cap_t)to, NOTE_STOP), 0, "tell it to stop");
	st = fy_proc_wait((cap_t)p);
	tap_eq(st, PROC_STATUS_EXITED(0), "it exited 0");
	fy_cap_delete((cap_t)p);
	tap_eq(fy_notify((cap_t)to, 0x1), 0,
	       "notify after the receiver died: the notifier is unaffected");

	/* Rights travel: the child's caps work one way only. */
	to_w = fy_cap_copy((cap_t)to, WRITE_ONLY);
	p = spawn_peer("rights", (cap_t)to_r, (cap_t)to_w);
	fy_cap_delete((cap_t)to_w);
	st = p >= 0 ? fy_proc_wait((cap_t)p) : p;
	tap_eq(st, PROC_STATUS_EXITED(0),
	       "in another process a wait-only cap cannot notify, a "
	       "notify-only one cannot wait");
	if (p >= 0)
		fy_cap_delete((cap_t)p);
out:
	fy_cap_delete((cap_t)to_r);
	fy_cap_delete((cap_t)to);
	fy_cap_delete((cap_t)back);
}

/* A process killed while it waits: nothing leaks, nothing is taken. */
static void killed_waiter(void)
{
	long n = fy_notification_create(), ready = fy_notification_create();
	long n_r, ready_w, p, st;
	uint64_t bits = 0;

	if (!tap_ok(n >= 0 && ready >= 0, "two more notifications"))
		return;
	n_r = fy_cap_copy((cap_t)n, READ_ONLY);
	ready_w = fy_cap_copy((cap_t)ready, WRITE_ONLY);
	p = spawn_peer("block", (cap_t)n_r, (cap_t)ready_w);
	fy_cap_delete((cap_t)n_r);
	fy_cap_delete((cap_t)ready_w);
	if (tap_ok(p >= 0, "spawn a waiter to kill (%ld)", p)) {
		tap_eq(collect((cap_t)ready, NOTE_READY), NOTE_READY,
		       "it is about to wait");
		sleep_ms(30);
		tap_eq(fy_proc_kill((cap_t)p), 0, "kill it while it waits");
		st = fy_proc_wait((cap_t)p);
		tap_eq(st, PROC_STATUS_KILLED(PROC_SIG_KILL), "it was killed");
		fy_cap_delete((cap_t)p);
	}
	tap_eq(fy_notify((cap_t)n, 0x3), 0, "notify after the kill");
	tap_eq(fy_notification_wait((cap_t)n, 1000000, &bits), 0,
	       "we wait on it ourselves");
	tap_eq(bits, 0x3, "the dead waiter took nothing");
	fy_cap_delete((cap_t)n);
	fy_cap_delete((cap_t)ready);
}

int main(void)
{
	bad_input();
	coalesce_and_rights();
	two_threads();
	two_processes();
	killed_waiter();
	return tap_done();
}
