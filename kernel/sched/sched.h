/*
 * The scheduler: priority round robin over threads that have a
 * scheduling context. The running thread is not on a run queue; a ready
 * thread is on exactly one; a blocked thread is on one wait queue.
 *
 * One CPU today: `current` and the run queues are owned by it, and the
 * kernel is not preemptible (interrupts are off outside the idle loop).
 */
#ifndef KERNEL_SCHED_SCHED_H
#define KERNEL_SCHED_SCHED_H

#include <lib/types.h>
#include <sched/waitq.h>

struct thread;

extern struct thread *current;

void sched_init(void);
/* Makes a thread with a scheduling context ready to run. */
void sched_enqueue(struct thread *t);
/* Removes a ready thread from its run queue. */
void sched_dequeue(struct thread *t);
/* Puts a ready thread back on the queue its priority says now. */
void sched_requeue(struct thread *t);
/* Picks the next thread and switches to it; current's state is set. */
void schedule(void);
/* The running thread goes to the back of its priority's queue. */
void sched_yield(void);
/*
 * sched_yield at a return to user space, where nothing is held on the
 * thread's kernel stack: until it runs again, a killer may retire it
 * (thread_retire_inactive) instead of waiting for it to run.
 */
void sched_preempt_user(void);
/* Blocks current on wq; returns the value it was woken with. */
long sched_block(struct waitq *wq);
/* Wakes one blocked thread (it returns `result` from sched_block). */
void sched_wake(struct thread *t, long result);
void waitq_wake_all(struct waitq *wq, long result);
/* Timer interrupt: charges the running context. */
void sched_tick(void);
/* Asks the running thread to give up the CPU at its next chance. */
void sched_request_resched(void);
/*
 * True when the running thread should give up the CPU. Read inline: the
 * syscall exit tests it on every return (one compare, no call).
 * Written only by sched.c, with interrupts off.
 */
extern bool sched_resched_pending;
static inline bool sched_need_resched(void)
{
	return sched_resched_pending;
}
/* Called right after every switch, on the new thread's stack. */
void sched_after_switch(void);
/* The idle loop: the boot thread ends here. */
void sched_idle_loop(void) __attribute__((noreturn));
u64 sched_ticks(void);

/*
 * A preemption point for long kernel work (docs/architecture.md,
 * "Bounded kernel time"): takes pending interrupts, lets a thread that
 * should run now (higher priority, or the slice is over) have the CPU,
 * and returns 0 to go on or -EINTR if the thread was killed meanwhile,
 * in which case the caller unwinds. Call it with no lock held and with
 * nothing half done that another thread could see.
 */
int sched_preempt_point(void);

/* CPU time (sched/cputime.c), in TSC ticks. */
/* Charges the ticks since the last charge to the running thread. */
void sched_account(void);
/* The running thread's CPU time. */
u64 sched_thread_cpu_tsc(void);
/* A process's: its threads' plus its dead threads'. */
struct cap_group;
u64 sched_group_cpu_tsc(struct cap_group *g);

/*
 * Sleeping (sched/timeout.c): blocks the running thread until the
 * monotonic clock reaches deadline_ns (checked at every tick, so it
 * wakes up to one tick late, never early). 0, or -EINTR if killed.
 */
long sched_sleep_until(u64 deadline_ns);
/*
 * sched_block on wq until woken or until the monotonic clock reaches
 * deadline_ns (0: no deadline; checked at every tick). The value it was
 * woken with; -ETIMEDOUT (at once if the deadline has passed); -EINTR.
 */
long sched_block_until(struct waitq *wq, u64 deadline_ns);
/* Takes t off the deadline list (a thread retired while blocked). */
void sched_timeout_clear(struct thread *t);
/* Tick: wakes the sleepers and waiters whose deadline has passed. */
void timeout_tick(void);

#endif
