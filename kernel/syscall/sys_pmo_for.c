/*
 * A PMO made for another process: what a loader in user space (procmgr)
 * gives a process it builds, its stack and its bss, is that process's
 * memory and is charged to its budget, not the loader's
 * (docs/architecture.md, "Memory budgets").
 */
#include <object/cap_group.h>
#include <object/pmo.h>
#include <object/thread.h>
#include <sched/sched.h>
#include <syscall/native.h>
#include <uapi/ferry/errno.h>

/*
 * As SYS_pmo_create (size in bytes, rounded up to pages; type
 * PMO_ANONYMOUS or PMO_DATA), with the PMO's memory charged to process
 * group_cap (CONTROL): the cap, all rights, lands in the caller's
 * table. -ECAPBILITY, -EINVAL, -ENOMEM (also past that process's
 * budget, for PMO_DATA at once).
 */
long sys_pmo_create_for(u64 group_cap, u64 size, u64 type)
{
	struct cap_group *g;
	struct pmo *p;
	long ret;

	if (type != PMO_ANONYMOUS && type != PMO_DATA)
		return -EINVAL;
	ret = get_controlled_group(group_cap, &g);
	if (ret)
		return ret;
	ret = pmo_create(size, (int)type, g->budget, &p);
	obj_put(g);
	if (ret)
		return ret;
	ret = cap_alloc(current->group, p, CAP_RIGHT_ALL);
	obj_put(p);
	return ret;
}
