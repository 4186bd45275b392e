/*
 * What the ipc_* system tests share: starting and stopping the
 * helpers/ipc_srv server and helpers/ipc_client clients, and making
 * requests (ipc_proto.h). Header-only, as each test is one program.
 */
#ifndef TESTS_IPC_TEST_H
#define TESTS_IPC_TEST_H

#include <stdatomic.h>

#include <ferry/ipc.h>

#include "ipc_proto.h"

struct srv {
	cap_t proc;   /* all rights */
	cap_t thread; /* its main thread: CALL | GRANT, to pass on */
};

/* Starts helpers/ipc_srv; both caps are -1 (or negative) on failure. */
static inline struct srv srv_spawn(void)
{
	static const char *const argv[] = {"helpers/ipc_srv", NULL};
	struct srv s = {-1, -1};
	long r = fy_spawn(argv[0], argv, NULL);

	if (r < 0)
		return s;
	s.proc = (cap_t)r;
	r = fy_cap_fetch(s.proc, CAP_SELF_MAIN_THREAD,
			 CAP_RIGHT_CALL | CAP_RIGHT_GRANT);
	s.thread = r < 0 ? -1 : (cap_t)r;
	return s;
}

/* Kills the server if it still runs; returns its wait status. */
static inline long srv_stop(struct srv *s)
{
	long status;

	fy_proc_kill(s->proc);
	status = fy_proc_wait(s->proc);
	fy_cap_delete(s->thread);
	fy_cap_delete(s->proc);
	s->proc = s->thread = -1;
	return status;
}

/*
 * Starts helpers/ipc_client with argv[1..] = args and gives it a CALL cap
 * to the server thread. Returns the process cap or a negative errno.
 */
static inline long client_spawn(const struct srv *s, const char *mode,
				const char *arg)
{
	const char *argv[] = {"helpers/ipc_client", mode, arg, NULL};
	long proc = fy_spawn(argv[0], argv, NULL), r;

	if (proc < 0)
		return proc;
	r = fy_cap_transfer((cap_t)proc, s->thread, CAP_RIGHT_CALL, -1);
	if (r < 0) {
		fy_proc_kill((cap_t)proc);
		fy_proc_wait((cap_t)proc);
		fy_cap_delete((cap_t)proc);
		return r;
	}
	return proc;
}

/* Waits for a process and deletes its cap; returns the wait status. */
static inline long proc_reap(cap_t proc)
{
	long status = fy_proc_wait(proc);

	fy_cap_delete(proc);
	return status;
}

/* Lays out a request at the start of the shm (no cap slots). */
static inline struct ipc_msg *req_init(struct ipc_conn *c, int64_t op,
				       int64_t a, uint32_t payload)
{
	struct ipc_msg *m = ipc_msg_init(c, SRV_PAYLOAD + payload, 0);
	struct srv_hdr *h = ipc_msg_data(m);

	h->op = op;
	h->a = a;
	h->b = h->c = 0;
	return m;
}

static inline struct srv_hdr *req_hdr(struct ipc_msg *m)
{
	return ipc_msg_data(m);
}

/* One request without payload or caps, through the library. */
static inline long req(struct ipc_conn *c, int64_t op, int64_t a)
{
	return ipc_call(c, req_init(c, op, a, 0), 0);
}

/* OP_STATS: the destructor runs so far (fields: see ipc_proto.h). */
static inline long srv_dtors(struct ipc_conn *c)
{
	return req(c, OP_STATS, 0);
}

/*
 * Probes with empty raw calls carrying a 1 us deadline until two in a
 * row time out: they waited for a busy handler (a call to a busy
 * handler waits in the kernel), so another client's call is in flight.
 * 1 if seen within `ticks`.
 */
static inline int wait_busy(struct ipc_conn *c, int64_t ticks)
{
	int64_t end = srv_ticks() + ticks;

	while (srv_ticks() < end) {
		/*
		 * A tick can also end a probe that a free handler was
		 * serving: a second one at once must time out too.
		 */
		if (fy_ipc_call(c->cap, NULL, 0, 1) == -ETIMEDOUT &&
		    fy_ipc_call(c->cap, NULL, 0, 1) == -ETIMEDOUT)
			return 1;
		fy_yield();
	}
	return 0;
}

/* Spins for `ticks` timer ticks without blocking. */
static inline void spin_ticks(int64_t ticks)
{
	int64_t end = srv_ticks() + ticks;

	while (srv_ticks() < end)
		;
}

/*
 * A second thread of the test: runs job() on the given stack, then says
 * so in `done`. Start one with side_start, end with side_wait.
 */
struct side {
	void (*job)(void);
	atomic_int done;
	cap_t thread;
};

static inline void side_entry(void *arg)
{
	struct side *sd = arg;

	sd->job();
	atomic_store(&sd->done, 1);
	fy_thread_exit();
}

static inline long side_start(struct side *sd, void (*job)(void),
			      void *stack_top)
{
	long t;

	sd->job = job;
	atomic_store(&sd->done, 0);
	t = fy_thread_create(CAP_SELF_GROUP, side_entry, stack_top, sd, 0);
	sd->thread = t < 0 ? -1 : (cap_t)t;
	return t;
}

/* Waits (yielding) up to `ticks` for the job; 1 if it finished. */
static inline int side_wait(struct side *sd, int64_t ticks)
{
	int64_t end = srv_ticks() + ticks;

	if (sd->thread < 0)
		return 0;
	while (!atomic_load(&sd->done) && srv_ticks() < end)
		fy_yield();
	fy_cap_delete(sd->thread);
	sd->thread = -1;
	return atomic_load(&sd->done);
}

/* Slots [0, SRV_CAP_SCAN) of ours that hold a capability. */
static inline long count_caps(void)
{
	long n = 0;

	for (int i = 0; i < SRV_CAP_SCAN; i++)
		n += fy_cap_info(i) >= 0;
	return n;
}

#endif
