/*
 * kernel/ipc/wait.c: callers that find the handler busy wait on its
 * queue, best priority first and FIFO within one; the context the busy
 * handler runs on inherits the best waiter's priority, along chains of
 * calls and of waits; a deadline, a kill or the server's death ends a
 * wait with nothing left behind.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "ipc_env.h"
#include <mm/kmalloc.h>

/* A client thread of ln's process at priority prio, off the CPU. */
static struct thread *waiter_at(struct ipc_world *w, struct ipc_link *ln,
				u32 prio)
{
	struct ipc_client *cl = ipc_new_client(w, ln->cl->g);

	cl->t->sc->prio = prio;
	return cl->t;
}

/* t calls over ln and waits; the CPU goes back to whoever ran. */
static void wait_as(struct ipc_world *w, struct ipc_link *ln, struct thread *t,
		    u64 timeout_us)
{
	struct thread *was = current;

	ipc_run_as(t);
	ipc_wait_in(w, ln, 0, 0, timeout_us);
	ipc_run_as(was);
}

/*
 * A server and a client process connected to it twice: *ln served by
 * w->h, *ln2 (the same client thread's) by a second handler *h2.
 * Returns the client thread.
 */
static struct thread *two_conns(struct ipc_world *w, struct ipc_link **ln,
				struct ipc_link **ln2, struct thread **h2)
{
	int h2_cap;

	ipc_world_connected(w, ln);
	*h2 = ipc_new_handler(w, &h2_cap);
	*ln2 = ipc_new_link(w, (*ln)->cl);
	ipc_connect_with(w, *ln2, *h2, h2_cap);
	return (*ln)->cl->t;
}

/*
 * ln's client thread calls over ln; a waits behind it (until
 * timeout_us), then b if not NULL; the handler returns to the client
 * and is granted to a. The client is left running.
 */
static void grant_to(struct ipc_world *w, struct ipc_link *ln, struct thread *a,
		     u64 timeout_us, struct thread *b)
{
	struct thread *c = ln->cl->t;

	ipc_run_as(c);
	ipc_call_in(w, ln, 0, 0, 0);
	wait_as(w, ln, a, timeout_us);
	if (b)
		wait_as(w, ln, b, 0);
	ipc_return_to(w, c, 0);
	ipc_assert_granted(w->h, a, thread_regs(a)->rip + 2);
}

static struct thread *nth_waiter(struct thread *h, int n)
{
	struct thread *t;

	list_for_each(t, &h->ipc.passive->waiters.threads,
		      sched_node) if (n-- == 0) return t;
	return NULL;
}

static void test_waiters_by_priority(void **state)
{
	struct ipc_world w;
	struct ipc_link *ln;
	struct thread *c, *a, *b, *d, *e;

	(void)state;
	c = ipc_world_connected(&w, &ln);
	c->sc->prio = 5;
	a = waiter_at(&w, ln, PRIO_DEFAULT);
	b = waiter_at(&w, ln, PRIO_DEFAULT + 2);
	d = waiter_at(&w, ln, PRIO_DEFAULT);
	e = waiter_at(&w, ln, 2);
	ipc_run_as(c);
	ipc_call_in(&w, ln, 0, 0, 0);
	wait_as(&w, ln, a, 0);
	wait_as(&w, ln, b, 0);
	wait_as(&w, ln, d, 0);
	wait_as(&w, ln, e, 0);
	assert_ptr_equal(nth_waiter(w.h, 0), b);
	assert_ptr_equal(nth_waiter(w.h, 1), a);
	assert_ptr_equal(nth_waiter(w.h, 2), d);
	assert_ptr_equal(nth_waiter(w.h, 3), e);
	assert_null(nth_waiter(w.h, 4));
	/* The handler runs on c's context, lifted to the best waiter's. */
	assert_int_equal(c->sc->boost, PRIO_DEFAULT + 2);
	assert_int_equal(sc_prio(w.h->sc), PRIO_DEFAULT + 2);

	/*
	 * Served in that order; each grant lifts the grantee likewise. b
	 * outranks c: it runs first, c waits on the run queue.
	 */
	ipc_return_to_grantee(&w, c, b, 0);
	assert_int_equal(c->sc->boost, 0);
	ipc_assert_granted(w.h, b, thread_regs(b)->rip + 2);
	assert_int_equal(b->sc->boost, PRIO_DEFAULT);
	assert_int_equal(b->rq_prio, PRIO_DEFAULT + 2);
	ipc_reissue(&w, ln, b, 0);
	ipc_return_to(&w, b, 0);
	assert_int_equal(b->sc->boost, 0);
	b->state = TS_INACTIVE;
	ipc_assert_granted(w.h, a, thread_regs(a)->rip + 2);
	/* d, at a's priority, lifts nothing; e is below it. */
	assert_int_equal(a->sc->boost, PRIO_DEFAULT);
	ipc_reissue(&w, ln, a, 0);
	ipc_return_to(&w, a, 0);
	a->state = TS_INACTIVE;
	ipc_assert_granted(w.h, d, thread_regs(d)->rip + 2);
	ipc_reissue(&w, ln, d, 0);
	ipc_return_to(&w, d, 0);
	d->state = TS_INACTIVE;
	ipc_assert_granted(w.h, e, thread_regs(e)->rip + 2);
	assert_int_equal(e->sc->boost, 0);
	ipc_reissue(&w, ln, e, 0);
	ipc_return_to(&w, e, 0);
	assert_false(w.h->ipc.passive->busy);
	assert_null(w.h->ipc.passive->granted);
	ipc_world_fini(&w);
}

/* A handler preempted on a low context moves up its run queue. */
static void test_inheritance_requeues_ready_handler(void **state)
{
	struct ipc_world w;
	struct ipc_link *ln;
	struct thread *c, *hi, *mid;

	(void)state;
	c = ipc_world_connected(&w, &ln);
	c->sc->prio = 3;
	hi = waiter_at(&w, ln, 20);
	mid = ipc_new_thread(&w, ipc_new_group(&w, "mid"), 0, 0x400000,
			     0x7f0000000000);
	mid->sc->prio = 10;
	ipc_run_as(c);
	ipc_call_in(&w, ln, 0, 0, 0);
	/* Preempted; a middle-priority thread is ready too. */
	w.h->state = TS_INACTIVE;
	sched_enqueue(w.h);
	assert_int_equal(w.h->rq_prio, 3);
	sched_enqueue(mid);
	/* hi waits: the handler, lifted to 20, is the one to run next. */
	ipc_run_as(hi);
	assert_ptr_equal(ipc_wait_in(&w, ln, 0, 0, 0), w.h);
	assert_int_equal(sc_prio(w.h->sc), 20);
	sched_dequeue(mid);
	mid->state = TS_INACTIVE;
	ipc_return_to_grantee(&w, c, hi, 0);
	assert_int_equal(c->sc->boost, 0);
	ipc_reissue(&w, ln, hi, 0);
	ipc_return_to(&w, hi, 0);
	ipc_world_fini(&w);
}

/*
 * Inheritance follows chains: c -> h -> h2 all run on c's context, and
 * a waiter on h2 or on h lifts it; when h's call must itself wait for a
 * busy h2 (serving x on x's context), the lift passes on to x's context.
 * A cycle through a wait is -EDEADLK, as through calls.
 */
static void test_inheritance_along_chains(void **state)
{
	struct ipc_world w;
	struct ipc_link *ln, *lx, *to_h2, *to_h;
	struct ipc_client *selfcl;
	struct thread *c, *x, *h2, *wh, *wh2;
	int h2_cap;

	(void)state;
	c = ipc_world_connected(&w, &ln);
	c->sc->prio = 4;
	c->state = TS_INACTIVE;
	h2 = ipc_new_thread(&w, w.sg, THREAD_PASSIVE, H_ENTRY + 0x100,
			    H_STACK + 0x10000);
	h2_cap = cap_alloc(w.sg, h2, CAP_RIGHT_CONTROL);
	/* x is a client served by h2; the server calls h2 too. */
	lx = ipc_new_link(&w, ipc_new_client(&w, NULL));
	ipc_connect_with(&w, lx, h2, h2_cap);
	x = lx->cl->t;
	x->sc->prio = 2;
	x->state = TS_INACTIVE;
	selfcl = ipc_new_client(&w, w.sg);
	to_h2 = ipc_new_link(&w, selfcl);
	ipc_connect_with(&w, to_h2, h2, h2_cap);
	to_h = ipc_new_link(&w, selfcl);
	ipc_connect(&w, to_h);
	selfcl->t->state = TS_INACTIVE;
	wh = waiter_at(&w, ln, 20);
	wh2 = ipc_new_client(&w, lx->cl->g)->t;
	wh2->sc->prio = 25;

	/* x's call keeps h2 busy on x's context (priority 2). */
	ipc_run_as(x);
	assert_ptr_equal(ipc_switch(ipc_call(lx->cap, 0, 0, 0)), h2);
	h2->state = TS_INACTIVE; /* preempted */
	sched_enqueue(h2);
	current = w.idle;
	/* c calls h, and h calls h2: busy, so h waits, lifting x to 4. */
	ipc_run_as(c);
	ipc_call_in(&w, ln, 0, 0, 0);
	assert_ptr_equal(ipc_switch(ipc_call(to_h2->cap, 0, 0, 0)), h2);
	assert_int_equal(w.h->state, TS_BLOCKED);
	assert_ptr_equal(w.h->ipc.waits_on, h2);
	assert_int_equal(x->sc->boost, 4);
	assert_int_equal(h2->state, TS_RUNNING);
	/* h2 calling h would wait for h, which waits for h2: -EDEADLK. */
	assert_int_equal(ipc_ret(ipc_call(to_h->cap, 0, 0, 0)), -EDEADLK);
	assert_ptr_equal(nth_waiter(h2, 0), w.h);
	assert_null(nth_waiter(w.h, 0));
	/* A waiter of priority 20 on h lifts c's context, and so x's. */
	h2->state = TS_INACTIVE;
	sched_enqueue(h2);
	current = w.idle;
	wait_as(&w, ln, wh, 0);
	assert_int_equal(c->sc->boost, 20);
	assert_int_equal(x->sc->boost, 20);
	assert_int_equal(h2->rq_prio, 20);
	/* One of 25 on h2 itself lifts x's further, not c's. */
	wait_as(&w, lx, wh2, 0);
	assert_int_equal(x->sc->boost, 25);
	assert_int_equal(c->sc->boost, 20);
	assert_ptr_equal(nth_waiter(h2, 0), wh2);
	assert_ptr_equal(nth_waiter(h2, 1), w.h);

	/*
	 * h2 answers x: x drops back; wh2 (25) is granted h2 first, and
	 * runs before x.
	 */
	ipc_run_as(h2);
	assert_ptr_equal(ipc_switch(ipc_return(1, 0)), wh2);
	assert_int_equal(x->state, TS_READY);
	assert_int_equal((long)thread_regs(x)->rax, 1);
	sched_dequeue(x);
	x->state = TS_INACTIVE;
	assert_int_equal(x->sc->boost, 0);
	ipc_assert_granted(h2, wh2, thread_regs(wh2)->rip + 2);
	/* h, still waiting (at 20 through c's context), lifts the grantee. */
	assert_int_equal(wh2->sc->boost, 20);
	ipc_run_as(wh2);
	thread_regs(wh2)->rip += 2;
	assert_ptr_equal(ipc_switch(ipc_call(lx->cap, 0, 0, 0)), h2);
	assert_null(h2->ipc.passive->granted);
	assert_ptr_equal(ipc_switch(ipc_return(2, 0)), wh2);
	wh2->state = TS_INACTIVE;
	assert_int_equal(wh2->sc->boost, 0);
	/* Now h, granted h2, issues its call again; c's chain goes on. */
	assert_ptr_equal(h2->ipc.passive->granted, w.h);
	assert_int_equal(w.h->state, TS_READY);
	assert_int_equal(w.h->rq_prio, 20);
	ipc_run_as(w.h);
	thread_regs(w.h)->rip += 2;
	assert_ptr_equal(ipc_switch(ipc_call(to_h2->cap, 0, 0, 0)), h2);
	assert_ptr_equal(h2->sc, c->sc);
	assert_int_equal(c->sc->boost, 20);
	assert_ptr_equal(ipc_switch(ipc_return(3, 0)), w.h);
	ipc_return_to_grantee(&w, c, wh, 4);
	assert_int_equal(c->sc->boost, 0);
	ipc_assert_granted(w.h, wh, thread_regs(wh)->rip + 2);
	ipc_reissue(&w, ln, wh, 0);
	ipc_return_to(&w, wh, 0);
	ipc_world_fini(&w);
}

/* A deadline ends a wait: -ETIMEDOUT, off the queue, the lift undone. */
static void test_deadline_while_waiting(void **state)
{
	struct ipc_world w;
	struct ipc_link *ln;
	struct thread *c, *a, *b;
	u64 now, rip, deadline;

	(void)state;
	c = ipc_world_connected(&w, &ln);
	c->sc->prio = 3;
	a = waiter_at(&w, ln, 10);
	b = waiter_at(&w, ln, 8);
	ipc_run_as(c);
	ipc_call_in(&w, ln, 0, 0, 0);
	now = sched_ticks();
	rip = thread_regs(a)->rip;
	wait_as(&w, ln, a, 1);
	wait_as(&w, ln, b, 1000000);
	assert_int_equal(a->ipc.deadline, now + 1);
	deadline = b->ipc.deadline;
	assert_int_equal(c->sc->boost, 10);
	ipc_tick(now + 1);
	assert_int_equal(a->state, TS_READY);
	assert_int_equal(a->arch.ksp, 0);
	assert_int_equal(thread_regs(a)->rip, rip); /* not issued again */
	assert_int_equal((long)thread_regs(a)->rax, -ETIMEDOUT);
	assert_null(a->ipc.waits_on);
	assert_int_equal(a->ipc.deadline, 0);
	assert_true(list_empty(&a->ipc.timed_node));
	assert_ptr_equal(nth_waiter(w.h, 0), b);
	assert_null(nth_waiter(w.h, 1));
	assert_int_equal(c->sc->boost, 8);
	assert_int_equal(b->state, TS_BLOCKED);
	sched_dequeue(a); /* a goes about its business */
	a->state = TS_INACTIVE;

	/* b is granted in time: its call keeps its deadline, not a new one. */
	ipc_return_to_grantee(&w, c, b, 0);
	ipc_assert_granted(w.h, b, thread_regs(b)->rip + 2);
	ipc_tick(deadline - 1);
	assert_int_equal(b->state, TS_RUNNING);
	assert_int_equal(b->ipc.deadline, deadline);
	ipc_reissue(&w, ln, b, 1000000);
	assert_int_equal(b->ipc.deadline, deadline);
	ipc_return_to(&w, b, 0);
	assert_int_equal(b->ipc.deadline, 0);
	ipc_world_fini(&w);
}

/* A killed waiter leaves the queue; a killed grantee passes the grant on. */
static void test_kill_while_waiting(void **state)
{
	struct ipc_world w;
	struct ipc_link *ln;
	struct thread *c, *a, *b, *d;
	size_t kbytes;

	(void)state;
	c = ipc_world_connected(&w, &ln);
	a = waiter_at(&w, ln, 20);
	b = waiter_at(&w, ln, 18);
	d = waiter_at(&w, ln, PRIO_DEFAULT);
	ipc_run_as(c);
	ipc_call_in(&w, ln, 0, 0, 0);
	kbytes = kmalloc_bytes_in_use();
	wait_as(&w, ln, a, 0);
	wait_as(&w, ln, b, 0);
	wait_as(&w, ln, d, 0);
	assert_int_equal(kmalloc_bytes_in_use(), kbytes); /* no allocation */
	assert_int_equal(c->sc->boost, 20);

	/* a is killed: woken through its kernel stack, it leaves. */
	thread_kill(a);
	assert_int_equal(a->state, TS_READY);
	assert_ptr_equal(nth_waiter(w.h, 0), b);
	ipc_wait_end(a); /* what its kernel path does on waking */
	assert_null(a->ipc.waits_on);
	assert_int_equal(c->sc->boost, 18);
	sched_dequeue(a);
	a->state = TS_INACTIVE;
	ipc_thread_exit(a);

	/* b is granted the handler, then killed before it uses it. */
	ipc_run_as(w.h);
	ipc_return_to_grantee(&w, c, b, 0);
	ipc_assert_granted(w.h, b, thread_regs(b)->rip + 2);
	thread_kill(b);
	assert_true(b->killed);
	b->state = TS_INACTIVE;
	/* The grant passed on to d, which runs next. */
	assert_ptr_equal(ipc_thread_exit(b), d);
	assert_ptr_equal(w.h->ipc.passive->granted, d);
	assert_ptr_equal(d->ipc.waits_on, w.h);
	assert_int_equal(d->arch.ksp, 0);
	ipc_reissue(&w, ln, d, 0);
	ipc_return_to(&w, d, 0);
	assert_false(w.h->ipc.passive->busy);
	ipc_world_fini(&w);
}

/* The server dies: every waiter issues its call again, to -EDEADSRV. */
static void test_server_death_wakes_waiters(void **state)
{
	struct ipc_world w;
	struct ipc_link *ln;
	struct thread *c, *a, *b;
	u64 arip, brip;

	(void)state;
	c = ipc_world_connected(&w, &ln);
	a = waiter_at(&w, ln, PRIO_DEFAULT);
	b = waiter_at(&w, ln, PRIO_DEFAULT);
	ipc_run_as(c);
	ipc_call_in(&w, ln, 0, 0, 0);
	arip = thread_regs(a)->rip;
	brip = thread_regs(b)->rip;
	wait_as(&w, ln, a, 1000000);
	wait_as(&w, ln, b, 0);

	current = w.idle;
	cap_group_exit(w.sg, 0);
	assert_ptr_equal(ipc_thread_exit(w.h), c);
	assert_int_equal((long)thread_regs(c)->rax, -ESRCH);
	for (int i = 0; i < 2; i++) {
		struct thread *t = i ? b : a;

		assert_int_equal(t->state, TS_READY);
		assert_int_equal(t->arch.ksp, 0);
		assert_null(t->ipc.waits_on);
		assert_int_equal(thread_regs(t)->rip, (i ? brip : arip) - 2);
	}
	assert_null(nth_waiter(w.h, 0));
	assert_int_equal(c->sc->boost, 0);
	/* Issued again, the calls find the server dead. */
	c->state = TS_INACTIVE;
	ipc_run_as(a);
	assert_int_equal(ipc_ret(ipc_call(ln->cap, 0, 0, 1000000)), -EDEADSRV);
	assert_int_equal(a->ipc.deadline, 0);
	assert_true(list_empty(&a->ipc.timed_node));
	a->state = TS_INACTIVE;
	ipc_run_as(b);
	assert_int_equal(ipc_ret(ipc_call(ln->cap, 0, 0, 0)), -EDEADSRV);
	ipc_world_fini(&w);
}

/*
 * A waiter granted the handler issues its call again, but the slot it
 * names now holds another connection (another thread of its process
 * replaced it meanwhile), served by a free handler: the call goes
 * there, and the grant it no longer uses passes on instead of keeping
 * the first handler busy for good.
 */
static void test_grant_reissued_elsewhere(void **state)
{
	struct ipc_world w;
	struct ipc_link *ln, *ln2;
	struct thread *c, *a, *h2;

	(void)state;
	c = two_conns(&w, &ln, &ln2, &h2);
	a = waiter_at(&w, ln, PRIO_DEFAULT);
	grant_to(&w, ln, a, 0, NULL);
	c->state = TS_INACTIVE;

	ipc_run_as(a);
	thread_regs(a)->rip += 2; /* the `syscall` again */
	assert_ptr_equal(ipc_switch(ipc_call(ln2->cap, 0, 0, 0)), h2);
	assert_ptr_equal(h2->ipc.passive->caller, a);
	assert_null(w.h->ipc.passive->granted);
	assert_false(w.h->ipc.passive->busy);
	assert_null(a->ipc.waits_on);
	assert_ptr_equal(ipc_switch(ipc_return(0, 0)), a);

	/* The first handler serves c at once. */
	a->state = TS_INACTIVE;
	ipc_run_as(c);
	ipc_call_in(&w, ln, 0, 0, 0);
	ipc_return_to(&w, c, 0);
	ipc_world_fini(&w);
}

/*
 * A waiter's priority changed while it waits (sys_thread_set_prio): it
 * moves in the queue and the busy handler's context follows, down as
 * well as up. So does a chain: a caller's context changed while its
 * handler waits for another handler moves that handler in the queue.
 */
static void test_prio_changed_while_waiting(void **state)
{
	struct ipc_world w;
	struct ipc_link *ln;
	struct thread *c, *a, *b, *setter;
	int bcap;

	(void)state;
	c = ipc_world_connected(&w, &ln);
	c->sc->prio = 3;
	c->mcp = PRIO_MAX;
	a = waiter_at(&w, ln, 10);
	b = waiter_at(&w, ln, 8);
	bcap = cap_alloc(ln->cl->g, b, CAP_RIGHT_CONTROL);
	assert_true(bcap >= 0);
	ipc_run_as(c);
	ipc_call_in(&w, ln, 0, 0, 0);
	wait_as(&w, ln, a, 0);
	wait_as(&w, ln, b, 0);
	assert_ptr_equal(nth_waiter(w.h, 0), a);
	assert_int_equal(c->sc->boost, 10);

	/* The handler (on c's context) is preempted; c's process raises b. */
	w.h->state = TS_INACTIVE;
	sched_enqueue(w.h);
	setter = ipc_new_client(&w, ln->cl->g)->t;
	setter->mcp = PRIO_MAX;
	ipc_run_as(setter);
	assert_int_equal(ipc_ret(sys_thread_set_prio(bcap, 25)), 0);
	assert_ptr_equal(nth_waiter(w.h, 0), b);
	assert_ptr_equal(nth_waiter(w.h, 1), a);
	assert_int_equal(c->sc->boost, 25);
	assert_int_equal(w.h->rq_prio, 25);
	/* And lowers it again: the lift goes down with it. */
	assert_int_equal(ipc_ret(sys_thread_set_prio(bcap, 1)), 0);
	assert_ptr_equal(nth_waiter(w.h, 0), a);
	assert_ptr_equal(nth_waiter(w.h, 1), b);
	assert_int_equal(c->sc->boost, 10);
	assert_int_equal(w.h->rq_prio, 10);
	setter->state = TS_INACTIVE;

	ipc_run_as(w.h);
	ipc_return_to_grantee(&w, c, a, 0);
	ipc_reissue(&w, ln, a, 0);
	ipc_return_to(&w, a, 0);
	a->state = TS_INACTIVE;
	ipc_reissue(&w, ln, b, 0);
	ipc_return_to(&w, b, 0);
	assert_int_equal(c->sc->boost, 0);
	ipc_world_fini(&w);
}

/*
 * The same, with the other handler busy: the waiter waits for it. Its
 * grant of the first must pass on; it was overwritten with the
 * reference it held (the first handler busy for good and leaked, and
 * its death later wrote to the waiter, perhaps freed by then).
 */
static void test_grant_reissued_to_busy_handler(void **state)
{
	struct ipc_world w;
	struct ipc_link *ln, *ln2;
	struct thread *a, *h2;
	u32 href;

	(void)state;
	two_conns(&w, &ln, &ln2, &h2);
	href = w.h->obj.refcount;
	a = waiter_at(&w, ln, PRIO_DEFAULT);
	grant_to(&w, ln, a, 0, NULL);
	/* c keeps h2 busy; h2 is preempted. */
	assert_ptr_equal(ipc_switch(ipc_call(ln2->cap, 0, 0, 0)), h2);
	h2->state = TS_INACTIVE;
	sched_enqueue(h2);

	ipc_run_as(a);
	thread_regs(a)->rip += 2;
	assert_ptr_equal(ipc_wait_in(&w, ln2, 0, 0, 0), h2);
	assert_ptr_equal(a->ipc.waits_on, h2);
	assert_null(w.h->ipc.passive->granted);
	assert_false(w.h->ipc.passive->busy);
	assert_int_equal(w.h->obj.refcount, href);
	ipc_world_fini(&w);
}

/*
 * c's call times out: its handler goes on orphaned on c's context. c
 * calls a second handler, and a waiter there lifts c's context. When
 * the orphan returns, the lift must stay: it is c's chain's, not the
 * orphan's (it was cleared, and the second handler ran at 3 with a
 * waiter at 20 behind it).
 */
static void test_orphan_return_keeps_owner_boost(void **state)
{
	struct ipc_world w;
	struct ipc_link *ln, *ln2;
	struct thread *c, *a, *b, *h2;
	int h2_cap;
	u64 now;

	(void)state;
	c = ipc_world_connected(&w, &ln);
	c->sc->prio = 3;
	h2 = ipc_new_handler(&w, &h2_cap);
	ln2 = ipc_new_link(&w, ipc_new_client(&w, ln->cl->g));
	ipc_connect_with(&w, ln2, h2, h2_cap);
	a = waiter_at(&w, ln2, 20);

	ipc_run_as(c);
	now = sched_ticks();
	ipc_call_in(&w, ln, 0, 0, 1);
	w.h->state = TS_INACTIVE; /* preempted */
	sched_enqueue(w.h);
	current = w.idle;
	ipc_tick(now + 1);
	assert_int_equal((long)thread_regs(c)->rax, -ETIMEDOUT);
	assert_null(w.h->ipc.passive->caller);
	assert_ptr_equal(w.h->sc, c->sc);

	/* c calls h2 (over ln2's client cap, in c's process). */
	ipc_run_as(c);
	assert_ptr_equal(ipc_switch(ipc_call(ln2->cap, 0, 0, 0)), h2);
	h2->state = TS_INACTIVE;
	sched_enqueue(h2);
	ipc_run_as(a);
	assert_ptr_equal(ipc_wait_in(&w, ln2, 0, 0, 0), h2);
	assert_int_equal(c->sc->boost, 20);
	h2->state = TS_INACTIVE; /* it blocks in a system call, say */

	/*
	 * A waiter of the orphan at 8 recomputes the context from the
	 * orphan's chain: the owner's lift (20) must stay. The orphan runs
	 * next, and returns to nobody: b is granted it.
	 */
	b = waiter_at(&w, ln, 8);
	ipc_run_as(b);
	assert_ptr_equal(ipc_wait_in(&w, ln, 0, 0, 0), w.h);
	assert_int_equal(c->sc->boost, 20);
	ipc_switch(ipc_return(0, 0));
	assert_ptr_equal(w.h->ipc.passive->granted, b);
	assert_int_equal(c->sc->boost, 20);
	assert_int_equal(sc_prio(h2->sc), 20);
	ipc_world_fini(&w);
}

/*
 * A waiter granted the handler whose deadline passes before it runs
 * again: its call issued again fails with -ETIMEDOUT and the grant
 * passes on (it went in, and the handler then worked for nobody, the
 * connection busy until it finished).
 */
static void test_grant_after_deadline(void **state)
{
	struct ipc_world w;
	struct ipc_link *ln;
	struct thread *c, *a;
	u64 now;

	(void)state;
	c = ipc_world_connected(&w, &ln);
	a = waiter_at(&w, ln, PRIO_DEFAULT);
	now = sched_ticks(); /* a call does not tick */
	grant_to(&w, ln, a, 1, NULL);
	c->state = TS_INACTIVE;
	current = w.idle;
	while (sched_ticks() < now + 1)
		sched_tick(); /* a is ready: nothing to end yet */
	assert_int_equal(a->state, TS_READY);

	ipc_run_as(a);
	thread_regs(a)->rip += 2;
	assert_int_equal(ipc_ret(ipc_call(ln->cap, 0, 0, 1)), -ETIMEDOUT);
	assert_null(w.h->ipc.passive->granted);
	assert_false(w.h->ipc.passive->busy);
	assert_null(a->ipc.waits_on);
	assert_int_equal(a->ipc.deadline, 0);
	assert_true(list_empty(&a->ipc.timed_node));
	ipc_world_fini(&w);
}

/*
 * The server dies while a waiter holds a grant it has not used yet (and
 * another still waits): the grantee's call issued again finds the
 * server dead, as the waiter's does, and nothing holds the handler.
 */
static void test_server_death_with_grantee(void **state)
{
	struct ipc_world w;
	struct ipc_link *ln;
	struct thread *c, *a, *b;

	(void)state;
	c = ipc_world_connected(&w, &ln);
	a = waiter_at(&w, ln, PRIO_DEFAULT);
	b = waiter_at(&w, ln, PRIO_DEFAULT);
	grant_to(&w, ln, a, 1000000, b);
	c->state = TS_INACTIVE;

	current = w.idle;
	cap_group_exit(w.sg, 0);
	assert_null(w.h->ipc.passive->granted);
	assert_null(a->ipc.waits_on);
	assert_null(b->ipc.waits_on);
	assert_int_equal(a->state, TS_READY);
	assert_int_equal(b->state, TS_READY);
	ipc_run_as(a);
	thread_regs(a)->rip += 2;
	assert_int_equal(ipc_ret(ipc_call(ln->cap, 0, 0, 1000000)), -EDEADSRV);
	assert_int_equal(a->ipc.deadline, 0);
	a->state = TS_INACTIVE;
	ipc_run_as(b);
	thread_regs(b)->rip += 2;
	assert_int_equal(ipc_ret(ipc_call(ln->cap, 0, 0, 0)), -EDEADSRV);
	ipc_world_fini(&w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		kenv_test(test_waiters_by_priority),
		kenv_test(test_inheritance_requeues_ready_handler),
		kenv_test(test_inheritance_along_chains),
		kenv_test(test_deadline_while_waiting),
		kenv_test(test_kill_while_waiting),
		kenv_test(test_server_death_wakes_waiters),
		kenv_test(test_grant_reissued_elsewhere),
		kenv_test(test_grant_reissued_to_busy_handler),
		kenv_test(test_prio_changed_while_waiting),
		kenv_test(test_orphan_return_keeps_owner_boost),
		kenv_test(test_grant_after_deadline),
		kenv_test(test_server_death_with_grantee),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
