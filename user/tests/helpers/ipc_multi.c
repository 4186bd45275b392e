/*
 * Two servers in one process (ipc_multi.h): server A on the main thread,
 * at most MULTI_A_MAX connections, and server B on a second thread with
 * libferry's defaults. Every connection has its own handler, so a
 * handler that sleeps or waits for a child stalls only its own client.
 * With argv "sleep MS" it is instead the child MOP_CHILD waits for.
 */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>

#include <ferry/ipc.h>

#include "../ipc_multi.h"

struct counts {
	atomic_long dtors, blocked, calls;
};

static struct counts count_a, count_b;
static cap_t b_slot = -1;
/* MOP_RELEASE: ends the blocking op in progress (there is one at most). */
static atomic_int released;
static atomic_int child_proc = -1;
static atomic_int b_ready;
static _Alignas(16) char b_stack[16384];

/* Raw: handlers have no TLS, so no libc call that may set errno. */
static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, ms % 1000 * 1000000};

	fy_syscall2(SYS_nanosleep, (long)&ts, 0);
}

/* Sleeps in 10 ms steps until released or `ms` have passed: 1 if released. */
static long sleep_until_released(long ms)
{
	for (long t = 0; t < ms; t += 10) {
		if (atomic_load(&released))
			return 1;
		sleep_ms(10);
	}
	return atomic_load(&released);
}

/* Spins until released or `ticks` have passed: 1 if released. */
static long spin_until_released(long ticks)
{
	int64_t end = srv_ticks() + ticks;

	while (srv_ticks() < end)
		if (atomic_load(&released))
			return 1;
	return 0;
}

/* Starts a child that sleeps for a minute and waits for it. */
static long child(void)
{
	const char *argv[] = {"helpers/ipc_multi", "sleep", "60000", NULL};
	long proc, status;

	proc = fy_spawn(argv[0], argv, NULL);
	if (proc < 0)
		return proc;
	atomic_store(&child_proc, (int)proc);
	if (atomic_load(&released)) /* released before we stored it */
		fy_proc_kill((cap_t)proc);
	status = fy_proc_wait((cap_t)proc);
	atomic_store(&child_proc, -1);
	fy_cap_delete((cap_t)proc);
	return status;
}

static long deep(int depth)
{
	volatile char buf[1024];

	for (int i = 0; i < (int)sizeof(buf); i++)
		buf[i] = (char)(depth + i);
	if (depth == 0)
		return buf[7];
	return deep(depth - 1) + buf[depth % sizeof(buf)];
}

static long serve(struct counts *cn, long id, struct ipc_msg *m, uint64_t badge)
{
	struct srv_hdr *h;
	long r;

	if (!m || m->data_len < SRV_PAYLOAD)
		return (long)badge;
	h = ipc_msg_data(m);
	switch (h->op) {
	case OP_NOP:
		return SRV_NOP_RET;
	case OP_BADGE:
		h->b = h->a;
		h->a = (int64_t)badge;
		return (long)badge;
	case OP_XFORM:
		return srv_xform(m);
	case MOP_WHO:
		return id;
	case OP_SPIN:
	case MOP_SLEEP:
	case MOP_CHILD:
		atomic_store(&released, 0);
		atomic_fetch_add(&cn->blocked, 1);
		if (h->op == OP_SPIN)
			r = spin_until_released(h->a);
		else if (h->op == MOP_SLEEP)
			r = sleep_until_released(h->a);
		else
			r = child();
		atomic_fetch_sub(&cn->blocked, 1);
		return r;
	case MOP_RELEASE:
		atomic_store(&released, 1);
		r = atomic_load(&child_proc);
		if (r >= 0)
			fy_proc_kill((cap_t)r);
		return 0;
	case MOP_STATS:
		h->a = atomic_load(&cn->dtors);
		h->b = atomic_load(&cn->blocked);
		h->c = atomic_load(&cn->calls);
		return h->a;
	case MOP_B_SLOT:
		return id == MULTI_A_ID ? b_slot : -EINVAL;
	case MOP_DEEP:
		return deep(47);
	}
	return -ENOSYS;
}

static long handler_a(struct ipc_msg *m, uint64_t badge)
{
	atomic_fetch_add(&count_a.calls, 1);
	return serve(&count_a, MULTI_A_ID, m, badge);
}

static long handler_b(struct ipc_msg *m, uint64_t badge)
{
	atomic_fetch_add(&count_b.calls, 1);
	return serve(&count_b, MULTI_B_ID, m, badge);
}

static void dtor_a(uint64_t badge)
{
	(void)badge;
	atomic_fetch_add(&count_a.dtors, 1);
}

static void dtor_b(uint64_t badge)
{
	(void)badge;
	atomic_fetch_add(&count_b.dtors, 1);
}

/* Server B's thread: serve, say so, end (the service lives on). */
static void server_b(void *arg)
{
	(void)arg;
	atomic_store(&b_ready, ipc_serve(handler_b, dtor_b) == 0 ? 1 : -1);
	fy_thread_exit();
}

int main(int argc, char **argv)
{
	struct ipc_serve_config a = {.handler = handler_a,
				     .destructor = dtor_a,
				     .max_conns = MULTI_A_MAX};
	long t;

	if (argc > 2 && !strcmp(argv[1], "sleep")) {
		sleep_ms(atol(argv[2]));
		return 7;
	}
	t = fy_thread_create(CAP_SELF_GROUP, server_b,
			     b_stack + sizeof(b_stack), NULL, 0);
	if (t < 0)
		return 1;
	while (!atomic_load(&b_ready))
		fy_yield();
	if (atomic_load(&b_ready) < 0)
		return 2;
	b_slot = (cap_t)t; /* kept: the test fetches B from it */
	if (ipc_serve_with(&a) < 0)
		return 3;
	fy_thread_exit(); /* the passive threads serve from now on */
}
