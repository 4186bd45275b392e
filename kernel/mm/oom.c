/* Out of memory at a fault: the report and the kill (oom.h). */
#include <lib/printk.h>
#include <mm/budget.h>
#include <mm/frame.h>
#include <mm/oom.h>
#include <object/cap_group.h>
#include <object/thread.h>
#include <sched/sched.h>
#include <uapi/ferry/proc.h>

void oom_kill(struct cap_group *g)
{
	size_t used, limit;
	const char *why;
	bool quiet;

	/* Said once: another of its threads may fault before it dies. */
	lock(&g->lock);
	quiet = g->exiting;
	unlock(&g->lock);
	budget_read(g->budget, &used, &limit);
	/*
	 * Why: its budget is spent (less than a page of room: a fault needs
	 * a frame); or no frame is free; or neither, and the page belongs
	 * to a PMO another process created, whose budget is spent.
	 */
	if (used >= limit)
		why = "";
	else if (frame_free_count() == 0)
		why = ", no free frame";
	else
		why = ", its PMO's creator's budget is spent";
	if (!quiet)
		printk("[ferry] pid %u (%s): out of memory: used %lu of %lu "
		       "pages%s; killed (SIGKILL)\n",
		       g->pid, g->name, used, limit, why);
	cap_group_exit(g, PROC_STATUS_KILLED(PROC_SIG_KILL));
	if (current && current->group == g)
		current->killed = true;
}
