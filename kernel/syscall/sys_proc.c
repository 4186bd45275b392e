/* Process syscalls: spawn from the initrd, wait, kill, exit. */
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
struct spawn_args {
	char path[PATH_MAX_FERRY];
	const char *argv[SPAWN_MAX_ARGS + 1];
	const char *envp[SPAWN_MAX_ARGS + 1];
	char strings[SPAWN_MAX_STRINGS];
	size_t used;
	int nvec;
};

static long copy_vector(struct spawn_args *a,
			const char __user *const __user *uv, const char **kv)
{
	for (int i = 0;; i++) {
		const char __user *s;
		long n;

		if (uv == NULL && i == 0) {
			kv[0] = NULL;
			return 0;
		}
		if (copy_from_user(&s, &uv[i], sizeof(s)))
			return -EFAULT;
		if (!s) {
			kv[i] = NULL;
			return 0;
		}
		if (a->nvec >= SPAWN_MAX_ARGS)
			return -E2BIG;
		n = strncpy_from_user(a->strings + a->used, s,
				      SPAWN_MAX_STRINGS - a->used);
		if (n < 0)
			return n == -ENAMETOOLONG ? -E2BIG : n;
		kv[i] = a->strings + a->used;
		a->used += (size_t)n + 1;
		a->nvec++;
	}
}

/*
 * The main thread's priority and MCP from SYS_spawn's arguments, each
 * SPAWN_SCHED_DEFAULT or 0..31 (docs/syscalls.md): -EINVAL out of range
 * or prio above mcp, -EPERM above the caller's own MCP.
 */
static long spawn_sched(u64 prio, u64 mcp, u32 *kprio, u32 *kmcp)
{
	if (mcp == (u64)SPAWN_SCHED_DEFAULT)
		mcp = current->mcp;
	if (prio == (u64)SPAWN_SCHED_DEFAULT)
		prio = mcp < PRIO_DEFAULT ? mcp : PRIO_DEFAULT;
	if (prio > PRIO_MAX || mcp > PRIO_MAX)
		return -EINVAL;
	if (prio > current->mcp || mcp > current->mcp)
		return -EPERM;
	if (prio > mcp)
		return -EINVAL;
	*kprio = (u32)prio;
	*kmcp = (u32)mcp;
	return 0;
}

/*
 * Starts the initrd program `path` with argv and envp (NULL-terminated;
 * envp may be NULL), its main thread at priority `prio` with MCP `mcp`
 * (SPAWN_SCHED_DEFAULT: PRIO_DEFAULT capped at the MCP; the caller's
 * MCP). Returns a cap (all rights) to the new process.
 * -EFAULT bad pointer, -ENAMETOOLONG path, -E2BIG arguments (or more
 * than 16 loadable segments), -ENOENT, -ENOEXEC, -EINVAL empty argv,
 * prio or mcp out of range, prio above mcp, -EPERM prio or mcp above
 * the caller's MCP, -EIO malformed initrd, -EAGAIN no process id free,
 * -ENOMEM. Only init (the process the kernel started) may call it:
 * -EPERM for any other, checked first; programs start through procmgr.
 */
long sys_spawn(const char __user *path, const char __user *const __user *argv,
	       const char __user *const __user *envp, u64 prio, u64 mcp)
{
	struct spawn_args *a;
	struct cap_group *g;
	u32 kprio, kmcp;
	long ret;

	/* init's alone: the servers procmgr needs (docs/process.md). */
	if (current->group != process_init)
		return -EPERM;
	ret = spawn_sched(prio, mcp, &kprio, &kmcp);
	if (ret)
		return ret;
	a = kzalloc(sizeof(*a));
	if (!a)
		return -ENOMEM;
	ret = strncpy_from_user(a->path, path, sizeof(a->path));
	if (ret < 0)
		goto out_free;
	ret = copy_vector(a, argv, a->argv);
	if (ret)
		goto out_free;
	ret = copy_vector(a, envp, a->envp);
	if (ret)
		goto out_free;
	ret = -EINVAL;
	if (!a->argv[0])
		goto out_free;
	ret = process_spawn(a->path, a->argv, a->envp, kprio, kmcp, &g);
	if (ret)
		goto out_free;
	ret = cap_alloc(current->group, g, CAP_RIGHT_ALL);
	if (ret < 0)
		cap_group_exit(g, PROC_STATUS_KILLED(PROC_SIG_KILL));
	obj_put(g);
out_free:
	kfree(a);
	return ret;
}

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
