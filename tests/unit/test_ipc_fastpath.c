/*
 * kernel/ipc/fastpath.c: the fast call and return must leave exactly
 * the state the general path (call.c) leaves, and must fall back,
 * changing nothing, in every case they do not handle; the general path
 * then decides. A kernel built with IPC_FASTPATH=0 runs only the general
 * path, so "on" and "off" agree when these hold.
 *
 * The fast path takes the caller's syscall frame: the tests fill the
 * running thread's own frame, as entry.S would.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "ipc_env.h"

#if !IPC_FASTPATH
#error "the hosted build has the fast path: these tests need it"
#endif

/* Everything a call or a return changes. */
struct ipc_state {
	struct arch_regs hregs;
	u64 crax;
	enum thread_state cstate, hstate;
	struct thread *cur, *callee, *pcaller;
	struct connection *pconn;
	struct sched_context *hsc;
	bool cbusy, pbusy, exit_run;
	u64 call_msg, deadline;
	u32 conn_ref, sc_ref, client_slots, server_slots;
	size_t objects;
};

static void take(struct ipc_world *w, struct ipc_link *ln, struct thread *c,
		 struct ipc_state *s)
{
	struct ipc_passive *p = w->h->ipc.passive;

	memset(s, 0, sizeof(*s));
	/* A dead handler's stack (and frame) is gone. */
	if (w->h->kstack)
		s->hregs = *thread_regs(w->h);
	s->crax = thread_regs(c)->rax;
	s->cstate = c->state;
	s->hstate = w->h->state;
	s->cur = current;
	s->callee = c->ipc.callee;
	if (p) {
		s->pcaller = p->caller;
		s->pconn = p->conn;
		s->pbusy = p->busy;
		s->exit_run = p->exit_run;
	}
	s->hsc = w->h->sc;
	s->cbusy = ln->conn->busy;
	s->call_msg = ln->conn->call_msg;
	s->deadline = c->ipc.deadline;
	s->conn_ref = ln->conn->obj.refcount;
	s->sc_ref = c->sc->obj.refcount;
	s->client_slots = ipc_used_slots(ln->cl->g);
	s->server_slots = ipc_used_slots(w->sg);
	s->objects = obj_live_count(OBJ_TYPE_NONE);
}

static void same(const struct ipc_state *a, const struct ipc_state *b)
{
	assert_memory_equal(&a->hregs, &b->hregs, sizeof(a->hregs));
	assert_int_equal(a->crax, b->crax);
	assert_int_equal(a->cstate, b->cstate);
	assert_int_equal(a->hstate, b->hstate);
	assert_ptr_equal(a->cur, b->cur);
	assert_ptr_equal(a->callee, b->callee);
	assert_ptr_equal(a->pcaller, b->pcaller);
	assert_ptr_equal(a->pconn, b->pconn);
	assert_ptr_equal(a->hsc, b->hsc);
	assert_int_equal(a->cbusy, b->cbusy);
	assert_int_equal(a->pbusy, b->pbusy);
	assert_int_equal(a->exit_run, b->exit_run);
	assert_int_equal(a->call_msg, b->call_msg);
	assert_int_equal(a->deadline, b->deadline);
	assert_int_equal(a->conn_ref, b->conn_ref);
	assert_int_equal(a->sc_ref, b->sc_ref);
	assert_int_equal(a->client_slots, b->client_slots);
	assert_int_equal(a->server_slots, b->server_slots);
	assert_int_equal(a->objects, b->objects);
}

/* The running thread's syscall frame, as entry.S leaves it. */
static struct arch_regs *sys_frame(u64 a0, u64 a1, u64 a2, u64 a3)
{
	struct arch_regs *r = thread_regs(current);

	r->rdi = a0;
	r->rsi = a1;
	r->rdx = a2;
	r->r10 = a3;
	return r;
}

/* Junk in the handler's frame: whatever a path sets, it sets. */
static void scribble(struct thread *h)
{
	memset(thread_regs(h), 0x5a, sizeof(struct arch_regs));
}

static void fast_call(struct ipc_world *w, struct ipc_link *ln, u64 msg)
{
	struct arch_regs *r = sys_frame((u64)ln->cap, msg, 0, 0);

	assert_ptr_equal(
		ipc_switch((ipc_fastpath_call(r->rdi, r->rsi, r->rdx, r->r10),
			    0L)),
		w->h);
	assert_true(host_switched_to_user);
}

static void fast_return(struct ipc_world *w, struct thread *c, long ret)
{
	struct arch_regs *r = sys_frame((u64)ret, 0, 0, 0);

	(void)w;
	assert_ptr_equal(ipc_switch((ipc_fastpath_return(r->rdi, r->rsi), 0L)),
			 c);
	assert_true(host_switched_to_user);
	assert_int_equal((long)thread_regs(c)->rax, ret);
}

/* The fast call must return (fall back) and change nothing. */
static void call_falls_back(struct ipc_world *w, struct ipc_link *ln,
			    struct thread *c, u64 a0, u64 a1, u64 a2, u64 a3)
{
	struct ipc_state before, after;
	struct arch_regs *r;

	r = sys_frame(a0, a1, a2, a3);
	take(w, ln, c, &before);
	ipc_ret((ipc_fastpath_call(r->rdi, r->rsi, r->rdx, r->r10), 0L));
	take(w, ln, c, &after);
	same(&before, &after);
}

static void return_falls_back(struct ipc_world *w, struct ipc_link *ln,
			      struct thread *c, u64 ret, u64 ncaps)
{
	struct ipc_state before, after;
	struct arch_regs *r;

	r = sys_frame(ret, ncaps, 0, 0);
	take(w, ln, c, &before);
	ipc_ret((ipc_fastpath_return(r->rdi, r->rsi), 0L));
	take(w, ln, c, &after);
	same(&before, &after);
}

static void test_fast_call_and_return(void **state)
{
	struct ipc_world w;
	struct ipc_link *ln;
	struct thread *c;
	struct arch_regs *r;
	u64 msg;

	(void)state;
	ipc_world_init(&w);
	ln = ipc_new_connected(&w);
	c = ln->cl->t;
	msg = ipc_put_msg(ln, 0x80, 16, 8, 0, 0);
	fast_call(&w, ln, msg);
	r = thread_regs(w.h);
	assert_int_equal(r->rip, H_ENTRY);
	assert_int_equal(r->rsp, H_STACK);
	assert_int_equal(r->rdi, (u64)ln->sbuf + 0x80);
	assert_int_equal(r->rsi, ln->cl->g->badge);
	assert_int_equal(c->state, TS_IPC_WAIT);
	assert_ptr_equal(c->ipc.callee, w.h);
	assert_ptr_equal(w.h->sc, c->sc);
	assert_int_equal(c->sc->obj.refcount, 2);
	assert_true(ln->conn->busy);
	assert_int_equal(ln->conn->call_msg, msg);
	assert_int_equal(ln->conn->obj.refcount, 3);

	fast_return(&w, c, -1234);
	assert_int_equal(c->state, TS_RUNNING);
	assert_null(c->ipc.callee);
	assert_null(w.h->sc);
	assert_int_equal(w.h->state, TS_INACTIVE);
	assert_int_equal(c->sc->obj.refcount, 1);
	assert_false(ln->conn->busy);
	assert_false(w.h->ipc.passive->busy);
	assert_null(w.h->ipc.passive->caller);
	assert_int_equal(ln->conn->obj.refcount, 2);
	ipc_world_fini(&w);
}

static void test_fast_and_general_paths_agree(void **state)
{
	struct ipc_world w;
	struct ipc_link *ln;
	struct ipc_state slow_in, slow_out, fast_in, fast_out, s;
	struct thread *c;
	u64 msg;

	(void)state;
	ipc_world_init(&w);
	ln = ipc_new_connected(&w);
	c = ln->cl->t;
	msg = ipc_put_msg(ln, 0x100, 0, 0, 0, 0);

	scribble(w.h);
	thread_regs(c)->rax = 0;
	ipc_call_in(&w, ln, msg, 0, 0);
	take(&w, ln, c, &slow_in);
	ipc_return_to(&w, c, 77);
	take(&w, ln, c, &slow_out);

	scribble(w.h);
	thread_regs(c)->rax = 0;
	fast_call(&w, ln, msg);
	take(&w, ln, c, &fast_in);
	same(&slow_in, &fast_in);
	fast_return(&w, c, 77);
	take(&w, ln, c, &fast_out);
	/* The handler's frame differs only by its syscall's arguments. */
	slow_out.hregs.rdi = 77;
	slow_out.hregs.rsi = 0;
	slow_out.hregs.rdx = 0;
	slow_out.hregs.r10 = 0;
	same(&slow_out, &fast_out);

	/* Mixed: either return ends either call. */
	scribble(w.h);
	fast_call(&w, ln, 0);
	ipc_return_to(&w, c, 5);
	take(&w, ln, c, &s);
	assert_int_equal(s.crax, 5);
	assert_false(s.cbusy);
	assert_int_equal(s.conn_ref, slow_out.conn_ref);
	assert_int_equal(s.sc_ref, slow_out.sc_ref);
	ipc_call_in(&w, ln, 0, 0, 0);
	fast_return(&w, c, 6);
	take(&w, ln, c, &s);
	assert_false(s.cbusy);
	assert_false(s.pbusy);
	assert_null(s.hsc);
	assert_int_equal(s.objects, slow_out.objects);
	ipc_world_fini(&w);
}

static void test_fast_call_falls_back(void **state)
{
	struct ipc_world w;
	struct ipc_link *ln;
	struct thread *c;
	int ro;
	u64 msg;

	(void)state;
	ipc_world_init(&w);
	ln = ipc_new_connected(&w);
	c = ln->cl->t;
	ro = cap_alloc(ln->cl->g, ln->conn, CAP_RIGHT_READ);
	msg = ipc_put_msg(ln, 0, 0, 0, 16, 4);

	/* Caps to move or a deadline: the general path's work. */
	call_falls_back(&w, ln, c, (u64)ln->cap, msg, 1, 0);
	call_falls_back(&w, ln, c, (u64)ln->cap, 0, 0, 1000);
	/* Not a connection we may call. */
	call_falls_back(&w, ln, c, 999, 0, 0, 0);
	call_falls_back(&w, ln, c, (u64)-1, 0, 0, 0);
	call_falls_back(&w, ln, c, 1ul << 40, 0, 0, 0);
	call_falls_back(&w, ln, c, (u64)ln->shm_cap, 0, 0, 0);
	call_falls_back(&w, ln, c, (u64)ro, 0, 0, 0);
	assert_int_equal(ipc_ret(ipc_call(ro, 0, 0, 0)), -ECAPBILITY);
	/* A message outside the shm, or pointing outside it. */
	call_falls_back(&w, ln, c, (u64)ln->cap, (u64)ln->cbuf + SHM_SIZE, 0,
			0);
	ipc_put_msg(ln, 0x40, SHM_SIZE, 1, 0, 0);
	call_falls_back(&w, ln, c, (u64)ln->cap, (u64)ln->cbuf + 0x40, 0, 0);
	assert_int_equal(ipc_ret(ipc_call(ln->cap, (u64)ln->cbuf + 0x40, 0, 0)),
			 -EINVAL);
	/* A Linux-personality caller has no native calls, fast or not. */
	ln->cl->g->native = false;
	call_falls_back(&w, ln, c, (u64)ln->cap, msg, 0, 0);
	ln->cl->g->native = true;
	/* Nothing was changed by any of them: the fast path still works. */
	fast_call(&w, ln, msg);
	fast_return(&w, c, 0);
	ipc_world_fini(&w);
}

static void test_fast_call_falls_back_when_busy(void **state)
{
	struct ipc_world w;
	struct ipc_link *a, *b;
	struct ipc_client *a2;
	struct thread *ca;

	(void)state;
	ipc_world_init(&w);
	a = ipc_new_connected(&w);
	ca = a->cl->t;
	ca->state = TS_INACTIVE;
	b = ipc_new_connected(&w);
	b->cl->t->state = TS_INACTIVE;
	a2 = ipc_new_client(&w, a->cl->g);
	ipc_run_as(ca);
	fast_call(&w, a, 0);

	/* The same connection, from another thread of the client: waits. */
	ipc_run_as(a2->t);
	call_falls_back(&w, a, a2->t, (u64)a->cap, 0, 0, 0);
	ipc_wait_in(&w, a, 0, 0, 0);
	/* Another connection to the same, busy, handler. */
	ipc_run_as(b->cl->t);
	call_falls_back(&w, b, b->cl->t, (u64)b->cap, 0, 0, 0);
	ipc_wait_in(&w, b, 0, 0, 0);

	/* With waiters the return falls back, to grant the handler. */
	ipc_run_as(w.h);
	return_falls_back(&w, a, ca, 0, 0);
	ipc_return_to(&w, ca, 0);
	ipc_assert_granted(w.h, a2->t, thread_regs(a2->t)->rip + 2);
	ca->state = TS_INACTIVE;
	/* Kept for a2: anyone else's fast call falls back (and would wait). */
	ipc_run_as(ca);
	call_falls_back(&w, a, ca, (u64)a->cap, 0, 0, 0);
	ca->state = TS_INACTIVE;
	/* a2 issues its call again: the fast path takes the grant. */
	ipc_run_as(a2->t);
	thread_regs(a2->t)->rip += 2;
	fast_call(&w, a, 0);
	assert_null(w.h->ipc.passive->granted);
	assert_null(a2->t->ipc.waits_on);
	assert_ptr_equal(w.h->ipc.passive->caller, a2->t);
	ipc_return_to(&w, a2->t, 0);
	a2->t->state = TS_INACTIVE;
	ipc_assert_granted(w.h, b->cl->t, thread_regs(b->cl->t)->rip + 2);
	ipc_reissue(&w, b, b->cl->t, 0);
	/* No waiter left: the fast return again. */
	fast_return(&w, b->cl->t, 0);
	ipc_world_fini(&w);
}

/*
 * A thread granted one handler issues its call again on a connection
 * that another thread put in the slot meanwhile, whose handler is free:
 * the general path must take it, to pass the grant on (wait.c).
 */
static void test_fast_call_falls_back_when_granted_elsewhere(void **state)
{
	struct ipc_world w;
	struct ipc_link *a, *b;
	struct ipc_client *a2;
	struct thread *ca, *h2;
	int h2_cap;

	(void)state;
	ipc_world_init(&w);
	a = ipc_new_connected(&w);
	ca = a->cl->t;
	h2 = ipc_new_handler(&w, &h2_cap);
	b = ipc_new_link(&w, a->cl);
	ipc_connect_with(&w, b, h2, h2_cap);
	a2 = ipc_new_client(&w, a->cl->g);
	ipc_run_as(ca);
	fast_call(&w, a, 0);
	ipc_run_as(a2->t);
	ipc_wait_in(&w, a, 0, 0, 0);
	ipc_run_as(w.h);
	ipc_return_to(&w, ca, 0);
	ipc_assert_granted(w.h, a2->t, thread_regs(a2->t)->rip + 2);
	ca->state = TS_INACTIVE;

	ipc_run_as(a2->t);
	thread_regs(a2->t)->rip += 2;
	call_falls_back(&w, b, a2->t, (u64)b->cap, 0, 0, 0);
	assert_ptr_equal(ipc_switch(ipc_call(b->cap, 0, 0, 0)), h2);
	assert_null(w.h->ipc.passive->granted);
	assert_false(w.h->ipc.passive->busy);
	assert_ptr_equal(ipc_switch(ipc_return(0, 0)), a2->t);
	a2->t->state = TS_INACTIVE;
	ipc_run_as(ca);
	fast_call(&w, a, 0);
	fast_return(&w, ca, 0);
	ipc_world_fini(&w);
}

static void test_fast_call_falls_back_on_pending_or_dead(void **state)
{
	struct ipc_world w;
	struct ipc_link *ln;
	struct ipc_client *c2;
	struct thread *c;

	(void)state;
	ipc_world_init(&w);
	ln = ipc_new_link(&w, ipc_new_client(&w, NULL));
	c = ln->cl->t;
	c2 = ipc_new_client(&w, ln->cl->g);
	/* Still being registered. */
	ipc_register_begin(&w, ln);
	ipc_run_as(c2->t);
	call_falls_back(&w, ln, c2->t, (u64)ln->conn->client_cap, 0, 0, 0);
	c2->t->state = TS_INACTIVE;
	ipc_run_as(w.cb);
	ipc_register_end(&w, ln);

	/* The server is dead: only the general path records it. */
	c->state = TS_INACTIVE;
	current = w.idle;
	cap_group_exit(w.sg, 0);
	ipc_run_as(c);
	call_falls_back(&w, ln, c, (u64)ln->cap, 0, 0, 0);
	assert_int_equal(ln->conn->state, CONN_VALID);
	assert_int_equal(ipc_ret(ipc_call(ln->cap, 0, 0, 0)), -EDEADSRV);
	assert_int_equal(ln->conn->state, CONN_DEAD);
	call_falls_back(&w, ln, c, (u64)ln->cap, 0, 0, 0);
	ipc_world_fini(&w);
}

/*
 * The return must fall back when a reference it drops is the last one
 * (its other holders gone during the call): only the general path frees.
 */
static void last_ref_falls_back(struct ipc_world *w, struct ipc_link *ln,
				struct thread *c, void *obj)
{
	struct object *o = obj;
	u32 refs = o->refcount;

	o->refcount = 1;
	return_falls_back(w, ln, c, 0, 0);
	o->refcount = refs;
}

static void test_fast_return_falls_back(void **state)
{
	struct ipc_world w;
	struct ipc_link *ln, *b;
	struct thread *c;
	u64 msg;

	(void)state;
	ipc_world_init(&w);
	ln = ipc_new_connected(&w);
	c = ln->cl->t;
	msg = ipc_put_msg(ln, 0, 0, 0, 16, 1);

	/* Nobody but a handler serving a call. */
	return_falls_back(&w, ln, c, 0, 0);
	c->state = TS_INACTIVE;
	ipc_run_as(w.cb);
	return_falls_back(&w, ln, c, 0, 0);
	w.cb->state = TS_INACTIVE;
	ipc_run_as(w.h);
	return_falls_back(&w, ln, c, 0, 0);
	w.h->state = TS_INACTIVE;

	/* Caps to move back. */
	ipc_run_as(c);
	ipc_call_in(&w, ln, msg, 0, 0);
	return_falls_back(&w, ln, c, 0, 1);
	fast_return(&w, c, 1);

	/* A caller with a deadline. */
	ipc_call_in(&w, ln, 0, 0, 1000000);
	return_falls_back(&w, ln, c, 0, 0);
	ipc_return_to(&w, c, 2);
	assert_int_equal(c->ipc.deadline, 0);

	/* The connection's or the lent context's last reference. */
	fast_call(&w, ln, 0);
	last_ref_falls_back(&w, ln, c, ln->conn);
	last_ref_falls_back(&w, ln, c, w.h->sc);
	fast_return(&w, c, 4);

	/* An orphaned call: the caller timed out. */
	ipc_call_in(&w, ln, 0, 0, 1);
	ipc_tick(sched_ticks() + 1);
	assert_int_equal(c->state, TS_READY);
	return_falls_back(&w, ln, c, 0, 0);
	assert_ptr_equal(ipc_switch(ipc_return(0, 0)), c);
	ipc_world_fini(&w);

	/* A destructor owed, then the exit run itself. */
	ipc_world_init(&w);
	ln = ipc_new_connected(&w);
	c = ln->cl->t;
	c->state = TS_INACTIVE;
	b = ipc_new_connected(&w);
	ipc_run_as(c);
	fast_call(&w, ln, 0);
	ipc_run_as(b->cl->t);
	assert_int_equal(ipc_ret(ipc_close(b->cap)), 0);
	b->cl->t->state = TS_INACTIVE;
	ipc_run_as(w.h);
	return_falls_back(&w, ln, c, 0, 0);
	ipc_return_to(&w, c, 3);
	assert_int_equal(w.h->state, TS_READY);
	assert_true(w.h->ipc.passive->exit_run);
	c->state = TS_INACTIVE;
	ipc_run_as(w.h);
	return_falls_back(&w, ln, c, 0, 0);
	assert_ptr_equal(ipc_switch(ipc_exit_routine_return()), w.idle);
	ipc_world_fini(&w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		kenv_test(test_fast_call_and_return),
		kenv_test(test_fast_and_general_paths_agree),
		kenv_test(test_fast_call_falls_back),
		kenv_test(test_fast_call_falls_back_when_busy),
		kenv_test(test_fast_call_falls_back_when_granted_elsewhere),
		kenv_test(test_fast_call_falls_back_on_pending_or_dead),
		kenv_test(test_fast_return_falls_back),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
