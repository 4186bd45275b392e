/* The Linux syscall table: unlisted numbers are -ENOSYS. */
#include <syscall/linux/linux.h>
#include <syscall/syscall.h>

#define LINUX(name) [LNX_##name] = (syscall_fn)(void (*)(void))linux_##name

const syscall_fn linux_syscalls[LINUX_SYS_NR] = {
	LINUX(read),	     LINUX(write),	     LINUX(mmap),
	LINUX(mprotect),     LINUX(munmap),	     LINUX(brk),
	LINUX(rt_sigaction), LINUX(rt_sigprocmask),  LINUX(ioctl),
	LINUX(readv),	     LINUX(writev),	     LINUX(sched_yield),
	LINUX(nanosleep),    LINUX(getpid),	     LINUX(exit),
	LINUX(gettimeofday), LINUX(arch_prctl),	     LINUX(gettid),
	LINUX(time),	     LINUX(set_tid_address), LINUX(clock_gettime),
	LINUX(clock_getres), LINUX(clock_nanosleep), LINUX(exit_group),
	LINUX(getrandom),
};
