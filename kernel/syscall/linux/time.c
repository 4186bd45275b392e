/*
 * Linux time calls: clock_gettime, clock_getres, clock_nanosleep,
 * nanosleep, gettimeofday, time. Semantics and errors follow Linux 6.1
 * (kernel/time/posix-timers.c, posix-cpu-timers.c) as measured with
 * linux-ref; docs/linux-abi.md lists the clocks and their resolutions.
 *
 * Clock ids are C ints (the high half of the register is ignored, as on
 * Linux). Negative ids are CPU-time clocks of a pid or tid, encoded as
 * Linux does: ~id >> 3 is the pid (0: the caller), bit 2 says "thread",
 * bits 0-1 pick PROF/VIRT/SCHED; low bits 011 make it a file-descriptor
 * clock (none exist here). Ferry serves the CPU clocks of the caller's
 * own process and thread, all three kinds with the same exact count
 * (Ferry does not split user and kernel time); any other pid is -EINVAL
 * (Linux can also read other processes' clocks).
 */
#include <lib/time.h>
#include <mm/uaccess.h>
#include <object/cap_group.h>
#include <object/thread.h>
#include <sched/sched.h>
#include <syscall/linux/linux.h>
#include <uapi/ferry/errno.h>

#define CLOCK_REALTIME 0
#define CLOCK_MONOTONIC 1
#define CLOCK_PROCESS_CPUTIME_ID 2
#define CLOCK_THREAD_CPUTIME_ID 3
#define CLOCK_MONOTONIC_RAW 4
#define CLOCK_REALTIME_COARSE 5
#define CLOCK_MONOTONIC_COARSE 6
#define CLOCK_BOOTTIME 7
#define CLOCK_REALTIME_ALARM 8
#define CLOCK_BOOTTIME_ALARM 9
#define CLOCK_TAI 11
#define CPUCLOCK_PERTHREAD 4
#define CPUCLOCK_WHICH_MASK 3
#define CPUCLOCK_MAX 3
#define CLOCKFD_MASK 7
#define CLOCKFD 3
#define TIMER_ABSTIME 1
#define EOPNOTSUPP 95

/* struct __kernel_timespec and struct __kernel_old_timeval (x86_64). */
struct linux_timespec {
	s64 sec;
	s64 nsec;
};
struct linux_timeval {
	s64 sec;
	s64 usec;
};
_Static_assert(sizeof(struct linux_timespec) == 16, "Linux timespec");
_Static_assert(__builtin_offsetof(struct linux_timespec, nsec) == 8,
	       "Linux timespec");
_Static_assert(sizeof(struct linux_timeval) == 16, "Linux timeval");

enum clock_kind {
	CK_BAD,
	CK_REAL,
	CK_MONO,
	CK_REAL_COARSE,
	CK_MONO_COARSE,
	CK_PROC_CPU,
	CK_THREAD_CPU,
};

/* What a CPU-time clock id names, or CK_BAD. */
static enum clock_kind cpu_clock_kind(int id)
{
	int pid = ~id >> 3;
	struct cap_group *g = current->group;

	if ((id & CPUCLOCK_WHICH_MASK) == CPUCLOCK_MAX)
		return CK_BAD; /* a clock fd (no posix clock devices), or bad */
	if (id & CPUCLOCK_PERTHREAD)
		return pid == 0 || pid == linux_gettid() ? CK_THREAD_CPU
							 : CK_BAD;
	return pid == 0 || (u32)pid == g->pid ? CK_PROC_CPU : CK_BAD;
}

static enum clock_kind clock_kind(int id)
{
	if (id < 0)
		return cpu_clock_kind(id);
	switch (id) {
	case CLOCK_REALTIME:
	case CLOCK_REALTIME_ALARM:
	case CLOCK_TAI: /* TAI - UTC is 0 until someone sets it, as on Linux */
		return CK_REAL;
	case CLOCK_MONOTONIC:
	case CLOCK_MONOTONIC_RAW: /* nothing slews the TSC clock */
	case CLOCK_BOOTTIME:	  /* Ferry never suspends */
	case CLOCK_BOOTTIME_ALARM:
		return CK_MONO;
	case CLOCK_REALTIME_COARSE:
		return CK_REAL_COARSE;
	case CLOCK_MONOTONIC_COARSE:
		return CK_MONO_COARSE;
	case CLOCK_PROCESS_CPUTIME_ID:
		return CK_PROC_CPU;
	case CLOCK_THREAD_CPUTIME_ID:
		return CK_THREAD_CPU;
	}
	return CK_BAD; /* 10 (SGI_CYCLE) and anything else */
}

static s64 clock_now_ns(enum clock_kind k)
{
	switch (k) {
	case CK_REAL:
		return time_real_ns();
	case CK_MONO:
		return (s64)time_mono_ns();
	case CK_REAL_COARSE:
		return time_real_coarse_ns();
	case CK_MONO_COARSE:
		return (s64)time_mono_coarse_ns();
	case CK_PROC_CPU:
		return (s64)time_tsc_to_ns(sched_group_cpu_tsc(current->group));
	case CK_THREAD_CPU:
		return (s64)time_tsc_to_ns(sched_thread_cpu_tsc());
	case CK_BAD:
		break;
	}
	return 0;
}

static struct linux_timespec ns_to_ts(s64 ns)
{
	struct linux_timespec ts = {ns / (s64)NS_PER_SEC, ns % (s64)NS_PER_SEC};

	if (ts.nsec < 0) { /* before 1970: nsec stays in [0, 1e9) */
		ts.sec--;
		ts.nsec += NS_PER_SEC;
	}
	return ts;
}

/*
 * clock_gettime(2): 0, -EINVAL for an unknown clock, -EFAULT if ts
 * cannot be written.
 */
long linux_clock_gettime(u64 clk, void __user *ts)
{
	enum clock_kind k = clock_kind((int)clk);
	struct linux_timespec t;

	if (k == CK_BAD)
		return -EINVAL;
	t = ns_to_ts(clock_now_ns(k));
	return copy_to_user(ts, &t, sizeof(t));
}

/*
 * clock_getres(2): what one step of each clock is. The TSC clocks and
 * the CPU-time clocks count in nanoseconds (1 ns, as Linux's hrtimer
 * clocks report); the coarse clocks move once a tick (10 ms). res may
 * be NULL. -EINVAL unknown clock, -EFAULT.
 */
long linux_clock_getres(u64 clk, void __user *res)
{
	enum clock_kind k = clock_kind((int)clk);
	struct linux_timespec t = {0, 1};

	if (k == CK_BAD)
		return -EINVAL;
	if (k == CK_REAL_COARSE || k == CK_MONO_COARSE)
		t.nsec = NS_PER_TICK;
	return res ? copy_to_user(res, &t, sizeof(t)) : 0;
}

/* Reads and checks a sleep request: -EFAULT, -EINVAL (timespec64_valid). */
static long get_request(const void __user *req, u64 *ns)
{
	struct linux_timespec t;

	if (copy_from_user(&t, req, sizeof(t)))
		return -EFAULT;
	if (t.sec < 0 || (u64)t.nsec >= NS_PER_SEC)
		return -EINVAL;
	/* Past ~584 years the sum saturates: the sleep is "forever". */
	if ((u64)t.sec > (~0ull - (u64)t.nsec) / NS_PER_SEC)
		*ns = ~0ull;
	else
		*ns = (u64)t.sec * NS_PER_SEC + (u64)t.nsec;
	return 0;
}

static u64 add_sat(u64 a, u64 b)
{
	return a + b < a ? ~0ull : a + b;
}

/*
 * Sleeps until the process's CPU time reaches target (other threads').
 * Compared unsigned: a target past 2^63 ns (a saturated sum) is far in
 * the future, not negative, so it never ends the sleep at once.
 */
static long sleep_cpu(u64 target_ns)
{
	while ((u64)clock_now_ns(CK_PROC_CPU) < target_ns) {
		long r = sched_sleep_until(time_mono_ns() + NS_PER_TICK);

		if (r)
			return r;
	}
	return 0;
}

/*
 * clock_nanosleep(2): sleeps for req (relative) or until req on clk's
 * scale (TIMER_ABSTIME; other flag bits are ignored, as on Linux). The
 * sleep lasts at least as long as asked: it ends at the first scheduler
 * tick (100 Hz) after the deadline. rem is written only when a signal
 * interrupts a relative sleep, and Ferry has no signals, so never.
 * Errors in Linux's order: -EINVAL for an unknown clock id >= 0;
 * -EOPNOTSUPP for clocks that cannot sleep (THREAD_CPUTIME_ID, RAW,
 * COARSE, clock fds); -EFAULT for req; -EINVAL for tv_sec < 0 or
 * tv_nsec outside [0, 999999999]; then -EINVAL for a CPU-clock id that
 * names a thread or another process; -EINTR if the thread is killed.
 */
long linux_clock_nanosleep(u64 clk, u64 flags, const void __user *req,
			   void __user *rem)
{
	int id = (int)clk;
	enum clock_kind k = clock_kind(id);
	u64 ns, now;
	long ret;

	(void)rem;
	if (id >= 0 && k == CK_BAD)
		return -EINVAL;
	if (id == CLOCK_THREAD_CPUTIME_ID || id == CLOCK_MONOTONIC_RAW ||
	    k == CK_REAL_COARSE || k == CK_MONO_COARSE ||
	    (id < 0 && (id & CLOCKFD_MASK) == CLOCKFD))
		return -EOPNOTSUPP;
	ret = get_request(req, &ns);
	if (ret)
		return ret;
	if (k == CK_BAD || k == CK_THREAD_CPU) /* posix_cpu_nsleep's checks */
		return -EINVAL;
	now = (u64)clock_now_ns(k);
	if (k == CK_PROC_CPU)
		return sleep_cpu((u32)flags & TIMER_ABSTIME ? ns
							    : add_sat(now, ns));
	if (!((u32)flags & TIMER_ABSTIME))
		return sched_sleep_until(add_sat(time_mono_ns(), ns));
	if (k == CK_REAL) {
		/*
		 * The wall clock is the monotonic one plus a fixed offset.
		 * ns is unsigned (up to 2^64-1, saturated): compared as s64
		 * a date past 2262 would read as before boot and end the
		 * sleep at once, where Linux sleeps (KTIME_MAX).
		 */
		s64 off = time_real_offset_ns();

		if (off >= 0 && ns < (u64)off)
			return 0; /* before boot: long past */
		ns = off >= 0 ? ns - (u64)off : add_sat(ns, -(u64)off);
	}
	return sched_sleep_until(ns);
}

/* nanosleep(2): a relative CLOCK_MONOTONIC clock_nanosleep. */
long linux_nanosleep(const void __user *req, void __user *rem)
{
	return linux_clock_nanosleep(CLOCK_MONOTONIC, 0, req, rem);
}

/*
 * gettimeofday(2): either pointer may be NULL; the timezone is always
 * {0, 0} (UTC, no DST), as Linux's sys_tz is unless someone sets it.
 * -EFAULT for a pointer that cannot be written.
 */
long linux_gettimeofday(void __user *tv, void __user *tz)
{
	if (tv) {
		struct linux_timespec ts = ns_to_ts(time_real_ns());
		struct linux_timeval v = {ts.sec, ts.nsec / 1000};

		if (copy_to_user(tv, &v, sizeof(v)))
			return -EFAULT;
	}
	if (tz) {
		s32 zone[2] = {0, 0};

		if (copy_to_user(tz, zone, sizeof(zone)))
			return -EFAULT;
	}
	return 0;
}

/* time(2): seconds since 1970, also stored at tloc if not NULL. -EFAULT. */
long linux_time(void __user *tloc)
{
	s64 t = ns_to_ts(time_real_ns()).sec;

	if (tloc && copy_to_user(tloc, &t, sizeof(t)))
		return -EFAULT;
	return t;
}
