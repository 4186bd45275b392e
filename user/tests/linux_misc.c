/*
 * The small Linux calls: getpid, clock_gettime, sched_yield, arch_prctl,
 * set_tid_address, and an unknown syscall number, which must return
 * -ENOSYS and let the program go on.
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

static void test_ids(void)
{
	long pid = fy_syscall0(SYS_getpid), tid;

	tap_ok(pid > 0, "getpid is positive (%ld)", pid);
	tap_eq(fy_syscall0(SYS_getpid), pid, "getpid is stable");
	tap_eq(getpid(), pid, "musl's getpid agrees");
	tid = fy_syscall1(SYS_set_tid_address, 0);
	tap_ok(tid > 0, "set_tid_address gives the thread id (%ld)", tid);
	tap_eq(fy_syscall0(SYS_sched_yield), 0, "sched_yield is 0");
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
	return tap_done();
}
