/* Process and thread identity, TLS, exit, signals (none yet). */
#include <arch/arch.h>
#include <mm/uaccess.h>
#include <object/cap_group.h>
#include <object/thread.h>
#include <sched/sched.h>
#include <syscall/linux/linux.h>
#include <uapi/ferry/errno.h>
#include <uapi/ferry/proc.h>

#define ARCH_SET_FS 0x1002
#define ARCH_GET_FS 0x1003

long linux_sched_yield(void)
{
	sched_yield();
	return 0;
}

/*
 * getuid, getgid, geteuid, getegid: 0. A Linux process on Ferry is root
 * (as AT_UID/AT_GID say): there are no users yet, and System V shm's
 * permission checks pass as for root (shm.c).
 */
long linux_getuid(void)
{
	return 0;
}

long linux_getgid(void)
{
	return 0;
}

long linux_geteuid(void)
{
	return 0;
}

long linux_getegid(void)
{
	return 0;
}

long linux_getpid(void)
{
	return current->group->pid;
}

/* Tids and pids share one space (object/task_id.h): main thread's = pid. */
long linux_gettid(void)
{
	return (long)current->tid;
}

/*
 * exit(2) ends the calling thread; if it is the last one, its code is the
 * process's exit status (as Linux's do_exit for a group's last thread).
 */
long linux_exit(u64 code)
{
	struct cap_group *g = current->group;

	lock(&g->lock);
	if (g->nthreads == 1 && !g->exiting) {
		g->exiting = true;
		g->exit_status = PROC_STATUS_EXITED((int)code);
	}
	unlock(&g->lock);
	thread_exit();
}

long linux_exit_group(u64 code)
{
	cap_group_exit(current->group, PROC_STATUS_EXITED((int)code));
	thread_exit();
}

long linux_arch_prctl(u64 code, u64 addr)
{
	switch ((int)code) { /* an int in Linux's prototype */
	case ARCH_SET_FS:
		if (addr >= USER_TOP)
			return -EPERM;
		arch_set_tls(current, addr);
		return 0;
	case ARCH_GET_FS: {
		/* Live: a selector load or wrfsbase may have changed it. */
		u64 base = arch_get_tls(current);

		return copy_to_user((void __user *)addr, &base, sizeof(base));
	}
	}
	return -EINVAL;
}

long linux_set_tid_address(u64 tidptr)
{
	current->lx.clear_child_tid = tidptr;
	return linux_gettid();
}

/*
 * No signals are delivered yet, but the calls keep their state and check
 * their arguments as Linux does (kernel/signal.c): sigsetsize first, then
 * the copy in, then the signal or `how`, then the copy out.
 */
#define SIGKILL 9
#define SIGSTOP 19
#define SIG_SETMASK 2
#define NSIG 64
#define SIGBIT(s) (1ul << ((s)-1))

long linux_rt_sigaction(u64 sig, u64 act, u64 oact, u64 size)
{
	struct linux_sigaction new = {0}, old;
	int s = (int)sig;
	long ret;

	if (size != sizeof(u64))
		return -EINVAL;
	if (act && copy_from_user(&new, (const void __user *)act, sizeof(new)))
		return -EFAULT;
	if (s < 1 || s > NSIG || (act && (s == SIGKILL || s == SIGSTOP)))
		return -EINVAL;
	new.mask &= ~(SIGBIT(SIGKILL) | SIGBIT(SIGSTOP));
	ret = linux_sigaction_swap(&current->group->lx, current->group->budget,
				   s, act ? &new : NULL, &old);
	if (ret)
		return ret;
	if (oact && copy_to_user((void __user *)oact, &old, sizeof(old)))
		return -EFAULT;
	return 0;
}

long linux_rt_sigprocmask(u64 how, u64 set, u64 oset, u64 size)
{
	u64 old = current->lx.sigmask, new;

	if (size != sizeof(u64))
		return -EINVAL;
	if (set) {
		if (copy_from_user(&new, (const void __user *)set, sizeof(new)))
			return -EFAULT;
		new &= ~(SIGBIT(SIGKILL) | SIGBIT(SIGSTOP));
		switch ((int)how) {
		case 0: /* SIG_BLOCK */
			current->lx.sigmask |= new;
			break;
		case 1: /* SIG_UNBLOCK */
			current->lx.sigmask &= ~new;
			break;
		case SIG_SETMASK:
			current->lx.sigmask = new;
			break;
		default:
			return -EINVAL;
		}
	}
	if (oset && copy_to_user((void __user *)oset, &old, sizeof(old)))
		return -EFAULT;
	return 0;
}
