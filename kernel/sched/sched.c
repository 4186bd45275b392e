/*
 * Priority round robin. rq[p] holds the ready threads of priority p and
 * bit p of rq_bitmap says it is non-empty, so picking is one bit scan.
 * The idle thread is the boot context; it is never on a run queue.
 *
 * A dead thread cannot free the stack it is running on: schedule()
 * leaves it in `zombie`, and the next thread reaps it right after the
 * switch (sched_after_switch).
 */
#include <arch/arch.h>
#include <ipc/connection.h>
#include <lib/printk.h>
#include <lib/time.h>
#include <object/cap_group.h>
#include <object/sched_context.h>
#include <object/thread.h>
#include <sched/sched.h>
#include <uapi/ferry/errno.h>

struct thread *current;

static struct thread idle_thread;
static struct list_head rq[PRIO_MAX + 1];
static u32 rq_bitmap;
static struct thread *zombie;
bool sched_resched_pending; /* sched.h: read inline */
static u64 ticks;

void sched_init(void)
{
	for (int i = 0; i <= PRIO_MAX; i++)
		list_init(&rq[i]);
	idle_thread.state = TS_RUNNING;
	list_init(&idle_thread.sched_node);
	current = &idle_thread;
}

void sched_enqueue(struct thread *t)
{
	u32 prio;

	BUG_ON(!t->sc || t->state == TS_READY || t->state == TS_DEAD);
	prio = sc_prio(t->sc);
	if (unlikely(t->killed) && t->kill_prio > prio)
		prio = t->kill_prio; /* a killed thread ends at once */
	t->rq_prio = prio;
	t->state = TS_READY;
	list_append(&rq[prio], &t->sched_node);
	rq_bitmap |= 1u << prio;
	if (current == &idle_thread ||
	    (current->sc && prio > sc_prio(current->sc)))
		sched_resched_pending = true;
}

void sched_dequeue(struct thread *t)
{
	u32 prio = t->rq_prio;

	list_del(&t->sched_node);
	if (list_empty(&rq[prio]))
		rq_bitmap &= ~(1u << prio);
}

void sched_requeue(struct thread *t)
{
	sched_dequeue(t);
	t->state = TS_INACTIVE;
	sched_enqueue(t);
}

static struct thread *pick_next(void)
{
	struct thread *t;

	if (!rq_bitmap)
		return &idle_thread;
	t = list_first(&rq[31 - __builtin_clz(rq_bitmap)], struct thread,
		       sched_node);
	sched_dequeue(t);
	return t;
}

void schedule(void)
{
	struct thread *prev = current, *next;

	sched_resched_pending = false;
	next = pick_next();
	if (prev->state == TS_DEAD)
		zombie = prev;
	next->state = TS_RUNNING;
	if (next == prev)
		return;
	sched_account(); /* prev's CPU time ends here */
	current = next;
	arch_switch_to(prev, next);
	sched_after_switch();
}

void sched_after_switch(void)
{
	if (zombie && zombie != current) {
		thread_reap(zombie);
		zombie = NULL;
	}
}

void sched_yield(void)
{
	if (current != &idle_thread && current->sc)
		sched_enqueue(current);
	schedule();
}

void sched_preempt_user(void)
{
	/* Nothing is held on our stack: a killer may retire us while ready. */
	current->clean_yield = true;
	sched_yield();
	current->clean_yield = false;
}

long sched_block(struct waitq *wq)
{
	struct thread *t = current;

	if (t->killed)
		return -EINTR;
	t->state = TS_BLOCKED;
	t->waiting_on = wq;
	t->wake_result = 0;
	list_append(&wq->threads, &t->sched_node);
	schedule();
	return t->wake_result;
}

void sched_wake(struct thread *t, long result)
{
	if (t->state != TS_BLOCKED)
		return;
	list_del(&t->sched_node);
	t->waiting_on = NULL;
	t->wake_result = result;
	t->state = TS_INACTIVE;
	if (t->sc)
		sched_enqueue(t);
}

void waitq_wake_all(struct waitq *wq, long result)
{
	while (!list_empty(&wq->threads))
		sched_wake(list_first(&wq->threads, struct thread, sched_node),
			   result);
}

void sched_tick(void)
{
	ticks++;
	time_tick();
	sched_account();
	ipc_tick(ticks);
	timeout_tick();
	if (current == &idle_thread || !current->sc) {
		if (rq_bitmap)
			sched_resched_pending = true;
		return;
	}
	if (--current->sc->remaining == 0) {
		current->sc->remaining = current->sc->slice;
		sched_resched_pending = true;
	}
}

void sched_request_resched(void)
{
	sched_resched_pending = true;
}

u64 sched_ticks(void)
{
	return ticks;
}

int sched_preempt_point(void)
{
	if (!current)
		return 0; /* early boot */
	arch_irq_window();
	/* A thread without a context could not be picked again. */
	if (sched_resched_pending && current != &idle_thread && current->sc)
		sched_yield();
	return current->killed ? -EINTR : 0;
}

void sched_idle_loop(void)
{
	for (;;) {
		while (rq_bitmap)
			schedule();
		arch_idle_wait();
	}
}
