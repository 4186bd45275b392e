/* Process and thread identity, TLS, time, exit, signals (none yet). */
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
#define CLOCK_REALTIME 0
#define CLOCK_MONOTONIC 1
#define CLOCK_MONOTONIC_RAW 4
#define CLOCK_REALTIME_COARSE 5
#define CLOCK_MONOTONIC_COARSE 6
#define CLOCK_BOOTTIME 7
#define NS_PER_TICK 10000000ul /* 100 Hz */

long linux_sched_yield(void)
{
	sched_yield();
	return 0;
}

long linux_getpid(void)
{
	return current->group->pid;
}

long linux_gettid(void)
{
	/* Unique across processes as Linux tids are: pid in the high bits. */
	return (long)(current->group->pid * 1000 + current->tid);
}

long linux_exit(u64 code)
{
	(void)code; /* a thread's own code is not kept; the process's is */
	thread_exit();
}

long linux_exit_group(u64 code)
{
	cap_group_exit(current->group, PROC_STATUS_EXITED((int)code));
	thread_exit();
}

long linux_arch_prctl(u64 code, u64 addr)
{
	switch (code) {
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
	current->clear_child_tid = tidptr;
	return linux_gettid();
}

long linux_clock_gettime(u64 clk, void __user *ts)
{
	struct {
		s64 sec, nsec;
	} t;
	u64 ns;

	switch (clk) {
	case CLOCK_REALTIME:
	case CLOCK_MONOTONIC:
	case CLOCK_MONOTONIC_RAW:
	case CLOCK_REALTIME_COARSE:
	case CLOCK_MONOTONIC_COARSE:
	case CLOCK_BOOTTIME:
		break;
	default:
		return -EINVAL;
	}
	/* Ticks only: no wall clock yet, so REALTIME starts at boot too. */
	ns = sched_ticks() * NS_PER_TICK;
	t.sec = (s64)(ns / 1000000000ul);
	t.nsec = (s64)(ns % 1000000000ul);
	return copy_to_user(ts, &t, sizeof(t));
}

/* No signals yet: handlers are accepted and never run. */
long linux_rt_sigaction(u64 sig, u64 act, u64 oact, u64 size)
{
	(void)act;
	if (sig == 0 || sig > 64 || size != 8)
		return -EINVAL;
	if (oact) {
		u64 zero[4] = {0};
		return copy_to_user((void __user *)oact, zero, sizeof(zero));
	}
	return 0;
}

long linux_rt_sigprocmask(u64 how, u64 set, u64 oset, u64 size)
{
	(void)set;
	if (how > 2 || size != 8)
		return -EINVAL;
	if (oset) {
		u64 zero = 0;
		return copy_to_user((void __user *)oset, &zero, sizeof(zero));
	}
	return 0;
}
