/* Out of memory at a fault: the report and the kill (oom.h). */
#include <lib/printk.h>
#include <mm/budget.h>
#include <mm/oom.h>
#include <object/cap_group.h>
#include <object/thread.h>
#include <sched/sched.h>
#include <uapi/ferry/proc.h>

void oom_kill(struct cap_group *g)
{
	size_t used, limit;

	budget_read(g->budget, &used, &limit);
	/* A fault needs one frame: spent means less than a page of room. */
	printk("[ferry] pid %u (%s): out of memory: used %lu of %lu pages%s; "
	       "killed (SIGKILL)\n",
	       g->pid, g->name, used, limit,
	       used >= limit ? "" : ", no free frame");
	cap_group_exit(g, PROC_STATUS_KILLED(PROC_SIG_KILL));
	if (current && current->group == g)
		current->killed = true;
}
