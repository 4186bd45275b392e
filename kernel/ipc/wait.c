/*
 * Waiting for a busy passive thread, and priority inheritance.
 *
 * A caller that finds a handler (or a register callback) busy waits on
 * its queue `waiters` instead of being told to retry: best priority
 * first, FIFO within one. The entries are the waiting threads themselves
 * (sched_node, TS_BLOCKED), so no process can make the kernel allocate
 * for a wait. A waiter keeps nothing on its kernel stack: it dropped its
 * references before blocking, and whoever wakes it resets its kernel
 * context, so it resumes from its user frame.
 *
 * Protocol (numbered as docs/ipc.md's diagram):
 *  1. The caller finds p->busy: it queues, the context the passive
 *     thread runs on inherits its priority (below), and it blocks.
 *  2. The passive thread finishes (return, exit routine, registration):
 *     ipc_passive_idle() grants it to the first waiter: p->busy stays
 *     set and p->granted names the waiter, so nobody else takes it; the
 *     waiter's frame is set to issue its system call again, and it is
 *     made ready.
 *  3. The waiter runs, re-issues the call (a fresh copy of its
 *     arguments, checked again), finds the grant and goes ahead. A grant
 *     not used (the call fails, the waiter is killed) passes on.
 *  A waiter whose deadline passes resumes with -ETIMEDOUT; when the
 *  passive thread dies every waiter re-issues its call, which then
 *  fails as calls to a dead server do (-EDEADSRV).
 *
 * Inheritance: a busy passive thread runs on a scheduling context lent
 * by its caller (a granted one will run on its waiter's). That context's
 * `boost` is the best priority among the waiters of every passive thread
 * on its chain of calls, so a middle-priority thread cannot starve a
 * waiter by starving the low-priority context the handler runs on. A
 * boost follows the chain: when the thread at its end waits itself for
 * another passive thread, it takes its new priority into that queue,
 * whose context is recomputed in turn. docs/ipc.md says why inheritance
 * through the lent context rather than NOVA's helping.
 *
 * Owner: the one CPU, kernel not preemptible (as for the rest of ipc/).
 */
#include <arch/arch.h>
#include <ipc/ipc_internal.h>
#include <object/sched_context.h>
#include <sched/sched.h>
#include <uapi/ferry/errno.h>

/* Bounds every walk along a chain; a real chain is far shorter. */
#define CHAIN_MAX 64

static u32 thread_prio(const struct thread *t)
{
	return t->sc ? sc_prio(t->sc) : 0;
}

static u32 top_waiter_prio(const struct ipc_passive *p)
{
	if (list_empty(&p->waiters.threads))
		return 0;
	return thread_prio(
		list_first(&p->waiters.threads, struct thread, sched_node));
}

/* Queues t behind every waiter of its priority or better. */
static void waiters_insert(struct ipc_passive *p, struct thread *t)
{
	struct list_head *pos = &p->waiters.threads;
	u32 prio = thread_prio(t);
	struct thread *w;

	list_for_each(w, &p->waiters.threads, sched_node)
	{
		if (thread_prio(w) < prio)
			break;
		pos = &w->sched_node;
	}
	list_insert_after(pos, &t->sched_node);
	t->waiting_on = &p->waiters;
}

static void waiters_remove(struct thread *t)
{
	list_del(&t->sched_node);
	t->waiting_on = NULL;
}

static inline u32 max_u32(u32 a, u32 b)
{
	return a > b ? a : b;
}

/*
 * The best waiter along the calls down from t (of each passive thread
 * on them, and of one granted to one of them); *end is the last.
 */
static inline __attribute__((always_inline)) u32 walk_down(struct thread *t,
							   struct thread **end)
{
	struct thread *w;
	u32 b = 0;

	for (int n = 0; n < CHAIN_MAX; n++) {
		if (t->ipc.passive)
			b = max_u32(b, top_waiter_prio(t->ipc.passive));
		w = t->ipc.waits_on;
		if (w && w->ipc.passive->granted == t)
			b = max_u32(b, top_waiter_prio(w->ipc.passive));
		if (!t->ipc.callee)
			break;
		t = t->ipc.callee;
	}
	*end = t;
	return b;
}

/*
 * What context sc inherits from the chain of calls through `on` (which
 * runs on sc, or holds a grant and will). *end is the chain's last
 * thread, the one that runs. A chain that is not its owner's (an
 * orphan's, after a timeout) shares sc with the owner's own calls,
 * whose lift counts too: *oend is then that chain's end, else NULL.
 */
static u32 chain_boost(struct thread *on, struct sched_context *sc,
		       struct thread **end, struct thread **oend)
{
	struct thread *t = on, *o = sc->owner;
	u32 b;

	for (int n = 0;
	     n < CHAIN_MAX && t->ipc.passive && t->ipc.passive->caller &&
	     t->ipc.passive->caller->sc == sc;
	     n++)
		t = t->ipc.passive->caller;
	b = walk_down(t, end);
	*oend = NULL;
	if (o && o != t && o->sc == sc && o->state != TS_DEAD)
		b = max_u32(b, walk_down(o, oend));
	return b;
}

/* A ready thread on sc moves to the run queue of sc's priority now. */
static inline void requeue_on(struct thread *t, struct sched_context *sc)
{
	if (t && t->state == TS_READY && t->sc == sc) {
		sched_dequeue(t);
		t->state = TS_INACTIVE;
		sched_enqueue(t);
	}
}

/* Sets sc's boost from the chain through `on` and passes a change on. */
static void reboost(struct sched_context *sc, struct thread *on)
{
	for (int n = 0; sc && n < CHAIN_MAX; n++) {
		struct thread *end, *oend, *h;
		u32 b = chain_boost(on, sc, &end, &oend);

		if (b == sc->boost)
			return;
		if (b < sc->boost)
			sched_request_resched(); /* others may outrank it */
		sc->boost = b;
		requeue_on(end, sc);
		requeue_on(oend, sc);
		h = end->ipc.waits_on;
		if (end->state != TS_BLOCKED || !h || end->sc != sc)
			return;
		/* The chain's end waits itself: it moves in that queue. */
		waiters_remove(end);
		waiters_insert(h->ipc.passive, end);
		on = h->ipc.passive->granted ? h->ipc.passive->granted : h;
		sc = on->sc;
	}
}

/* h's queue changed: the context h runs on (or will) follows. */
static void queue_changed(struct thread *h)
{
	struct thread *on =
		h->ipc.passive->granted ? h->ipc.passive->granted : h;

	if (on->sc)
		reboost(on->sc, on);
}

bool ipc_waits_for_current(struct thread *h)
{
	struct thread *t = h;

	for (int n = 0; t && n < CHAIN_MAX; n++) {
		if (t == current)
			return true;
		if (t->ipc.callee)
			t = t->ipc.callee; /* serving: follow its call */
		else if (t->ipc.passive && t->ipc.passive->granted)
			t = t->ipc.passive->granted;
		else if (t->state == TS_BLOCKED)
			t = t->ipc.waits_on; /* waiting itself */
		else
			t = NULL; /* runs: it will finish */
	}
	return false;
}

/*
 * t waits for h, or holds a grant of it: t keeps a reference to h, so
 * that h's queue is still there when t leaves it, whatever died since
 * (a killed waiter leaves only when it next runs).
 */
static void waits_on_set(struct thread *t, struct thread *h)
{
	obj_get(h);
	t->ipc.waits_on = h;
}

void ipc_waits_on_clear(struct thread *t)
{
	struct thread *h = t->ipc.waits_on;

	t->ipc.waits_on = NULL;
	obj_put(h);
}

long ipc_acquire(struct thread *h)
{
	struct ipc_passive *p = h->ipc.passive;

	/*
	 * A call issued again after a wait names its slot afresh: another
	 * of our threads may have put another connection (another passive
	 * thread) there. What we waited for or were granted passes on.
	 */
	if (unlikely(current->ipc.waits_on && current->ipc.waits_on != h))
		ipc_wait_end(current);
	if (!p->busy)
		goto take;
	if (p->granted == current) {
		p->granted = NULL;
		ipc_waits_on_clear(current); /* our caller holds h too */
		goto take;
	}
	return ipc_waits_for_current(h) ? -EDEADLK : -EBUSY;
take:
	p->busy = true;
	/* A boost we inherited as the grantee now comes with the call. */
	return 0;
}

/* t's frame re-issues the call it is in (its number is still in rax). */
static void restart(struct thread *t)
{
	struct arch_regs *r = thread_regs(t);

	arch_regs_restart_syscall(r, arch_syscall_nr(r));
}

long ipc_wait_for(struct thread *h)
{
	struct thread *t = current;

	if (t->killed)
		return -EINTR;
	waits_on_set(t, h);
	t->state = TS_BLOCKED;
	t->wake_result = 0;
	waiters_insert(h->ipc.passive, t);
	queue_changed(h);
	schedule();
	/*
	 * Woken through the kernel stack: only sched_wake does that (a
	 * kill). Nothing is held here; leave the queue and let the call be
	 * issued again, which the return to user mode turns into an exit.
	 */
	ipc_wait_end(t);
	restart(t);
	return IPC_RESTART;
}

/* Makes a waiter off the queue runnable, resuming from its user frame. */
static void resume_waiter(struct thread *t)
{
	arch_thread_reset_kctx(t);
	t->state = TS_INACTIVE;
	sched_enqueue(t);
}

void ipc_passive_idle(struct thread *h)
{
	struct ipc_passive *p = h->ipc.passive;
	struct thread *w;

	ipc_kick_handler(h); /* owed destructor runs come first */
	if (p->busy) {
		queue_changed(h); /* an exit run: its context is lifted */
		return;
	}
	if (list_empty(&p->waiters.threads))
		return;
	w = list_first(&p->waiters.threads, struct thread, sched_node);
	waiters_remove(w);
	p->busy = true;
	p->granted = w;
	restart(w);
	resume_waiter(w);
	/*
	 * The thread running now gave the grant (it returns to its caller or
	 * goes idle); w may outrank whoever runs next.
	 */
	sched_request_resched();
	queue_changed(h);
}

void ipc_wait_end(struct thread *t)
{
	struct thread *h = t->ipc.waits_on;
	struct ipc_passive *p;

	if (!h)
		return;
	p = h->ipc.passive;
	t->ipc.waits_on = NULL;
	if (t->state == TS_BLOCKED && t->waiting_on == &p->waiters)
		waiters_remove(t);
	if (p->granted == t) {
		/* An unused grant passes on. */
		p->granted = NULL;
		p->busy = false;
		ipc_passive_idle(h);
	} else {
		queue_changed(h);
	}
	/* Whatever t inherited as a waiter's grantee ends with it. */
	if (t->sc && t->sc->boost)
		reboost(t->sc, t);
	obj_put(h); /* waits_on's reference, last */
}

bool ipc_wait_timeout(struct thread *t)
{
	struct thread *h = t->ipc.waits_on;

	if (t->state != TS_BLOCKED || !h)
		return false;
	waiters_remove(t);
	t->ipc.waits_on = NULL;
	arch_regs_set_ret(thread_regs(t), (u64)-ETIMEDOUT);
	resume_waiter(t);
	queue_changed(h);
	obj_put(h);
	return true;
}

void ipc_wake_all_waiters(struct thread *h)
{
	struct ipc_passive *p = h->ipc.passive;
	struct thread *w, *g = p->granted;

	/* h is dying but alive: the references dropped here are not its last.
	 */
	if (g) {
		/* Ready already: its restarted call finds the server dead. */
		p->granted = NULL;
		ipc_waits_on_clear(g);
		ipc_chain_left(g); /* what our waiters lent it ends */
	}
	while (!list_empty(&p->waiters.threads)) {
		w = list_first(&p->waiters.threads, struct thread, sched_node);
		waiters_remove(w);
		ipc_waits_on_clear(w);
		restart(w);
		resume_waiter(w);
	}
	/*
	 * The context h ran on was recomputed when its caller was woken;
	 * an orphan's keeps what it had (see ipc_finish_passive).
	 */
}

void ipc_prio_changed(struct thread *t)
{
	struct sched_context *sc = t->sc;
	struct thread *end = t, *h;

	/* Whoever runs on t's context now: t, or the end of its calls. */
	for (int n = 0;
	     n < CHAIN_MAX && end->ipc.callee && end->ipc.callee->sc == sc; n++)
		end = end->ipc.callee;
	if (end != t && end->state == TS_READY)
		sched_requeue(end);
	h = end->ipc.waits_on;
	if (end->state != TS_BLOCKED || !h ||
	    end->waiting_on != &h->ipc.passive->waiters)
		return;
	/* It waits: its place in the queue and what it lends move. */
	waiters_remove(end);
	waiters_insert(h->ipc.passive, end);
	queue_changed(h);
}

bool ipc_grantee_outranks(struct thread *h, struct thread *t)
{
	struct thread *g = h->ipc.passive->granted;

	return g && thread_prio(g) > thread_prio(t);
}

void ipc_orphan_left(struct sched_context *sc)
{
	struct thread *o = sc->owner;

	sc->boost = 0;
	sched_request_resched(); /* others may outrank it now */
	if (o && o->sc == sc && o->state != TS_DEAD)
		reboost(sc, o);
}

void ipc_chain_left(struct thread *t)
{
	if (t->sc && t->sc->boost)
		reboost(t->sc, t);
}
