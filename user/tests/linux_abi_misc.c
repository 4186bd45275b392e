/*
 * The small Linux calls as a table of (arguments, Linux 6.1's answer):
 * numbers Linux does not have, ids, arch_prctl, clock_gettime's errors,
 * rt_sigaction and rt_sigprocmask. Run unmodified under Linux by
 * tools/linux-ref-tests.sh; on Ferry it has no Ferry note, so it gets the
 * Linux personality: Linux's table and nothing else.
 */
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>

#include "linux_abi.h"

#define ARCH_SET_GS 0x1001
#define ARCH_SET_FS 0x1002
#define ARCH_GET_FS 0x1003
#define ARCH_GET_GS 0x1004
#define AREA 0x320000000l /* page 0: rw, 1: read-only, 2: unmapped */
#define RO (AREA + PG)
#define GONE (AREA + 2 * PG)

/* syscall(2): a number the kernel does not have is -ENOSYS. */
static void test_numbers(void)
{
	int bad = 0;

	tap_eq(lx0(4096), -ENOSYS, "syscall 4096: -ENOSYS");
	for (long n = 4096; n < 4096 + 64; n++)
		bad += lx6(n, 0, 0, 0, 0, 0, 0) != -ENOSYS;
	tap_eq(bad, 0, "syscalls 4096-4159: all -ENOSYS");
	for (long n = 451; n < 512; n++)
		bad += lx6(n, 0, 0, 0, 0, 0, 0) != -ENOSYS;
	tap_eq(bad, 0, "syscalls 451-511: all -ENOSYS");
	tap_eq(lx0(512), -ENOSYS, "syscall 512 (x32 range, no x32): -ENOSYS");
	tap_eq(lx0(1000), -ENOSYS, "syscall 1000: -ENOSYS");
	tap_eq(lx0(-1), -ENOSYS, "syscall -1: -ENOSYS");
	tap_eq(lx0(0x40000000 | SYS_getpid), -ENOSYS, "x32 getpid: -ENOSYS");
	tap_eq(lx0(1l << 32 | SYS_getpid), lx0(SYS_getpid),
	       "getpid | 1 << 32: getpid (the number is an int)");
	/* Removed from Linux long ago: -ENOSYS there, and unknown to Ferry. */
	tap_diag("console-once: unsupported Linux syscall 183 (afs_syscall)");
	tap_eq(lx0(183), -ENOSYS, "afs_syscall (183): -ENOSYS");
	tap_eq(lx0(183), -ENOSYS, "afs_syscall again: -ENOSYS");
	tap_eq(lx0(156), -ENOSYS, "_sysctl (156): -ENOSYS");
	tap_ok(lx0(SYS_getpid) > 0, "the program goes on");
}

/* gettid(2): "In a single-threaded process, the thread ID is equal to the PID".
 */
static void test_ids(void)
{
	long pid = lx0(SYS_getpid);

	tap_ok(pid > 0, "getpid: positive");
	tap_eq(lx0(SYS_gettid), pid, "gettid of the main thread: the pid");
	tap_eq(lx1(SYS_set_tid_address, 0), pid,
	       "set_tid_address: the caller's tid");
	tap_eq(lx1(SYS_set_tid_address, KERNEL_ADDR), pid,
	       "set_tid_address with a kernel address: the tid all the same");
	tap_eq(lx0(SYS_sched_yield), 0, "sched_yield: 0");
}

/* arch_prctl(ARCH_GET_FS) into p. */
static long get_fs(long p)
{
	return lx2(SYS_arch_prctl, ARCH_GET_FS, p);
}

/* arch_prctl(2): EINVAL for a bad code, EPERM outside user space, EFAULT. */
static void test_arch_prctl(void)
{
	unsigned long fs = 0, v = 0;

	tap_eq(lx2(SYS_arch_prctl, ARCH_GET_FS, &fs), 0, "ARCH_GET_FS");
	tap_eq(lx2(SYS_arch_prctl, 0x9999, 0), -EINVAL, "code 0x9999: -EINVAL");
	tap_eq(lx2(SYS_arch_prctl, 0, 0), -EINVAL, "code 0: -EINVAL");
	tap_eq(lx2(SYS_arch_prctl, -1, 0), -EINVAL, "code -1: -EINVAL");
	tap_eq(lx2(SYS_arch_prctl, ARCH_SET_FS, KERNEL_ADDR), -EPERM,
	       "ARCH_SET_FS to the kernel half: -EPERM");
	tap_eq(lx2(SYS_arch_prctl, ARCH_SET_FS, 0x800000000000l), -EPERM,
	       "ARCH_SET_FS to a non-canonical address: -EPERM");
	tap_eq(lx2(SYS_arch_prctl, ARCH_SET_FS, TASK_END), -EPERM,
	       "ARCH_SET_FS to the end of user space: -EPERM");
	tap_eq(lx2(SYS_arch_prctl, ARCH_SET_FS, -1), -EPERM,
	       "ARCH_SET_FS to -1: -EPERM");
	/* Raw calls only until FS is back: libc's TLS lives there. */
	v = lx2(SYS_arch_prctl, ARCH_SET_FS, TASK_END - 1);
	lx2(SYS_arch_prctl, ARCH_SET_FS, fs);
	tap_eq(v, 0, "ARCH_SET_FS to the last user byte: 0");
	v = lx2(SYS_arch_prctl, 1l << 32 | ARCH_SET_FS, fs);
	tap_eq(v, 0, "code ARCH_SET_FS | 1 << 32 (an int): ARCH_SET_FS");
	tap_efault_out(get_fs, GONE, RO, 4, "ARCH_GET_FS ");
}

/* clock_gettime(CLOCK_MONOTONIC) into p. */
static long gettime_mono(long p)
{
	return lx2(SYS_clock_gettime, CLOCK_MONOTONIC, p);
}

/* clock_gettime(2): EINVAL for an unknown clock, EFAULT for tp. */
static void test_clock(void)
{
	struct timespec ts;

	tap_eq(lx2(SYS_clock_gettime, 999, &ts), -EINVAL, "clock 999: -EINVAL");
	tap_efault_out(gettime_mono, GONE, RO, 8, "");
}

struct ksigaction {
	unsigned long handler, flags, restorer, mask;
};

static void handler(int sig)
{
	(void)sig;
}

/* rt_sigaction(2)/rt_sigprocmask(2): EINVAL, EFAULT; state is kept. */
static void test_signals(void)
{
	struct ksigaction act = {(unsigned long)handler, 0, 0, 0}, old;
	unsigned long set = 1ul << (SIGUSR1 - 1), oset;

	tap_eq(lx6(SYS_rt_sigaction, 0, 0, 0, 8, 0, 0), -EINVAL,
	       "sigaction(0): -EINVAL");
	tap_eq(lx6(SYS_rt_sigaction, 65, 0, 0, 8, 0, 0), -EINVAL,
	       "sigaction(65): -EINVAL");
	tap_eq(lx6(SYS_rt_sigaction, SIGUSR1, 0, 0, 4, 0, 0), -EINVAL,
	       "sigaction with sigsetsize 4: -EINVAL");
	tap_eq(lx6(SYS_rt_sigaction, SIGKILL, &act, 0, 8, 0, 0), -EINVAL,
	       "a SIGKILL handler: -EINVAL");
	tap_eq(lx6(SYS_rt_sigaction, SIGSTOP, &act, 0, 8, 0, 0), -EINVAL,
	       "a SIGSTOP handler: -EINVAL");
	tap_eq(lx6(SYS_rt_sigaction, SIGKILL, 0, &old, 8, 0, 0), 0,
	       "reading SIGKILL's action: 0");
	tap_eq(lx6(SYS_rt_sigaction, SIGUSR1, KERNEL_ADDR, 0, 8, 0, 0), -EFAULT,
	       "act in the kernel: -EFAULT");
	tap_eq(lx6(SYS_rt_sigaction, SIGUSR1, GONE, 0, 8, 0, 0), -EFAULT,
	       "act unmapped: -EFAULT");
	tap_eq(lx6(SYS_rt_sigaction, SIGUSR1, 0, RO, 8, 0, 0), -EFAULT,
	       "oact read-only: -EFAULT");
	tap_eq(lx6(SYS_rt_sigaction, SIGUSR1, &act, 0, 8, 0, 0), 0,
	       "set a SIGUSR1 handler");
	old.handler = 0;
	tap_eq(lx6(SYS_rt_sigaction, SIGUSR1, 0, &old, 8, 0, 0), 0,
	       "read it back");
	tap_eq(old.handler, (long)handler, "the handler is kept");
	act.handler = 0; /* SIG_DFL */
	lx6(SYS_rt_sigaction, SIGUSR1, &act, 0, 8, 0, 0);

	tap_eq(lx6(SYS_rt_sigprocmask, 3, &set, 0, 8, 0, 0), -EINVAL,
	       "sigprocmask how 3: -EINVAL");
	tap_eq(lx6(SYS_rt_sigprocmask, SIG_BLOCK, &set, 0, 4, 0, 0), -EINVAL,
	       "sigprocmask sigsetsize 4: -EINVAL");
	tap_eq(lx6(SYS_rt_sigprocmask, SIG_BLOCK, KERNEL_ADDR, 0, 8, 0, 0),
	       -EFAULT, "set in the kernel: -EFAULT");
	tap_eq(lx6(SYS_rt_sigprocmask, SIG_BLOCK, 0, RO, 8, 0, 0), -EFAULT,
	       "oset read-only: -EFAULT");
	tap_eq(lx6(SYS_rt_sigprocmask, 3, 0, &oset, 8, 0, 0), 0,
	       "how 3 with no set (a query): 0");
	tap_eq(lx6(SYS_rt_sigprocmask, SIG_BLOCK, &set, 0, 8, 0, 0), 0,
	       "block SIGUSR1");
	set = ~0ul;
	tap_eq(lx6(SYS_rt_sigprocmask, SIG_BLOCK, &set, &oset, 8, 0, 0), 0,
	       "block everything");
	tap_eq(oset, 1l << (SIGUSR1 - 1), "the old mask was SIGUSR1");
	tap_eq(lx6(SYS_rt_sigprocmask, SIG_SETMASK, 0, &oset, 8, 0, 0), 0,
	       "read the mask");
	tap_eq(oset, ~((1l << (SIGKILL - 1)) | (1l << (SIGSTOP - 1))),
	       "all but SIGKILL and SIGSTOP are blocked");
	set = ~0ul;
	tap_eq(lx6(SYS_rt_sigprocmask, SIG_UNBLOCK, &set, 0, 8, 0, 0), 0,
	       "unblock everything");
	tap_eq(lx6(SYS_rt_sigprocmask, SIG_BLOCK, 0, &oset, 8, 0, 0), 0,
	       "read the mask");
	tap_eq(oset, 0, "empty again");
}

int main(void)
{
	if (lx6(SYS_mmap, AREA, 3 * PG, PROT_READ | PROT_WRITE,
		MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) != AREA) {
		tap_ok(0, "map the test area");
		return tap_done();
	}
	lx3(SYS_mprotect, RO, PG, PROT_READ);
	lx2(SYS_munmap, GONE, PG);
	test_numbers();
	test_ids();
	test_arch_prctl();
	test_clock();
	test_signals();
	lx2(SYS_munmap, AREA, 2 * PG);
	return tap_done();
}
