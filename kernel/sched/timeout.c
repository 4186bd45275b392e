/*
 * Timed sleeps. A sleeping thread waits on `sleepers` with its deadline
 * (monotonic ns) in sleep_until; every tick wakes those whose deadline
 * has passed. The tick is 100 Hz, so a sleep ends up to one tick after
 * its deadline, never before: the woken thread checks the clock again.
 * The tick's scan is linear in the number of sleepers, which is bounded
 * by the number of threads.
 *
 * Owner: the one CPU, interrupts off in the kernel.
 */
#include <lib/time.h>
#include <object/thread.h>
#include <sched/sched.h>

static struct waitq sleepers = {{&sleepers.threads, &sleepers.threads}};

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

void timeout_tick(void)
{
	u64 now = time_mono_coarse_ns();
	struct thread *t;

	list_for_each_safe(t, tmp, &sleepers.threads, sched_node)
	{
		if (t->sleep_until <= now)
			sched_wake(t, 0);
	}
}
