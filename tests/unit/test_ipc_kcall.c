/*
 * kernel/ipc/kcall.c: a call the kernel makes for the running thread in
 * the middle of a syscall, the restart that completes it, and each death
 * during one (kcall.h's protocol). The caller's frame is filled as
 * entry.S leaves a syscall's, so the restart's rewind is checked on the
 * real layout.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "ipc_env.h"
#include <ipc/kcall.h>

#define SYS_PC 0x400102ul /* past the syscall instruction */
#define SYS_NR 1ul	  /* Linux write */
#define ARG0 1ul
#define ARG1 0x10000ul
#define ARG2 64ul

/* The running thread is in a syscall: its frame as entry.S made it. */
static void enter_syscall(struct thread *t)
{
	struct arch_regs *r = thread_regs(t);

	r->rip = SYS_PC;
	r->rcx = SYS_PC;
	r->rax = SYS_NR;
	r->rdi = ARG0;
	r->rsi = ARG1;
	r->rdx = ARG2;
	r->r10 = 0x77;
	r->cs = SEL_UCODE;
}

/* current makes a kcall on ln with a 5-byte message: the CPU goes to h. */
static void kcall_in(struct ipc_world *w, struct ipc_link *ln, u64 progress)
{
	static const char msg[] = "hello";
	struct thread *c = current;

	enter_syscall(c);
	assert_int_equal(kcall_shm_write(ln->conn, 16, msg, 5), 0);
	assert_ptr_equal(ipc_switch(kcall_call(ln->conn, progress)), w->h);
	assert_true(host_switched_to_user);
	assert_ptr_equal(current, w->h);
	assert_int_equal(c->state, TS_IPC_WAIT);
	assert_int_equal(c->ipc.kcall.state, KCALL_CALLING);
	assert_ptr_equal(w->h->ipc.passive->caller, c);
	assert_true(ln->conn->busy);
}

/* c was resumed to run its syscall again, with nothing else changed. */
static void assert_restarted(struct thread *c)
{
	struct arch_regs *r = thread_regs(c);

	assert_int_equal(c->ipc.kcall.state, KCALL_DONE);
	assert_int_equal(r->rip, SYS_PC - 2);
	assert_int_equal(r->rax, SYS_NR);
	assert_int_equal(r->rdi, ARG0);
	assert_int_equal(r->rsi, ARG1);
	assert_int_equal(r->rdx, ARG2);
	assert_int_equal(r->r10, 0x77);
	assert_int_equal(c->arch.ksp, 0); /* from its user frame */
	assert_null(c->ipc.callee);
}

/* The thread re-enters the syscall (entry.S puts rip past it again). */
static void reenter(struct thread *c)
{
	thread_regs(c)->rip += 2;
}

/*
 * current makes a kcall on ln that the handler answers with ret; it
 * restarts and re-enters its syscall.
 */
static void kcall_answered(struct ipc_world *w, struct ipc_link *ln,
			   u64 progress, u64 ret)
{
	struct thread *c = current;

	kcall_in(w, ln, progress);
	assert_ptr_equal(ipc_switch(ipc_return(ret, 0)), c);
	reenter(c);
}

static void test_round_trip(void **state)
{
	struct ipc_world w;
	struct ipc_link *ln;
	struct thread *c;
	struct arch_regs *hr;
	char got[8] = {0};
	long res;
	u64 progress;

	(void)state;
	c = ipc_world_connected(&w, &ln);
	kcall_in(&w, ln, 7);
	/* The handler gets the shm at the server's address, and the badge. */
	hr = thread_regs(w.h);
	assert_int_equal(hr->rip, H_ENTRY);
	assert_int_equal(hr->rsp, H_STACK);
	assert_int_equal(hr->rdi, (u64)ln->sbuf);
	assert_int_equal(hr->rsi, ln->conn->badge);
	assert_ptr_equal(w.h->sc, c->sc);
	assert_int_equal(pmo_read(ln->conn->shm, 16, got, 5), 0);
	assert_string_equal(got, "hello");
	/* No capabilities go back to a kcall. */
	assert_int_equal(ipc_ret(ipc_return(0, 1)), -EINVAL);

	assert_ptr_equal(ipc_switch(ipc_return(42, 0)), c);
	assert_true(host_switched_to_user);
	assert_restarted(c);
	/* Reserved for c until its restart has read the answer. */
	assert_true(ln->conn->busy);
	assert_ptr_equal(c->ipc.kcall.conn, ln->conn);
	assert_false(w.h->ipc.passive->busy);
	assert_int_equal(c->sc->obj.refcount, 1);
	assert_int_equal(ipc_ret(ipc_call(ln->cap, 0, 0, 0)), -EIPCRETRY);

	reenter(c);
	assert_true(kcall_resume(&res, &progress));
	assert_int_equal(res, 42);
	assert_int_equal(progress, 7);
	assert_int_equal(c->ipc.kcall.state, KCALL_NONE);
	assert_true(ln->conn->busy);
	kcall_release();
	assert_false(ln->conn->busy);
	assert_null(c->ipc.kcall.conn);
	/* Only once. */
	assert_false(kcall_resume(&res, &progress));
	assert_int_equal(res, 0);
	assert_int_equal(progress, 0);
	/* The connection serves ordinary calls again. */
	ipc_call_in(&w, ln, 0, 0, 0);
	ipc_return_to(&w, c, 3);
	ipc_world_fini(&w);
}

/*
 * A second round (a long write's next chunk) goes on the connection the
 * thread holds, which nobody else could take meanwhile.
 */
static void test_second_round(void **state)
{
	struct ipc_world w;
	struct ipc_link *ln;
	struct thread *c;
	long res;
	u64 progress;

	(void)state;
	c = ipc_world_connected(&w, &ln);
	kcall_answered(&w, ln, 0, 2048);
	assert_true(kcall_resume(&res, &progress));
	assert_int_equal(res, 2048);
	assert_int_equal(ln->conn->obj.refcount, 3); /* 2 slots, ours */
	assert_ptr_equal(ipc_switch(kcall_call(ln->conn, 2048)), w.h);
	assert_int_equal(ln->conn->obj.refcount, 4); /* and the call's */
	assert_ptr_equal(ipc_switch(ipc_return(100, 0)), c);
	reenter(c);
	assert_true(kcall_resume(&res, &progress));
	assert_int_equal(res, 100);
	assert_int_equal(progress, 2048);
	kcall_release();
	assert_int_equal(ln->conn->obj.refcount, 2);
	assert_false(ln->conn->busy);
	ipc_world_fini(&w);
}

/* An outcome belongs to its syscall: any other finds nothing. */
static void test_resume_other_syscall(void **state)
{
	struct ipc_world w;
	struct ipc_link *ln;
	struct thread *c;
	long res;
	u64 progress;

	(void)state;
	c = ipc_world_connected(&w, &ln);
	kcall_answered(&w, ln, 5, 1);
	thread_regs(c)->rsi = ARG1 + 1; /* other code, same place */
	assert_false(kcall_resume(&res, &progress));
	assert_int_equal(progress, 0);
	assert_int_equal(c->ipc.kcall.state, KCALL_NONE);
	/* The stale reservation went with it. */
	assert_false(ln->conn->busy);
	assert_null(c->ipc.kcall.conn);
	/* Nor from another place. */
	enter_syscall(c);
	kcall_in(&w, ln, 5);
	assert_ptr_equal(ipc_switch(ipc_return(1, 0)), c);
	assert_false(kcall_resume(&res, &progress)); /* rip not past it */
	assert_int_equal(c->ipc.kcall.state, KCALL_NONE);
	assert_false(ln->conn->busy);
	ipc_world_fini(&w);
}

/* The handler dies during the kcall: the thread restarts with -EIO. */
static void test_handler_dies(void **state)
{
	struct ipc_world w;
	struct ipc_link *ln;
	struct connection *conn;
	struct thread *c;
	long res;
	u64 progress;

	(void)state;
	c = ipc_world_connected(&w, &ln);
	conn = ln->conn;
	kcall_in(&w, ln, 3);
	current = w.idle;
	cap_group_exit(w.sg, 0);
	assert_ptr_equal(ipc_thread_exit(w.h), c);
	assert_restarted(c);
	assert_int_equal(conn->state, CONN_DEAD);
	assert_false(conn->busy); /* a dead connection is not kept busy */
	assert_int_equal(c->sc->obj.refcount, 1);
	reenter(c);
	assert_true(kcall_resume(&res, &progress));
	assert_int_equal(res, -EIO);
	assert_int_equal(progress, 3);
	/* Promptly, from now on: no switch, no wait; nothing stays held. */
	assert_int_equal(ipc_ret(kcall_call(conn, 0)), -EIO);
	assert_int_equal(c->ipc.kcall.state, KCALL_NONE);
	assert_null(c->ipc.kcall.conn);
	ipc_world_fini(&w);
}

/* A server killed while idle: the next kcall fails at once. */
static void test_server_dead_before(void **state)
{
	struct ipc_world w;
	struct ipc_link *ln;
	struct thread *c;

	(void)state;
	c = ipc_world_connected(&w, &ln);
	c->state = TS_INACTIVE;
	current = w.idle;
	cap_group_exit(w.sg, 0);
	ipc_run_as(c);
	enter_syscall(c);
	assert_int_equal(ipc_ret(kcall_call(ln->conn, 0)), -EIO);
	assert_int_equal(ln->conn->state, CONN_DEAD);
	assert_int_equal(c->ipc.kcall.state, KCALL_NONE);
	ipc_world_fini(&w);
}

/* A dying (killed, not yet gone) handler is as good as dead. */
static void test_server_dying(void **state)
{
	struct ipc_world w;
	struct ipc_link *ln;

	(void)state;
	ipc_world_connected(&w, &ln);
	w.h->killed = true;
	enter_syscall(current);
	assert_int_equal(ipc_ret(kcall_call(ln->conn, 0)), -EIO);
	w.h->killed = false;
	ipc_world_fini(&w);
}

/*
 * The thread making the kcall is killed: it is retired at once, its
 * kcall forgotten; the handler finishes orphaned and its answer goes
 * nowhere.
 */
static void test_caller_killed(void **state)
{
	struct ipc_world w;
	struct ipc_link *ln;
	struct thread *c;

	(void)state;
	c = ipc_world_connected(&w, &ln);
	obj_get(ln->conn);
	kcall_in(&w, ln, 0);
	current = w.idle;
	cap_group_exit(ln->cl->g, 0);
	assert_int_equal(c->state, TS_DEAD);
	assert_int_equal(c->ipc.kcall.state, KCALL_NONE);
	assert_null(c->ipc.kcall.conn);
	assert_true(ln->conn->busy); /* the call still runs */
	assert_null(w.h->ipc.passive->caller);
	ipc_run_as(w.h);
	/* The closed connection's destructor is next, from the user frame. */
	assert_ptr_equal(ipc_switch(ipc_return(9, 0)), w.h);
	assert_false(ln->conn->busy);
	assert_true(w.h->ipc.passive->exit_run);
	assert_ptr_equal(ipc_switch(ipc_exit_routine_return()), w.idle);
	obj_put(ln->conn);
	ipc_world_fini(&w);
}

/* The server's own handler asking its own busy connection: -EDEADLK. */
static void test_call_into_self(void **state)
{
	struct ipc_world w;
	struct ipc_link *ln;
	struct thread *c;

	(void)state;
	c = ipc_world_connected(&w, &ln);
	kcall_in(&w, ln, 0);
	enter_syscall(w.h);
	assert_int_equal(ipc_ret(kcall_call(ln->conn, 0)), -EDEADLK);
	assert_null(w.h->ipc.kcall.conn);
	assert_ptr_equal(ipc_switch(ipc_return(0, 0)), c);
	kcall_release();
	ipc_world_fini(&w);
}

/* The fast path leaves a kcall's return to the general path. */
static void test_fastpath_falls_back(void **state)
{
	struct ipc_world w;
	struct ipc_link *ln;
	struct thread *c;
	struct arch_regs *r;

	(void)state;
	c = ipc_world_connected(&w, &ln);
	kcall_in(&w, ln, 0);
	r = thread_regs(w.h);
	r->rdi = 5; /* ret */
	r->rsi = 0; /* ncaps */
	assert_int_equal(ipc_ret((ipc_fastpath_return(r->rdi, r->rsi), 0L)), 0);
	assert_ptr_equal(current, w.h);
	assert_true(ln->conn->busy);
	assert_ptr_equal(ipc_switch(ipc_return(5, 0)), c);
	assert_restarted(c);
	kcall_release();
	ipc_world_fini(&w);
}

/* The shm copies stay inside the shm. */
static void test_shm_bounds(void **state)
{
	struct ipc_world w;
	struct ipc_link *ln;
	char b[4] = "abc";

	(void)state;
	ipc_world_connected(&w, &ln);
	assert_int_equal(kcall_shm_write(ln->conn, SHM_SIZE - 3, b, 3), 0);
	assert_int_equal(kcall_shm_write(ln->conn, SHM_SIZE - 2, b, 3),
			 -EINVAL);
	assert_int_equal(kcall_shm_write(ln->conn, ~0ul, b, 3), -EINVAL);
	assert_int_equal(kcall_shm_write(ln->conn, 8, b, ~0ul - 4), -EINVAL);
	assert_int_equal(kcall_shm_read_user(ln->conn, SHM_SIZE, NULL, 1),
			 -EINVAL);
	ipc_world_fini(&w);
}

/*
 * A second client process on another connection to the same handler
 * (w->h): its thread, off the CPU; *ln2 its link.
 */
static struct thread *second_client(struct ipc_world *w, struct ipc_link **ln2)
{
	struct thread *was = current, *k;

	*ln2 = ipc_new_connected(w);
	k = (*ln2)->cl->t;
	k->state = TS_INACTIVE;
	ipc_run_as(was);
	return k;
}

/*
 * The running thread k starts a kcall on ln and finds the handler busy:
 * it blocks on the handler's queue, holding no reservation (a first
 * round) and no reference.
 */
static void kcall_waits(struct ipc_world *w, struct ipc_link *ln,
			struct thread *k)
{
	struct thread *q;
	volatile bool queued = false;

	ipc_run_as(k);
	enter_syscall(k);
	assert_int_equal(ipc_ret(kcall_prepare(ln->conn)), KCALL_WAIT);
	assert_false(w->h->ipc.passive->granted == k);
	assert_ptr_equal(ipc_switch((kcall_wait(), 0L)), w->idle);
	assert_false(host_switched_to_user);
	assert_int_equal(k->state, TS_BLOCKED);
	assert_ptr_equal(k->ipc.waits_on, w->h);
	list_for_each(q, &w->h->ipc.passive->waiters.threads, sched_node)
		queued |= q == k;
	assert_true(queued);
}

/*
 * A kcall behind a busy handler waits on its queue as a user call does:
 * the handler's return grants it, the syscall restarts, takes the grant
 * and the kcall completes.
 */
static void test_waits_for_busy_handler(void **state)
{
	struct ipc_world w;
	struct ipc_link *ln, *ln2;
	struct thread *c, *k;
	long res;
	u64 progress;

	(void)state;
	c = ipc_world_connected(&w, &ln);
	k = second_client(&w, &ln2);
	ipc_call_in(&w, ln, 0, 0, 0); /* c is in the handler */
	kcall_waits(&w, ln2, k);
	assert_null(k->ipc.kcall.conn);
	assert_false(ln2->conn->busy);
	assert_int_equal(k->ipc.kcall.state, KCALL_NONE);

	ipc_run_as(w.h);
	ipc_return_to(&w, c, 0);
	ipc_assert_granted(w.h, k, SYS_PC);
	/* The syscall again: no outcome yet; the grant is taken. */
	c->state = TS_INACTIVE;
	ipc_run_as(k);
	reenter(k);
	assert_false(kcall_resume(&res, &progress));
	kcall_in(&w, ln2, 4);
	assert_null(w.h->ipc.passive->granted);
	assert_null(k->ipc.waits_on);
	assert_ptr_equal(ipc_switch(ipc_return(5, 0)), k);
	assert_restarted(k);
	reenter(k);
	assert_true(kcall_resume(&res, &progress));
	assert_int_equal(res, 5);
	assert_int_equal(progress, 4);
	kcall_release();
	assert_false(ln2->conn->busy);
	assert_false(w.h->ipc.passive->busy);
	ipc_world_fini(&w);
}

/*
 * A later round (the connection reserved already) waits too, keeping
 * its reservation and its outcome, which the restart replays.
 */
static void test_later_round_waits(void **state)
{
	struct ipc_world w;
	struct ipc_link *ln, *ln2;
	struct thread *c, *k, *u;
	long res;
	u64 progress;

	(void)state;
	c = ipc_world_connected(&w, &ln);
	k = second_client(&w, &ln2);
	c->state = TS_INACTIVE;
	ipc_run_as(k);
	kcall_answered(&w, ln2, 0, 2048);
	assert_true(kcall_resume(&res, &progress));
	/* Meanwhile c's call took the handler. */
	k->state = TS_INACTIVE;
	ipc_run_as(c);
	ipc_call_in(&w, ln, 0, 0, 0);
	ipc_run_as(k);
	assert_int_equal(ipc_ret(kcall_prepare(ln2->conn)), KCALL_WAIT);
	assert_ptr_equal(ipc_switch((kcall_wait(), 0L)), w.idle);
	assert_int_equal(k->state, TS_BLOCKED);
	assert_ptr_equal(k->ipc.kcall.conn, ln2->conn);
	assert_true(ln2->conn->busy);
	assert_int_equal(k->ipc.kcall.state, KCALL_DONE);
	/* A user call on the reserved connection is still told to retry. */
	u = ipc_new_client(&w, ln2->cl->g)->t;
	ipc_run_as(u);
	assert_int_equal(ipc_ret(ipc_call(ln2->cap, 0, 0, 0)), -EIPCRETRY);
	u->state = TS_INACTIVE;
	ipc_run_as(w.h);
	ipc_return_to(&w, c, 0);
	ipc_assert_granted(w.h, k, SYS_PC);
	c->state = TS_INACTIVE;
	ipc_run_as(k);
	reenter(k);
	/* The same outcome again: the syscall carries on where it was. */
	assert_true(kcall_resume(&res, &progress));
	assert_int_equal(res, 2048);
	assert_int_equal(progress, 0);
	assert_ptr_equal(ipc_switch(kcall_call(ln2->conn, 2048)), w.h);
	assert_ptr_equal(ipc_switch(ipc_return(100, 0)), k);
	reenter(k);
	assert_true(kcall_resume(&res, &progress));
	assert_int_equal(res, 100);
	assert_int_equal(progress, 2048);
	kcall_release();
	assert_false(ln2->conn->busy);
	assert_int_equal(ln2->conn->obj.refcount, 2);
	ipc_world_fini(&w);
}

/* A kcall killed while it waits leaves the queue; nothing stays held. */
static void test_killed_while_waiting(void **state)
{
	struct ipc_world w;
	struct ipc_link *ln, *ln2;
	struct thread *c, *k;

	(void)state;
	c = ipc_world_connected(&w, &ln);
	second_client(&w, &ln2);
	/* Another thread of that process: the process outlives k. */
	k = ipc_new_client(&w, ln2->cl->g)->t;
	k->state = TS_INACTIVE;
	ipc_run_as(c);
	ipc_call_in(&w, ln, 0, 0, 0);
	kcall_waits(&w, ln2, k);
	thread_kill(k);
	assert_int_equal(k->state, TS_READY);
	ipc_wait_end(k); /* what its kernel path does on waking */
	assert_null(k->ipc.waits_on);
	sched_dequeue(k);
	k->state = TS_INACTIVE;
	ipc_thread_exit(k);
	assert_true(list_empty(&w.h->ipc.passive->waiters.threads));
	/* Nobody to grant to: the handler goes idle. */
	ipc_run_as(w.h);
	ipc_return_to(&w, c, 0);
	assert_false(w.h->ipc.passive->busy);
	assert_null(w.h->ipc.passive->granted);
	assert_false(ln2->conn->busy);
	ipc_world_fini(&w);
}

/*
 * A kcall granted the handler, then killed before its syscall runs
 * again: the grant passes on (here: the handler goes idle).
 */
static void test_killed_holding_grant(void **state)
{
	struct ipc_world w;
	struct ipc_link *ln, *ln2;
	struct thread *c, *k;

	(void)state;
	c = ipc_world_connected(&w, &ln);
	second_client(&w, &ln2);
	/* Another thread of that process: the process outlives k. */
	k = ipc_new_client(&w, ln2->cl->g)->t;
	k->state = TS_INACTIVE;
	ipc_run_as(c);
	ipc_call_in(&w, ln, 0, 0, 0);
	kcall_waits(&w, ln2, k);
	ipc_run_as(w.h);
	ipc_return_to(&w, c, 0);
	ipc_assert_granted(w.h, k, SYS_PC);
	thread_kill(k);
	sched_dequeue(k);
	k->state = TS_INACTIVE;
	c->state = TS_INACTIVE;
	ipc_thread_exit(k);
	assert_false(w.h->ipc.passive->busy);
	assert_null(w.h->ipc.passive->granted);
	ipc_world_fini(&w);
}

/* The server dies while the kcall waits: the syscall restarts to -EIO. */
static void test_server_dies_while_waiting(void **state)
{
	struct ipc_world w;
	struct ipc_link *ln, *ln2;
	struct thread *c, *k;
	long res;
	u64 progress;

	(void)state;
	c = ipc_world_connected(&w, &ln);
	k = second_client(&w, &ln2);
	ipc_call_in(&w, ln, 0, 0, 0);
	kcall_waits(&w, ln2, k);
	current = w.idle;
	cap_group_exit(w.sg, 0);
	assert_ptr_equal(ipc_thread_exit(w.h), c);
	assert_int_equal(k->state, TS_READY);
	assert_int_equal(k->arch.ksp, 0);
	assert_null(k->ipc.waits_on);
	assert_int_equal(thread_regs(k)->rip, SYS_PC - 2);
	c->state = TS_INACTIVE;
	ipc_run_as(k);
	reenter(k);
	assert_false(kcall_resume(&res, &progress));
	assert_int_equal(ipc_ret(kcall_prepare(ln2->conn)), -EIO);
	assert_null(k->ipc.kcall.conn);
	ipc_world_fini(&w);
}

/*
 * Kcalls and user calls share one queue, best priority first: a kcall
 * of higher priority queued after a user call is granted first, and
 * lends its priority to the context the handler runs on meanwhile.
 */
static void test_priority_with_user_call(void **state)
{
	struct ipc_world w;
	struct ipc_link *ln, *ln2;
	struct thread *c, *k, *a;
	long res;
	u64 progress;

	(void)state;
	c = ipc_world_connected(&w, &ln);
	a = ipc_new_client(&w, ln->cl->g)->t; /* a user caller on ln */
	a->sc->prio = PRIO_DEFAULT;
	k = second_client(&w, &ln2);
	k->sc->prio = PRIO_DEFAULT + 2;
	ipc_run_as(c);
	ipc_call_in(&w, ln, 0, 0, 0);
	ipc_run_as(a);
	ipc_wait_in(&w, ln, 0, 0, 0);
	kcall_waits(&w, ln2, k);
	assert_ptr_equal(list_first(&w.h->ipc.passive->waiters.threads,
				    struct thread, sched_node),
			 k);
	assert_int_equal(c->sc->boost, PRIO_DEFAULT + 2);
	ipc_run_as(w.h);
	ipc_return_to_grantee(&w, c, k, 0);
	ipc_assert_granted(w.h, k, SYS_PC);
	reenter(k);
	assert_false(kcall_resume(&res, &progress));
	kcall_in(&w, ln2, 0);
	/* k's return grants the handler to a, the user call. */
	assert_ptr_equal(ipc_switch(ipc_return(1, 0)), k);
	ipc_assert_granted(w.h, a, thread_regs(a)->rip + 2);
	reenter(k);
	assert_true(kcall_resume(&res, &progress));
	kcall_release();
	assert_true(w.h->ipc.passive->busy); /* still a's */
	k->state = TS_INACTIVE;
	ipc_reissue(&w, ln, a, 0);
	ipc_return_to(&w, a, 0);
	assert_false(w.h->ipc.passive->busy);
	ipc_world_fini(&w);
}

/*
 * A kcall that takes the handler and then fails before committing
 * (a bad user buffer) gives the handler back: its waiter is granted.
 */
static void test_release_before_commit(void **state)
{
	struct ipc_world w;
	struct ipc_link *ln, *ln2;
	struct thread *c, *k;

	(void)state;
	c = ipc_world_connected(&w, &ln);
	k = second_client(&w, &ln2);
	c->state = TS_INACTIVE;
	ipc_run_as(k);
	enter_syscall(k);
	assert_int_equal(ipc_ret(kcall_prepare(ln2->conn)), 0);
	assert_true(w.h->ipc.passive->busy);
	assert_true(k->ipc.kcall.holds);
	/* c's call finds the handler taken and waits. */
	k->state = TS_INACTIVE;
	ipc_run_as(c);
	ipc_wait_in(&w, ln, 0, 0, 0);
	ipc_run_as(k);
	kcall_release();
	assert_false(k->ipc.kcall.holds);
	assert_false(ln2->conn->busy);
	ipc_assert_granted(w.h, c, thread_regs(c)->rip + 2);
	k->state = TS_INACTIVE;
	ipc_reissue(&w, ln, c, 0);
	ipc_return_to(&w, c, 0);
	ipc_world_fini(&w);
}

/*
 * The handler is freed between KCALL_WAIT and kcall_wait (the syscall
 * unwinding): no wait, the frame is rewound to issue it again.
 */
static void test_wait_finds_handler_free(void **state)
{
	struct ipc_world w;
	struct ipc_link *ln, *ln2;
	struct thread *c, *k;

	(void)state;
	c = ipc_world_connected(&w, &ln);
	k = second_client(&w, &ln2);
	ipc_call_in(&w, ln, 0, 0, 0);
	ipc_run_as(k);
	enter_syscall(k);
	assert_int_equal(ipc_ret(kcall_prepare(ln2->conn)), KCALL_WAIT);
	w.h->ipc.passive->busy = false; /* as if it returned meanwhile */
	assert_int_equal(ipc_ret((kcall_wait(), 0L)), 0);
	assert_int_equal(thread_regs(k)->rip, SYS_PC - 2);
	assert_int_equal(thread_regs(k)->rax, SYS_NR);
	assert_null(k->ipc.waits_on);
	assert_null(k->ipc.kcall.wait_for);
	w.h->ipc.passive->busy = true;
	k->state = TS_INACTIVE;
	ipc_run_as(w.h);
	ipc_return_to(&w, c, 0);
	assert_false(w.h->ipc.passive->busy);
	ipc_world_fini(&w);
}

/*
 * A kcall granted the handler whose restarted syscall ends without
 * calling (its arguments changed meanwhile): the grant passes on.
 */
static void test_unused_grant_passes_on(void **state)
{
	struct ipc_world w;
	struct ipc_link *ln, *ln2;
	struct thread *c, *k;

	(void)state;
	c = ipc_world_connected(&w, &ln);
	k = second_client(&w, &ln2);
	ipc_call_in(&w, ln, 0, 0, 0);
	kcall_waits(&w, ln2, k);
	ipc_run_as(w.h);
	ipc_return_to(&w, c, 0);
	ipc_assert_granted(w.h, k, SYS_PC);
	c->state = TS_INACTIVE;
	ipc_run_as(k);
	kcall_release();
	assert_null(k->ipc.waits_on);
	assert_null(w.h->ipc.passive->granted);
	assert_false(w.h->ipc.passive->busy);
	ipc_world_fini(&w);
}

#define FAULT_PC 0x401000ul /* the faulting instruction */
#define FAULT_VA 0x7000ul

/* The running thread took a page fault: its frame as entry.S made it. */
static void enter_fault(struct thread *t)
{
	struct arch_regs *r = thread_regs(t);

	r->vector = ARCH_VEC_PF;
	r->rip = FAULT_PC;
	r->rax = 0x1234;
	r->cs = SEL_UCODE;
}

static long commit_fault(void)
{
	kcall_commit_fault(FAULT_VA);
}

/*
 * A pager's call (mm/pager.c): the reservation ends with the call, and
 * the handler's return leaves the frame at the faulting instruction,
 * untouched; the outcome goes to that fault only, once, and a
 * syscall's restart does not take it.
 */
static void test_fault_call(void **state)
{
	struct ipc_world w;
	struct ipc_link *ln;
	struct thread *c;
	long res;
	u64 progress;
	bool died = true;

	(void)state;
	c = ipc_world_connected(&w, &ln);
	enter_fault(c);
	assert_int_equal(kcall_prepare(ln->conn), 0);
	assert_ptr_equal(ipc_switch(commit_fault()), w.h);
	assert_null(c->ipc.kcall.conn); /* the call's own reference remains */
	assert_true(ln->conn->busy);
	assert_ptr_equal(ipc_switch(ipc_return(-13, 0)), c);
	assert_int_equal(c->ipc.kcall.state, KCALL_DONE);
	assert_int_equal(thread_regs(c)->rip, FAULT_PC);
	assert_int_equal(thread_regs(c)->rax, 0x1234);
	assert_false(ln->conn->busy); /* nothing to read back: free */
	assert_false(kcall_resume(&res, &progress)); /* not a syscall's */
	assert_int_equal(c->ipc.kcall.state, KCALL_DONE);
	assert_false(kcall_fault_outcome(FAULT_VA + 0x1000, &res, &died));
	assert_int_equal(c->ipc.kcall.state, KCALL_NONE); /* stale: gone */
	/* Again, and this time the same fault comes back. */
	assert_int_equal(kcall_prepare(ln->conn), 0);
	assert_ptr_equal(ipc_switch(commit_fault()), w.h);
	assert_ptr_equal(ipc_switch(ipc_return(-13, 0)), c);
	assert_true(kcall_fault_outcome(FAULT_VA, &res, &died));
	assert_int_equal(res, -13);
	assert_false(died);
	assert_false(kcall_fault_outcome(FAULT_VA, &res, &died)); /* once */
	ipc_world_fini(&w);
}

/* The pager dies during the call: the fault learns it died. */
static void test_fault_call_pager_dies(void **state)
{
	struct ipc_world w;
	struct ipc_link *ln;
	struct thread *c;
	long res;
	bool died = false;

	(void)state;
	c = ipc_world_connected(&w, &ln);
	enter_fault(c);
	assert_int_equal(kcall_prepare(ln->conn), 0);
	assert_ptr_equal(ipc_switch(commit_fault()), w.h);
	current = w.idle;
	cap_group_exit(w.sg, 0);
	assert_ptr_equal(ipc_thread_exit(w.h), c);
	assert_int_equal(thread_regs(c)->rip, FAULT_PC);
	assert_true(kcall_fault_outcome(FAULT_VA, &res, &died));
	assert_true(died);
	assert_int_equal(res, -EIO);
	ipc_world_fini(&w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		kenv_test(test_round_trip),
		kenv_test(test_second_round),
		kenv_test(test_resume_other_syscall),
		kenv_test(test_handler_dies),
		kenv_test(test_server_dead_before),
		kenv_test(test_server_dying),
		kenv_test(test_caller_killed),
		kenv_test(test_call_into_self),
		kenv_test(test_fastpath_falls_back),
		kenv_test(test_shm_bounds),
		kenv_test(test_waits_for_busy_handler),
		kenv_test(test_later_round_waits),
		kenv_test(test_killed_while_waiting),
		kenv_test(test_killed_holding_grant),
		kenv_test(test_server_dies_while_waiting),
		kenv_test(test_priority_with_user_call),
		kenv_test(test_release_before_commit),
		kenv_test(test_wait_finds_handler_free),
		kenv_test(test_unused_grant_passes_on),
		kenv_test(test_fault_call),
		kenv_test(test_fault_call_pager_dies),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
