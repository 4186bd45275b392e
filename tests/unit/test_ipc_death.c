/*
 * kernel/ipc/death.c and the deadlines in call.c: ipc_close and the
 * destructor runs it owes, a client or a server dying at every point of
 * a call, and calls that time out. death.c's rules are the spec: nobody
 * waits on a party that is gone, and every reference is dropped (the
 * fixture's teardown and kenv_run's counts check the latter).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "ipc_env.h"

/* The handler is about to run ln's destructor, from its user frame. */
static void assert_exit_run(struct ipc_world *w, struct ipc_link *ln, u64 badge)
{
	struct ipc_passive *p = w->h->ipc.passive;
	struct arch_regs *r = thread_regs(w->h);

	assert_true(p->busy);
	assert_true(p->exit_run);
	assert_ptr_equal(p->conn, ln->conn);
	assert_null(p->caller);
	assert_false(ln->conn->destructor_due);
	assert_ptr_equal(w->h->sc, p->exit_sc);
	assert_int_equal(r->rip, H_EXIT);
	assert_int_equal(r->rsp, H_STACK);
	assert_int_equal(r->cs & 3, 3);
	assert_int_equal(r->rdi, SRV_DESTRUCTOR);
	assert_int_equal(r->rsi, badge);
	assert_int_equal(r->rdx, (u64)ln->sbuf);
	assert_int_equal(r->rcx, (u64)ln->conn->server_cap);
	assert_int_equal(r->r8, (u64)ln->conn->server_shm_cap);
}

/*
 * The handler (queued for, or in, an exit run) runs it to the end; the
 * CPU goes to `next`.
 */
static void finish_exit_run_to(struct ipc_world *w, struct thread *next)
{
	struct ipc_passive *p = w->h->ipc.passive;

	ipc_run_as(w->h);
	assert_ptr_equal(ipc_switch(ipc_exit_routine_return()), next);
	assert_false(host_switched_to_user);
	assert_false(p->busy);
	assert_false(p->exit_run);
	assert_null(p->conn);
	assert_null(w->h->sc);
	assert_int_equal(w->h->state, TS_INACTIVE);
	assert_int_equal(p->exit_sc->obj.refcount, 1);
}

static void finish_exit_run(struct ipc_world *w)
{
	finish_exit_run_to(w, w->idle);
}

static void test_close_runs_destructor(void **state)
{
	struct ipc_world w;
	struct ipc_link *ln;
	struct connection *conn;
	struct thread *c;

	(void)state;
	c = ipc_world_connected(&w, &ln);
	conn = ln->conn;
	obj_get(conn);

	assert_int_equal(ipc_ret(ipc_close(ln->cap)), 0);
	assert_int_equal(conn->state, CONN_CLOSED);
	assert_null(conn->client);
	assert_null(ln->cl->g->slots[ln->cap].obj);
	assert_true(list_empty(&ln->cl->g->ipc_conns));
	/* The idle handler starts the destructor on its own context. */
	assert_exit_run(&w, ln, ln->cl->g->badge);
	assert_int_equal(w.h->state, TS_READY);
	assert_int_equal(w.h->arch.ksp, 0);
	assert_int_equal(w.h->ipc.passive->exit_sc->obj.refcount, 2);
	assert_true(list_empty(&w.h->ipc.passive->pending));
	/* Ours, the server's slot, the exit run. */
	assert_int_equal(conn->obj.refcount, 3);
	/* The caller still runs, and its cap is gone. */
	assert_ptr_equal(current, c);
	assert_int_equal(ipc_ret(ipc_call(ln->cap, 0, 0, 0)), -ECAPBILITY);
	c->state = TS_INACTIVE;

	/* An exit run answers nobody. */
	ipc_run_as(w.h);
	assert_int_equal(ipc_ret(ipc_return(0, 0)), -EINVAL);
	finish_exit_run(&w);
	assert_int_equal(conn->obj.refcount, 2);
	/* Only once. */
	ipc_run_as(w.h);
	assert_int_equal(ipc_ret(ipc_exit_routine_return()), -EINVAL);
	w.h->state = TS_INACTIVE;
	obj_put(conn);
	ipc_world_fini(&w);
}

static void test_close_refusals(void **state)
{
	struct ipc_world w;
	struct ipc_link *ln;
	struct ipc_client *c2;
	struct thread *c;

	(void)state;
	c = ipc_world_connected(&w, &ln);
	c2 = ipc_new_client(&w, ln->cl->g);
	assert_int_equal(ipc_ret(ipc_close(999)), -ECAPBILITY);
	assert_int_equal(ipc_ret(ipc_close(ln->shm_cap)), -ECAPBILITY);
	c->state = TS_INACTIVE;
	/* The server cannot close the client's connection. */
	ipc_run_as(w.srv);
	assert_int_equal(ipc_ret(ipc_close(ln->conn->server_cap)), -ECAPBILITY);
	w.srv->state = TS_INACTIVE;

	/*
	 * Not while another thread of ours has a call in flight on it: the
	 * close waits for the handler, then is issued again.
	 */
	ipc_run_as(c);
	ipc_call_in(&w, ln, 0, 0, 0);
	ipc_run_as(c2->t);
	assert_ptr_equal(ipc_switch(sys_ipc_close((u64)ln->cap)), w.idle);
	assert_int_equal(c2->t->state, TS_BLOCKED);
	assert_ptr_equal(c2->t->ipc.waits_on, w.h);
	assert_ptr_equal(ln->cl->g->slots[ln->cap].obj, ln->conn);
	assert_int_equal(ln->conn->state, CONN_VALID);
	assert_ptr_equal(ln->conn->client, ln->cl->g);
	assert_true(list_empty(&w.h->ipc.passive->pending));
	ipc_run_as(w.h);
	ipc_return_to(&w, c, 0);
	assert_ptr_equal(w.h->ipc.passive->granted, c2->t);
	c->state = TS_INACTIVE;
	ipc_run_as(c2->t);
	assert_int_equal(ipc_ret(sys_ipc_close((u64)ln->cap)), 0);
	assert_null(w.h->ipc.passive->granted);
	assert_null(c2->t->ipc.waits_on);
	finish_exit_run(&w);
	ipc_world_fini(&w);
}

static void test_close_without_exit_routine(void **state)
{
	struct ipc_world w;
	struct ipc_link *ln;
	struct connection *conn;

	(void)state;
	ipc_world_init(&w);
	ln = ipc_new_link(&w, ipc_new_client(&w, NULL));
	ipc_register_begin(&w, ln);
	/* The server wants no destructor runs. */
	assert_ptr_equal(
		ipc_switch(ipc_register_cb_return(w.h_cap, 0, (u64)ln->sbuf)),
		ln->cl->t);
	ln->cap = (int)thread_regs(ln->cl->t)->rax;
	conn = ln->conn;
	obj_get(conn);
	assert_int_equal(ipc_ret(ipc_close(ln->cap)), 0);
	assert_int_equal(conn->state, CONN_CLOSED);
	assert_false(w.h->ipc.passive->busy);
	assert_int_equal(w.h->state, TS_INACTIVE);
	assert_null(w.h->sc);
	assert_false(conn->destructor_due);
	assert_true(list_empty(&w.h->ipc.passive->pending));
	assert_int_equal(conn->obj.refcount, 2); /* ours, the server's slot */
	obj_put(conn);
	ipc_world_fini(&w);
}

/* Registers ln with w->h and no exit routine; current is the client. */
static void connect_without_exit_routine(struct ipc_world *w,
					 struct ipc_link *ln)
{
	ipc_register_begin(w, ln);
	assert_ptr_equal(
		ipc_switch(ipc_register_cb_return(w->h_cap, 0, (u64)ln->sbuf)),
		ln->cl->t);
	ln->cap = (int)thread_regs(ln->cl->t)->rax;
}

/*
 * Regression: connections closed while the handler was busy, with no
 * exit routine, were dropped one per kick, the rest left on the pending
 * list (holding their references) until the handler died.
 */
static void test_closes_while_busy_without_exit_routine(void **state)
{
	struct ipc_world w;
	struct ipc_link *a, *b, *c;
	struct connection *cb, *cc;

	(void)state;
	ipc_world_init(&w);
	a = ipc_new_link(&w, ipc_new_client(&w, NULL));
	b = ipc_new_link(&w, ipc_new_client(&w, NULL));
	c = ipc_new_link(&w, ipc_new_client(&w, NULL));
	connect_without_exit_routine(&w, b);
	connect_without_exit_routine(&w, c);
	connect_without_exit_routine(&w, a);
	cb = b->conn;
	cc = c->conn;
	ipc_call_in(&w, a, 0, 0, 0); /* the handler is busy with a */
	ipc_run_as(b->cl->t);
	assert_int_equal(ipc_ret(ipc_close(b->cap)), 0);
	ipc_run_as(c->cl->t);
	assert_int_equal(ipc_ret(ipc_close(c->cap)), 0);
	assert_true(cb->destructor_due && cc->destructor_due);
	ipc_run_as(w.h);
	ipc_return_to(&w, a->cl->t, 0);
	assert_true(list_empty(&w.h->ipc.passive->pending));
	assert_false(cb->destructor_due || cc->destructor_due);
	assert_null(w.h->sc);
	ipc_world_fini(&w);
}

static void test_destructors_run_one_at_a_time(void **state)
{
	struct ipc_world w;
	struct ipc_link *a, *b;
	struct ipc_passive *p;

	(void)state;
	ipc_world_init(&w);
	a = ipc_new_connected(&w);
	a->cl->t->state = TS_INACTIVE;
	b = ipc_new_connected(&w);
	p = w.h->ipc.passive;
	obj_get(a->conn);
	obj_get(b->conn);

	assert_int_equal(ipc_ret(ipc_close(b->cap)), 0);
	b->cl->t->state = TS_INACTIVE;
	ipc_run_as(a->cl->t);
	assert_int_equal(ipc_ret(ipc_close(a->cap)), 0);
	a->cl->t->state = TS_INACTIVE;
	/* b's runs; a's waits its turn on the handler. */
	assert_exit_run(&w, b, b->cl->g->badge);
	assert_true(a->conn->destructor_due);
	assert_ptr_equal(p->pending.next, &a->conn->pending_node);
	assert_int_equal(a->conn->obj.refcount, 3);

	/* The end of one starts the next at once, on the same thread. */
	ipc_run_as(w.h);
	assert_int_equal(ipc_ret(ipc_exit_routine_return()), 0);
	assert_ptr_equal(current, w.h);
	assert_int_equal(w.h->state, TS_RUNNING);
	assert_exit_run(&w, a, a->cl->g->badge);
	assert_true(list_empty(&p->pending));
	assert_int_equal(b->conn->obj.refcount, 2);
	assert_int_equal(p->exit_sc->obj.refcount, 2);
	finish_exit_run(&w);
	assert_int_equal(a->conn->obj.refcount, 2);
	obj_put(a->conn);
	obj_put(b->conn);
	ipc_world_fini(&w);
}

static void test_call_during_exit_run_waits(void **state)
{
	struct ipc_world w;
	struct ipc_link *a, *b;

	(void)state;
	ipc_world_init(&w);
	a = ipc_new_connected(&w);
	assert_int_equal(ipc_ret(ipc_close(a->cap)), 0);
	a->cl->t->state = TS_INACTIVE;
	b = ipc_new_link(&w, ipc_new_client(&w, NULL));
	/* The handler is queued for a's destructor, not yet running it. */
	assert_int_equal(w.h->state, TS_READY);
	ipc_connect(&w, b);
	ipc_wait_in(&w, b, 0, 0, 0);
	assert_false(b->conn->busy);
	assert_true(w.h->ipc.passive->exit_run);
	/* The exit run inherits the waiter's priority on its own context. */
	assert_int_equal(w.h->ipc.passive->exit_sc->boost, PRIO_DEFAULT);
	/* Its end grants the handler to the waiter, which runs next. */
	ipc_run_as(w.h);
	assert_ptr_equal(ipc_switch(ipc_exit_routine_return()), b->cl->t);
	assert_false(w.h->ipc.passive->exit_run);
	assert_null(w.h->sc);
	assert_int_equal(w.h->ipc.passive->exit_sc->boost, 0);
	b->cl->t->state = TS_READY; /* as it was, for the check */
	ipc_assert_granted(w.h, b->cl->t, thread_regs(b->cl->t)->rip + 2);
	ipc_reissue(&w, b, b->cl->t, 0);
	ipc_return_to(&w, b->cl->t, 0);
	ipc_world_fini(&w);
}

static void test_client_dies_with_idle_connection(void **state)
{
	struct ipc_world w;
	struct ipc_link *ln;
	struct connection *conn;
	u64 badge;

	(void)state;
	ipc_world_init(&w);
	ln = ipc_new_connected(&w);
	conn = ln->conn;
	obj_get(conn);
	badge = ln->cl->g->badge;
	ln->cl->t->state = TS_INACTIVE;
	current = w.idle;
	cap_group_exit(ln->cl->g, 0);
	assert_true(ln->cl->g->dead);
	assert_int_equal(conn->state, CONN_CLOSED);
	assert_null(conn->client);
	assert_exit_run(&w, ln, badge);
	assert_int_equal(w.h->state, TS_READY);
	assert_int_equal(w.h->arch.ksp, 0);
	finish_exit_run(&w);
	assert_int_equal(conn->obj.refcount, 2);
	obj_put(conn);
	ipc_world_fini(&w);
}

/*
 * The client process dies while its call is served: the handler goes on
 * orphaned, and the connection's destructor is due once it is idle.
 */
static void kill_client_mid_call(struct ipc_world *w, struct ipc_link *ln)
{
	struct ipc_passive *p = w->h->ipc.passive;
	struct thread *c = ln->cl->t;

	ipc_run_as(c);
	ipc_call_in(w, ln, 0, 0, 0);
	current = w->idle;
	cap_group_exit(ln->cl->g, 0);
	assert_int_equal(c->state, TS_DEAD);
	assert_true(ln->cl->g->dead);
	assert_null(p->caller);
	assert_int_equal(ln->conn->state, CONN_CLOSED);
	assert_true(ln->conn->destructor_due);
	assert_ptr_equal(p->pending.next, &ln->conn->pending_node);
	/* The handler still runs on the context it was lent. */
	assert_int_equal(w->h->state, TS_RUNNING);
	assert_int_equal(w->h->sc->obj.refcount, 1);
	ipc_run_as(w->h);
}

/*
 * The client dies mid-call, so the handler's answer goes to nobody while
 * the connection's destructor is owed: the handler must go straight into
 * its exit run, from its user frame (this once ended in
 * panic("orphaned passive thread resumed")).
 */
static void test_orphaned_return_starts_owed_destructor(void **state)
{
	struct ipc_world w;
	struct ipc_link *ln;
	struct thread *t;
	u64 badge;

	(void)state;
	ipc_world_init(&w);
	ln = ipc_new_connected(&w);
	badge = ln->cl->g->badge;
	obj_get(ln->conn);
	kill_client_mid_call(&w, ln);

	t = ipc_switch(ipc_return(9, 0));
	assert_ptr_equal(t, w.h);
	assert_true(host_switched_to_user);
	assert_exit_run(&w, ln, badge);
	assert_int_equal(w.h->state, TS_RUNNING);
	assert_false(ln->conn->busy);
	finish_exit_run(&w);
	assert_int_equal(ln->conn->obj.refcount, 2);
	obj_put(ln->conn);
	ipc_world_fini(&w);
}

/*
 * The same with another thread ready: whichever runs first, the handler
 * must not be left parked inside ipc_finish_passive (HOST_KCTX_PARKED),
 * where resuming it would panic instead of entering its exit routine.
 */
static void test_orphaned_return_with_others_ready(void **state)
{
	struct ipc_world w;
	struct ipc_link *ln, *other;
	struct thread *t, *o;
	u64 badge;

	(void)state;
	ipc_world_init(&w);
	other = ipc_new_connected(&w);
	o = other->cl->t;
	o->state = TS_INACTIVE;
	sched_enqueue(o);
	ln = ipc_new_link(&w, ipc_new_client(&w, NULL));
	ipc_connect(&w, ln);
	badge = ln->cl->g->badge;
	kill_client_mid_call(&w, ln);

	t = ipc_switch(ipc_return(9, 0));
	assert_exit_run(&w, ln, badge);
	if (t == w.h) {
		assert_true(host_switched_to_user);
		assert_int_equal(o->state, TS_READY);
		finish_exit_run_to(&w, o);
	} else {
		assert_ptr_equal(t, o);
		assert_int_equal(w.h->state, TS_READY);
		assert_int_equal(w.h->arch.ksp, 0);
		o->state = TS_INACTIVE;
		finish_exit_run(&w);
	}
	ipc_world_fini(&w);
}

static void test_server_dies_while_idle(void **state)
{
	struct ipc_world w;
	struct ipc_link *ln, *ln2;
	struct thread *c;

	(void)state;
	c = ipc_world_connected(&w, &ln);
	c->state = TS_INACTIVE;
	current = w.idle;
	cap_group_exit(w.sg, 0);
	assert_true(w.sg->dead);
	assert_int_equal(w.h->state, TS_DEAD);

	/* Dead for good, not just busy. */
	ipc_run_as(c);
	assert_int_equal(ipc_ret(ipc_call(ln->cap, 0, 0, 0)), -EDEADSRV);
	assert_int_equal(ln->conn->state, CONN_DEAD);
	assert_int_equal(ipc_ret(ipc_call(ln->cap, 0, 0, 0)), -EDEADSRV);
	assert_false(ln->conn->busy);
	assert_int_equal(c->state, TS_RUNNING);
	ln2 = ipc_new_link(&w, ln->cl);
	assert_int_equal(
		ipc_ret(ipc_register_client(ln->cl->srv_cap, (u64)ln2->shm_cap,
					    (u64)ln2->cbuf)),
		-EDEADSRV);
	/* Closing it owes no destructor and frees it. */
	assert_int_equal(ipc_live_conns(&w), 1);
	assert_int_equal(ipc_ret(ipc_close(ln->cap)), 0);
	assert_int_equal(ipc_live_conns(&w), 0);
	ipc_world_fini(&w);
}

static void test_handler_dies_mid_call(void **state)
{
	struct ipc_world w;
	struct ipc_link *ln;
	struct connection *conn;
	struct thread *c, *t;

	(void)state;
	c = ipc_world_connected(&w, &ln);
	conn = ln->conn;
	ipc_call_in(&w, ln, ipc_put_msg(ln, 0, 0, 0, 0, 0), 0, 1000000);

	/* The server is killed: the handler dies in its own context. */
	current = w.idle;
	cap_group_exit(w.sg, 0);
	assert_true(w.h->killed);
	assert_int_equal(c->state, TS_IPC_WAIT);
	t = ipc_thread_exit(w.h);

	assert_ptr_equal(t, c);
	assert_int_equal((long)thread_regs(c)->rax, -ESRCH);
	assert_int_equal(c->arch.ksp, 0);
	assert_null(c->ipc.callee);
	assert_int_equal(c->ipc.deadline, 0);
	assert_true(list_empty(&c->ipc.timed_node));
	assert_int_equal(c->sc->obj.refcount, 1);
	assert_int_equal(conn->state, CONN_DEAD);
	assert_false(conn->busy);
	assert_int_equal(conn->call_msg, 0);
	assert_true(w.sg->dead);
	assert_int_equal(conn->obj.refcount, 1); /* the client's slot */

	assert_int_equal(ipc_ret(ipc_call(ln->cap, 0, 0, 0)), -EDEADSRV);
	assert_int_equal(ipc_ret(ipc_close(ln->cap)), 0);
	assert_int_equal(ipc_live_conns(&w), 0);
	ipc_world_fini(&w);
}

static void test_deadline_times_out(void **state)
{
	struct ipc_world w;
	struct ipc_link *ln;
	struct ipc_client *c2;
	struct thread *c, *t;
	u64 now;

	(void)state;
	c = ipc_world_connected(&w, &ln);
	c2 = ipc_new_client(&w, ln->cl->g);
	now = sched_ticks();
	ipc_call_in(&w, ln, 0, 0, 1);
	assert_int_equal(c->ipc.deadline, now + 1);
	assert_false(list_empty(&c->ipc.timed_node));

	ipc_tick(now);
	assert_int_equal(c->state, TS_IPC_WAIT);
	ipc_tick(now + 1);
	assert_int_equal(c->state, TS_READY);
	assert_int_equal((long)thread_regs(c)->rax, -ETIMEDOUT);
	assert_int_equal(c->arch.ksp, 0);
	assert_null(c->ipc.callee);
	assert_int_equal(c->ipc.deadline, 0);
	assert_true(list_empty(&c->ipc.timed_node));
	/* The handler goes on, orphaned, on the context it was lent. */
	assert_null(w.h->ipc.passive->caller);
	assert_true(w.h->ipc.passive->busy);
	assert_true(ln->conn->busy);
	assert_ptr_equal(w.h->sc, c->sc);
	assert_int_equal(c->sc->obj.refcount, 2);
	ipc_tick(now + 100); /* once only */
	assert_int_equal(c->state, TS_READY);

	/* The connection stays busy until it returns: c2 waits. */
	ipc_run_as(c2->t);
	assert_ptr_equal(ipc_wait_in(&w, ln, 0, 0, 0), c); /* c was ready */
	c->state = TS_INACTIVE;
	sched_enqueue(c);
	ipc_run_as(w.h);
	/* Its answer goes to nobody; the CPU goes to whoever is next. */
	t = ipc_switch(ipc_return(7, 0));
	assert_ptr_equal(t, c);
	assert_false(host_switched_to_user);
	assert_int_equal((long)thread_regs(c)->rax, -ETIMEDOUT);
	/* The handler is kept for c2, which comes next. */
	ipc_assert_granted(w.h, c2->t, thread_regs(c2->t)->rip + 2);
	c->state = TS_INACTIVE;
	ipc_reissue(&w, ln, c2->t, 0);
	ipc_return_to(&w, c2->t, 3);
	c2->t->state = TS_INACTIVE;
	ipc_run_as(c);
	assert_false(ln->conn->busy);
	assert_false(w.h->ipc.passive->busy);
	assert_int_equal(w.h->state, TS_INACTIVE);
	assert_null(w.h->sc);
	assert_int_equal(c->sc->obj.refcount, 1);

	ipc_call_in(&w, ln, 0, 0, 0);
	ipc_return_to(&w, c, 1);
	ipc_world_fini(&w);
}

static void test_deadline_rounds_up_and_return_clears_it(void **state)
{
	struct ipc_world w;
	struct ipc_link *ln;
	struct thread *c;
	u64 now;

	(void)state;
	c = ipc_world_connected(&w, &ln);
	now = sched_ticks();
	/* 2.5 ticks of 10 ms: never less than asked. */
	ipc_call_in(&w, ln, 0, 0, 25000);
	assert_int_equal(c->ipc.deadline, now + 3);
	ipc_tick(now + 2);
	assert_int_equal(c->state, TS_IPC_WAIT);
	ipc_return_to(&w, c, 4);
	assert_int_equal(c->ipc.deadline, 0);
	assert_true(list_empty(&c->ipc.timed_node));
	ipc_tick(now + 1000);
	assert_int_equal(c->state, TS_RUNNING);
	assert_int_equal(thread_regs(c)->rax, 4);

	ipc_call_in(&w, ln, 0, 0, 1);
	ipc_tick(now + 1);
	assert_int_equal(c->state, TS_READY);
	ipc_run_as(w.h);
	assert_ptr_equal(ipc_switch(ipc_return(0, 0)), c);
	ipc_world_fini(&w);
}

/*
 * A handler returning to a live caller while a destructor is owed starts
 * the exit run on itself and migrates away: it waits on the run queue,
 * and must resume at its exit routine, not in whatever kernel context it
 * parked last (here: an earlier orphaned return's, inside
 * ipc_finish_passive, which would panic).
 */
static void test_exit_run_after_return_starts_from_user_frame(void **state)
{
	struct ipc_world w;
	struct ipc_link *a, *b;
	struct thread *ca, *t;
	u64 now;

	(void)state;
	ipc_world_init(&w);
	a = ipc_new_connected(&w);
	ca = a->cl->t;
	ca->state = TS_INACTIVE;
	b = ipc_new_connected(&w);
	b->cl->t->state = TS_INACTIVE;

	/* a's call times out; the handler's answer finds nobody: it parks. */
	ipc_run_as(ca);
	now = sched_ticks();
	ipc_call_in(&w, a, 0, 0, 1);
	ipc_tick(now + 1);
	t = ipc_switch(ipc_return(0, 0));
	assert_ptr_equal(t, ca);
	assert_int_equal(w.h->arch.ksp, HOST_KCTX_PARKED);

	/* a calls again; b closes meanwhile: a destructor is owed. */
	ipc_call_in(&w, a, 0, 0, 0);
	ipc_run_as(b->cl->t);
	assert_int_equal(ipc_ret(ipc_close(b->cap)), 0);
	assert_true(b->conn->destructor_due);
	b->cl->t->state = TS_INACTIVE;
	ipc_run_as(w.h);
	ipc_return_to(&w, ca, 5);

	assert_int_equal(w.h->state, TS_READY);
	assert_exit_run(&w, b, b->cl->g->badge);
	assert_int_equal(w.h->arch.ksp, 0);
	ca->state = TS_INACTIVE;
	finish_exit_run(&w);
	ipc_world_fini(&w);
}

static void test_server_dies_with_destructors_owed(void **state)
{
	struct ipc_world w;
	struct ipc_link *a, *b;
	struct thread *t;

	(void)state;
	ipc_world_init(&w);
	a = ipc_new_connected(&w);
	a->cl->t->state = TS_INACTIVE;
	b = ipc_new_connected(&w);
	b->cl->t->state = TS_INACTIVE;
	obj_get(a->conn);
	obj_get(b->conn);
	ipc_run_as(a->cl->t);
	ipc_call_in(&w, a, 0, 0, 0);
	ipc_run_as(b->cl->t);
	assert_int_equal(ipc_ret(ipc_close(b->cap)), 0);
	assert_true(b->conn->destructor_due);
	b->cl->t->state = TS_INACTIVE;

	current = w.idle;
	cap_group_exit(w.sg, 0);
	t = ipc_thread_exit(w.h);
	assert_ptr_equal(t, a->cl->t);
	assert_int_equal((long)thread_regs(t)->rax, -ESRCH);
	/* The owed destructor is dropped with its reference. */
	assert_false(b->conn->destructor_due);
	assert_true(list_empty(&b->conn->pending_node));
	assert_int_equal(b->conn->obj.refcount, 1);
	assert_int_equal(a->conn->state, CONN_DEAD);
	assert_int_equal(a->conn->obj.refcount, 2);
	assert_int_equal(ipc_ret(ipc_close(a->cap)), 0);
	obj_put(a->conn);
	obj_put(b->conn);
	assert_int_equal(ipc_live_conns(&w), 0);
	ipc_world_fini(&w);
}

static void test_handler_killed_before_its_exit_run(void **state)
{
	struct ipc_world w;
	struct ipc_link *ln;
	struct sched_context *exit_sc;
	struct thread *t;

	(void)state;
	ipc_world_init(&w);
	ln = ipc_new_connected(&w);
	obj_get(ln->conn);
	assert_int_equal(ipc_ret(ipc_close(ln->cap)), 0);
	ln->cl->t->state = TS_INACTIVE;
	exit_sc = w.h->ipc.passive->exit_sc;
	assert_int_equal(w.h->state, TS_READY);

	/* Killed while queued: it dies when it next gets the CPU. */
	current = w.idle;
	cap_group_exit(w.sg, 0);
	assert_true(w.h->killed);
	assert_int_equal(w.h->state, TS_READY);
	t = ipc_thread_exit(w.h);
	assert_ptr_equal(t, w.idle);
	assert_true(w.sg->dead);
	assert_false(ln->conn->busy);
	assert_int_equal(ln->conn->obj.refcount, 1);
	/* Only the handler's passive state holds its exit context now. */
	assert_int_equal(exit_sc->obj.refcount, 1);
	obj_put(ln->conn);
	ipc_world_fini(&w);
}

static size_t list_length(struct list_head *head)
{
	size_t n = 0;

	for (struct list_head *l = head->next; l != head; l = l->next)
		n++;
	return n;
}

/*
 * Regression: a client's ipc_conns list held no reference to its connections,
 * and connection_destroy does not unlink them. A connection whose last
 * cap goes with sys_cap_delete (cap_remove) rather than ipc_close is
 * freed while still linked on its client's list: here the server died
 * first (its slots went with it), then the client deleted its cap. The
 * client's next registration (list_append) or its exit
 * (ipc_client_teardown -> close_client_side -> list_del) then writes
 * into freed kmalloc memory.
 */
static void test_deleted_cap_after_server_death_leaves_no_link(void **state)
{
	struct ipc_world w;
	struct ipc_link *ln;

	(void)state;
	ipc_world_init(&w);
	ln = ipc_new_connected(&w);
	ln->cl->t->state = TS_INACTIVE;
	current = w.idle;
	cap_group_exit(w.sg, 0);
	ipc_run_as(ln->cl->t);
	assert_int_equal(ipc_live_conns(&w), 1);
	assert_int_equal(cap_remove(ln->cl->g, ln->cap), 0);
	/* Whatever is on the client's list is still alive. */
	assert_true(ipc_live_conns(&w) >= list_length(&ln->cl->g->ipc_conns));
	ipc_world_fini(&w);
}

/*
 * Regression: the same, the other way round: the client deletes its cap while
 * the server lives (the connection stays VALID and listed), then the
 * server's exit drops the last reference.
 */
static void test_deleted_cap_before_server_death_leaves_no_link(void **state)
{
	struct ipc_world w;
	struct ipc_link *ln;

	(void)state;
	ipc_world_init(&w);
	ln = ipc_new_connected(&w);
	assert_int_equal(cap_remove(ln->cl->g, ln->cap), 0);
	ln->cl->t->state = TS_INACTIVE;
	current = w.idle;
	cap_group_exit(w.sg, 0);
	assert_true(ipc_live_conns(&w) >= list_length(&ln->cl->g->ipc_conns));
	ipc_world_fini(&w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		kenv_test(test_close_runs_destructor),
		kenv_test(test_close_refusals),
		kenv_test(test_close_without_exit_routine),
		kenv_test(test_closes_while_busy_without_exit_routine),
		kenv_test(test_destructors_run_one_at_a_time),
		kenv_test(test_call_during_exit_run_waits),
		kenv_test(test_client_dies_with_idle_connection),
		kenv_test(test_orphaned_return_starts_owed_destructor),
		kenv_test(test_orphaned_return_with_others_ready),
		kenv_test(test_server_dies_while_idle),
		kenv_test(test_handler_dies_mid_call),
		kenv_test(test_deadline_times_out),
		kenv_test(test_deadline_rounds_up_and_return_clears_it),
		kenv_test(test_exit_run_after_return_starts_from_user_frame),
		kenv_test(test_server_dies_with_destructors_owed),
		kenv_test(test_handler_killed_before_its_exit_run),
		kenv_test_forked(
			test_deleted_cap_after_server_death_leaves_no_link),
		kenv_test_forked(
			test_deleted_cap_before_server_death_leaves_no_link),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
