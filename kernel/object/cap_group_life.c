/*
 * A process's life before and around its run: starting one that
 * SYS_proc_create made, ending one nobody can start any more, and the
 * snapshot SYS_proc_info reports.
 *
 * Protocol (docs/architecture.md, "Process lifecycle"):
 *  1. SYS_proc_create makes the group with started = false; the creator's
 *     capability is its one holder.
 *  2. Threads made in it are held: on its list, TS_INACTIVE, not queued.
 *  3. cap_group_start sets started under g->lock, counts the groups its
 *     own table holds as held (they now have a started holder), and
 *     queues every held thread.
 *  4. Until then, when its last holder's slot empties, cap_put calls
 *     cap_group_unreachable: killed, its held threads retired, the
 *     group torn down (cap_group_exit does it for an unstarted group).
 *
 * Locking: g->lock for `started`, the thread list and the table; the
 * queueing happens under it (sched_enqueue takes no group lock).
 */
#include <lib/string.h>
#include <lib/time.h>
#include <mm/budget.h>
#include <object/cap_group.h>
#include <object/thread.h>
#include <sched/sched.h>
#include <uapi/ferry/errno.h>
#include <uapi/ferry/proc.h>

int cap_group_start(struct cap_group *g)
{
	struct thread *t;
	bool empty;

	lock(&g->lock);
	if (g->exiting || g->dead) {
		unlock(&g->lock);
		return -ESRCH;
	}
	if (g->started) {
		unlock(&g->lock);
		return -EINVAL;
	}
	g->started = true;
	/* The groups it holds are held by a started table from now on. */
	for (u32 i = 0; i < g->nslots; i++) {
		void *obj = g->slots[i].obj;

		if (obj && obj != g && obj_type(obj) == OBJ_TYPE_CAP_GROUP)
			__atomic_add_fetch(&((struct cap_group *)obj)->holders,
					   1, __ATOMIC_RELAXED);
	}
	list_for_each(t, &g->threads, group_node)
	{
		if (t->sc && t->state == TS_INACTIVE && !t->killed)
			sched_enqueue(t);
	}
	/* No thread: it ends as a process whose last thread has left. */
	empty = g->nthreads == 0;
	if (empty) {
		g->exiting = true;
		g->exit_status = PROC_STATUS_EXITED(0);
	}
	unlock(&g->lock);
	if (empty) {
		cap_group_shed_memory(g);
		cap_group_teardown(g);
	}
	return 0;
}

void cap_group_unreachable(struct cap_group *g)
{
	bool end;

	lock(&g->lock);
	end = !g->started && !g->exiting && !g->dead &&
	      !__atomic_load_n(&g->holders, __ATOMIC_RELAXED);
	unlock(&g->lock);
	if (end)
		cap_group_exit(g, PROC_STATUS_KILLED(PROC_SIG_KILL));
}

void cap_group_info(struct cap_group *g, struct proc_info *out)
{
	u64 tsc = sched_group_cpu_tsc(g);
	size_t used, limit;

	memset(out, 0, sizeof(*out));
	lock(&g->lock);
	out->pid = g->pid;
	if (g->exiting || g->dead) {
		out->state = PROC_STATE_EXITED;
		out->exit_status = g->exit_status;
	} else {
		out->state = g->started ? PROC_STATE_RUNNING : PROC_STATE_NEW;
	}
	out->nthreads = g->nthreads;
	memcpy(out->name, g->name, sizeof(out->name));
	unlock(&g->lock);
	out->name[sizeof(out->name) - 1] = '\0';
	out->cpu_time_ns = time_tsc_to_ns(tsc);
	/* The budget outlives the table: an exited process still answers. */
	budget_read(g->budget, &used, &limit);
	out->mem_used_pages = used;
	out->mem_budget_pages = limit;
}
