/*
 * Timed sleeps. A sleeping thread waits on `sleepers` with its deadline
 * (monotonic ns) in sleep_until; every tick wakes those whose deadline
 * has passed. The tick is 100 Hz, so a sleep ends up to one tick after
 * its deadline, never before: the woken thread checks the clock again.
 * The tick's scan is linear in the number of sleepers, which is bounded
 * by the number of threads.
 *
 * A thread may also block on any other wait queue with a deadline
 * (sched_block_until): it then sits on that queue and, by its
 * timeout_node, on `timed` too; whichever ends the wait first, the
 * waiter unlinks itself from `timed` when it runs again.
 *
 * Owner: the one CPU, interrupts off in the kernel.
 */
#include <lib/time.h>
#include <object/thread.h>
#include <sched/sched.h>
#include <uapi/ferry/errno.h>

static struct waitq sleepers = {{&sleepers.threads, &sleepers.threads}};
static struct list_head timed = {&timed, &timed};

long sched_sleep_until(u64 deadline_ns)
{
	while (time_mono_ns() < deadline_ns) {
		long r;

		current->sleep_until = deadline_ns;
		r = sched_block(&sleepers);
		if (r < 0)
			return r;
	}
	return 0;
}

long sched_block_until(struct waitq *wq, u64 deadline_ns)
{
	struct thread *t = current;
	long r;

	if (!deadline_ns)
		return sched_block(wq);
	if (time_mono_ns() >= deadline_ns)
		return -ETIMEDOUT;
	t->timeout_at = deadline_ns;
	list_append(&timed, &t->timeout_node);
	r = sched_block(wq);
	sched_timeout_clear(t);
	return r;
}

void sched_timeout_clear(struct thread *t)
{
	if (!t->timeout_at)
		return;
	list_del(&t->timeout_node);
	t->timeout_at = 0;
}

void timeout_tick(void)
{
	u64 now = time_mono_coarse_ns();
	struct thread *t;

	list_for_each_safe(t, tmp, &timed, timeout_node)
	{
		if (t->timeout_at <= now) {
			sched_timeout_clear(t);
			sched_wake(t, -ETIMEDOUT);
		}
	}

	list_for_each_safe(t, tmp, &sleepers.threads, sched_node)
	{
		if (t->sleep_until <= now)
			sched_wake(t, 0);
	}
}
