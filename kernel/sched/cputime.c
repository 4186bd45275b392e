/*
 * CPU time: each thread's run time, in TSC ticks, charged whenever the
 * scheduler switches threads and at every tick. What ran between two
 * charges goes to the thread running at the second one. Switches made
 * by IPC migration charge nothing (they are the hot path), so a call's
 * time lands on whichever of caller and handler holds the CPU at the
 * next switch or tick: exact for programs that do not make IPC calls,
 * sampled at tick grain for those that do. Kernel time on a thread's
 * behalf (system calls, interrupts) counts for it, as on Linux.
 *
 * Owner: the one CPU, interrupts off (a thread's cpu_tsc changes only
 * while it runs); a process's dead_cpu_tsc under its lock.
 */
#include <arch/arch.h>
#include <object/cap_group.h>
#include <object/thread.h>
#include <sched/sched.h>

static u64 stamp; /* TSC at the last charge */

void sched_account(void)
{
	u64 now = arch_tsc();

	if (current)
		current->cpu_tsc += now - stamp;
	stamp = now;
}

u64 sched_thread_cpu_tsc(void)
{
	sched_account();
	return current->cpu_tsc;
}

u64 sched_group_cpu_tsc(struct cap_group *g)
{
	struct thread *t;
	u64 sum;

	sched_account();
	lock(&g->lock);
	sum = g->dead_cpu_tsc;
	list_for_each(t, &g->threads, group_node) sum += t->cpu_tsc;
	unlock(&g->lock);
	return sum;
}
