/*
 * Processes built from user space: create an empty one, start it, ask
 * what it is doing. The lifecycle is in object/cap_group_life.c.
 */
#include <mm/uaccess.h>
#include <mm/vmspace.h>
#include <object/cap_group.h>
#include <object/process.h>
#include <object/thread.h>
#include <sched/sched.h>
#include <syscall/linux/forward.h>
#include <syscall/native.h>
#include <uapi/ferry/errno.h>
#include <uapi/ferry/proc.h>

/*
 * A new, empty process named `name` (a user string of 1..31 bytes): a
 * cap_group with an empty vmspace, slots 0 (itself) and 1 (its
 * vmspace), no thread, not started (cap_group_start). flags:
 * PROC_CREATE_NATIVE gives it the native syscall range as well as
 * Linux's (a loader decides from the ELF's Ferry note). Its console (fds
 * 0-2) is the caller's. Returns a cap with all
 * rights; it dies, unstarted, when the last cap to it in a started
 * process's table goes (docs/architecture.md).
 * -EINVAL empty name or unknown flags, -ENAMETOOLONG name of 32 bytes or
 * more, -EFAULT bad name pointer, -EAGAIN no process id free, -ENOMEM
 * (also the caller's table full).
 */
long sys_proc_create(const char __user *name, u64 flags)
{
	char kname[PROC_NAME_MAX];
	struct cap_group *g;
	long ret;

	if (flags & ~(u64)PROC_CREATE_NATIVE)
		return -EINVAL;
	ret = strncpy_from_user(kname, name, sizeof(kname));
	if (ret < 0)
		return ret;
	if (ret == 0)
		return -EINVAL;
	ret = cap_group_create(kname, &g);
	if (ret)
		return ret;
	/* Nobody else knows it yet: no lock needed for these. */
	g->started = false;
	g->native = flags & PROC_CREATE_NATIVE;
	g->lx.mmap_base = USER_MMAP_BASE; /* brk is its loader's to set */
	fwd_proc_inherit(&g->lx, &current->group->lx);
	ret = cap_alloc(current->group, g, CAP_RIGHT_ALL);
	if (ret < 0) /* it held nothing yet: no holder, so it ends here */
		cap_group_exit(g, PROC_STATUS_KILLED(PROC_SIG_KILL));
	obj_put(g);
	return ret;
}

/*
 * Lets a process made by SYS_proc_create run: the threads made in it so
 * far, held until now, are queued (group_cap needs CONTROL). A process
 * with no thread ends at once with exit status 0, as a process does
 * when its last thread leaves. 0; -EINVAL already started (any process
 * not made by SYS_proc_create was started at birth); -ESRCH exiting or
 * dead; -ECAPBILITY.
 */
long sys_proc_start(u64 group_cap)
{
	struct cap_group *g;
	long ret = get_controlled_group(group_cap, &g);

	if (ret)
		return ret;
	ret = cap_group_start(g);
	obj_put(g);
	return ret;
}

/*
 * Writes a snapshot of process group_cap (CONTROL, as for wait and
 * kill) to *out: struct proc_info (uapi/ferry/proc.h). 0; -ECAPBILITY,
 * -EFAULT. It works on a dead process too (state EXITED, its status).
 */
long sys_proc_info(u64 group_cap, void __user *out)
{
	struct proc_info info;
	struct cap_group *g;
	long ret = get_controlled_group(group_cap, &g);

	if (ret)
		return ret;
	cap_group_info(g, &info);
	obj_put(g);
	return copy_to_user(out, &info, sizeof(info)) ? -EFAULT : 0;
}
