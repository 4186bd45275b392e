/*
 * The small Linux calls from a native program (it carries the Ferry note):
 * getpid, gettid, clock_gettime, sched_yield, arch_prctl, set_tid_address,
 * an unknown syscall number, which must return -ENOSYS and let the program
 * go on, and both syscall ranges (a Linux program's view is in
 * linux_abi_misc). Thread ids: one space with pids, main thread's = pid.
 */
#include <pthread.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <ferry/ferry.h>

#include "tap.h"
#include "util.h"

/* From Linux's <asm/prctl.h>, which musl does not ship. */
#define ARCH_SET_FS 0x1002
#define ARCH_GET_FS 0x1003

static char stack[16384] __attribute__((aligned(16)));
static volatile long child_tid, child_pid;

static void tid_child(void *arg)
{
	(void)arg;
	child_pid = fy_syscall0(SYS_getpid);
	child_tid = fy_syscall0(SYS_gettid);
	fy_thread_exit();
}

static void test_ids(void)
{
	long pid = fy_syscall0(SYS_getpid), tid, t;

	tap_ok(pid > 0, "getpid is positive (%ld)", pid);
	tap_eq(fy_syscall0(SYS_getpid), pid, "getpid is stable");
	tap_eq(getpid(), pid, "musl's getpid agrees");
	tap_eq(fy_syscall0(SYS_gettid), pid,
	       "the main thread's tid is the pid");
	tid = fy_syscall1(SYS_set_tid_address, 0);
	tap_eq(tid, pid, "set_tid_address gives the thread id, the pid");
	tap_eq(fy_syscall0(SYS_sched_yield), 0, "sched_yield is 0");
	t = fy_thread_create(CAP_SELF_GROUP, tid_child, stack + sizeof(stack),
			     0, 0);
	tap_ok(t >= 0, "a second thread (%ld)", t);
	for (int i = 0; i < 100000 && !child_tid; i++)
		fy_yield();
	tap_eq(child_pid, pid, "its getpid is the process's");
	tap_ok(child_tid > 0 && child_tid != pid,
	       "its tid is its own (%ld), not the pid", child_tid);
	if (t >= 0)
		fy_cap_delete((cap_t)t);
}

static long ts_ns(const struct timespec *ts)
{
	return ts->tv_sec * 1000000000l + ts->tv_nsec;
}

static void test_clock(void)
{
	struct timespec a, b;
	long r;

	tap_eq(fy_syscall2(SYS_clock_gettime, CLOCK_MONOTONIC, (long)&a), 0,
	       "clock_gettime(CLOCK_MONOTONIC)");
	tap_ok(a.tv_nsec >= 0 && a.tv_nsec < 1000000000l,
	       "tv_nsec is in range (%ld)", a.tv_nsec);
	b = a;
	for (long i = 0; i < 100000000 && ts_ns(&b) == ts_ns(&a); i++)
		fy_syscall2(SYS_clock_gettime, CLOCK_MONOTONIC, (long)&b);
	tap_ok(ts_ns(&b) > ts_ns(&a), "the monotonic clock advances");
	for (int i = 0; i < 1000; i++) {
		a = b;
		clock_gettime(CLOCK_MONOTONIC, &b);
		if (ts_ns(&b) < ts_ns(&a))
			break;
	}
	tap_ok(ts_ns(&b) >= ts_ns(&a), "and never goes back (1000 reads)");
	tap_eq(fy_syscall2(SYS_clock_gettime, CLOCK_REALTIME, (long)&a), 0,
	       "clock_gettime(CLOCK_REALTIME)");
	tap_eq(fy_syscall2(SYS_clock_gettime, CLOCK_MONOTONIC,
			   (long)KERNEL_PTR),
	       -EFAULT, "clock_gettime into the kernel is -EFAULT");
	tap_eq(fy_syscall2(SYS_clock_gettime, CLOCK_MONOTONIC,
			   (long)unmapped_ptr()),
	       -EFAULT, "clock_gettime into unmapped memory is -EFAULT");
	r = fy_syscall2(SYS_clock_gettime, 999, (long)&a);
	tap_eq(r, -EINVAL, "clock id 999 is -EINVAL");
}

static void test_arch_prctl(void)
{
	unsigned long fs = 0;

	tap_eq(fy_syscall2(SYS_arch_prctl, ARCH_GET_FS, (long)&fs), 0,
	       "arch_prctl(ARCH_GET_FS)");
	tap_eq((long)fs, (long)pthread_self(),
	       "fs base is musl's thread pointer");
	tap_eq(fy_syscall2(SYS_arch_prctl, ARCH_SET_FS, (long)fs), 0,
	       "arch_prctl(ARCH_SET_FS) with the same value");
	tap_eq(fy_syscall2(SYS_arch_prctl, ARCH_SET_FS, (long)KERNEL_PTR),
	       -EPERM, "ARCH_SET_FS to a kernel address is -EPERM");
	tap_eq(fy_syscall2(SYS_arch_prctl, ARCH_GET_FS, (long)KERNEL_PTR),
	       -EFAULT, "ARCH_GET_FS into the kernel is -EFAULT");
	tap_eq(fy_syscall2(SYS_arch_prctl, 0x9999, 0), -EINVAL,
	       "an unknown arch_prctl code is -EINVAL");
	/* TLS still works: errno lives there. */
	errno = 0;
	tap_eq(write(-1, "", 1), -1, "a failing libc call");
	tap_eq(errno, EBADF, "sets errno in TLS");
}

/* exit(2) of the last thread: its code is the process's status. */
static void test_exit_code(void)
{
	const char *argv5[] = {"helpers/linux_exit", "5", NULL};
	const char *argv0[] = {"helpers/linux_exit", "0", NULL};
	const char *argv300[] = {"helpers/linux_exit", "300", NULL};

	tap_eq(spawn_wait("helpers/linux_exit", argv5), PROC_STATUS_EXITED(5),
	       "exit(5) from the only thread: exit status 5");
	tap_eq(spawn_wait("helpers/linux_exit", argv0), PROC_STATUS_EXITED(0),
	       "exit(0): exit status 0");
	tap_eq(spawn_wait("helpers/linux_exit", argv300),
	       PROC_STATUS_EXITED(300 & 0xff), "exit(300): status 300 & 0xff");
}

/* A native program keeps both ranges (docs/linux-abi.md, Personality). */
static void test_native_range(void)
{
	tap_eq(fy_syscall0(SYS_null), 0,
	       "SYS_null (4096) reaches the native table");
	tap_eq(fy_syscall0(1l << 32 | SYS_null), 0,
	       "the number is an int: SYS_null | 1 << 32 is SYS_null");
	tap_eq(fy_syscall0(FERRY_SYS_BASE + FERRY_SYS_NR), -ENOSYS,
	       "the number after the last native call is -ENOSYS");
}

static void test_unknown(void)
{
	tap_eq(fy_syscall0(333), -ENOSYS, "syscall 333 is -ENOSYS");
	tap_eq(fy_syscall0(1000), -ENOSYS, "syscall 1000 is -ENOSYS");
	tap_eq(fy_syscall6(FERRY_SYS_BASE - 1, 1, 2, 3, 4, 5, 6), -ENOSYS,
	       "the number just below the native range is -ENOSYS");
	tap_eq(fy_syscall0(SYS_getpid) > 0, 1, "the program goes on");
}

int main(void)
{
	test_ids();
	test_clock();
	test_arch_prctl();
	test_unknown();
	test_native_range();
	test_exit_code();
	return tap_done();
}
