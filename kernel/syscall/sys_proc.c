/*
 * Process syscalls: wait, kill, exit. Processes are made in user space
 * (SYS_proc_create: sys_proc_create.c; procmgr, init's own loader).
 */
#include <lib/string.h>
#include <mm/kmalloc.h>
#include <mm/uaccess.h>
#include <object/cap_group.h>
#include <object/process.h>
#include <object/thread.h>
#include <sched/sched.h>
#include <syscall/native.h>
#include <uapi/ferry/errno.h>
#include <uapi/ferry/proc.h>

/* Argument strings copied in from user space, in one buffer. */
/*
 * Waits until the process has exited and returns its wait status
 * (uapi/ferry/proc.h). -ECAPBILITY, -EDEADLK on itself, -EINTR if the
 * caller is killed meanwhile.
 */
long sys_proc_wait(u64 proc_cap)
{
	struct cap_group *g;
	long ret = get_controlled_group(proc_cap, &g);

	if (ret)
		return ret;
	ret = g == current->group ? -EDEADLK : cap_group_wait(g);
	obj_put(g);
	return ret;
}

/* Kills a process (status: killed by signal 9). Killing oneself exits. */
long sys_proc_kill(u64 proc_cap)
{
	struct cap_group *g;
	long ret = get_controlled_group(proc_cap, &g);
	bool self;

	if (ret)
		return ret;
	self = g == current->group;
	cap_group_exit(g, PROC_STATUS_KILLED(PROC_SIG_KILL));
	obj_put(g);
	if (self)
		thread_exit();
	return 0;
}

/* Ends the calling process with exit code `code` (low 8 bits). */
long sys_proc_exit(u64 code)
{
	cap_group_exit(current->group, PROC_STATUS_EXITED((int)code));
	thread_exit();
}
