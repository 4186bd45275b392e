/*
 * Memory budgets from user space: setting a process's limit and reading
 * its use (mm/budget.h has the accounting, docs/architecture.md "Memory
 * budgets" the rules).
 */
#include <mm/budget.h>
#include <mm/uaccess.h>
#include <object/cap_group.h>
#include <object/thread.h>
#include <sched/sched.h>
#include <syscall/native.h>
#include <uapi/ferry/errno.h>
#include <uapi/ferry/proc.h>

/*
 * Sets the memory limit of the process group_cap names (CONTROL; the
 * caller itself too) to `pages` 4 KiB pages. A limit is a ceiling, not a
 * reservation, and never above the caller's own. 0; -EINVAL for 0 (or
 * more than 2^40 pages), -EPERM above the caller's limit, -EBUSY below
 * what it uses now, -ECAPBILITY, -ESRCH when it has exited.
 */
long sys_proc_set_budget(u64 group_cap, u64 pages)
{
	size_t used, mine;
	struct cap_group *g;
	long ret;

	if (pages == 0)
		return -EINVAL;
	ret = cap_get(current->group, cap_arg(group_cap), OBJ_TYPE_CAP_GROUP,
		      CAP_RIGHT_CONTROL, (void **)&g);
	if (ret)
		return ret;
	budget_read(current->group->budget, &used, &mine);
	/* Read without g->lock: a racing exit only makes the set moot. */
	if (g->exiting || g->dead)
		ret = -ESRCH;
	else
		ret = budget_set_limit(g->budget, pages, mine);
	obj_put(g);
	return ret;
}

_Static_assert(sizeof(struct proc_budget) == 16 &&
		       __builtin_offsetof(struct proc_budget, limit_pages) == 8,
	       "struct proc_budget is ABI");

/*
 * Writes the budget of the process group_cap names (CONTROL) to *out
 * (struct proc_budget): pages used and limit. An exited process still
 * answers: what its PMOs that others hold still charge it. 0,
 * -ECAPBILITY, -EFAULT.
 */
long sys_proc_budget(u64 group_cap, void __user *out)
{
	struct proc_budget pb;
	size_t used, limit;
	struct cap_group *g;
	long ret;

	ret = cap_get(current->group, cap_arg(group_cap), OBJ_TYPE_CAP_GROUP,
		      CAP_RIGHT_CONTROL, (void **)&g);
	if (ret)
		return ret;
	budget_read(g->budget, &used, &limit);
	obj_put(g);
	pb.used_pages = used;
	pb.limit_pages = limit;
	return copy_to_user(out, &pb, sizeof(pb));
}
