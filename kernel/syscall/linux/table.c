/*
 * The Linux syscall table: unlisted numbers are NULL, which the dispatcher
 * answers with linux_unsupported() (-ENOSYS, named once on the console).
 * Each entry is a typed wrapper (syscall.h, SYSCALL_ENTRYn).
 */
#include <syscall/linux/linux.h>
#include <syscall/syscall.h>

#define UPTR void __user *
#define CUPTR const void __user *
SYSCALL_ENTRY3(linux_read, u64, UPTR, u64)
SYSCALL_ENTRY3(linux_write, u64, CUPTR, u64)
SYSCALL_ENTRY6(linux_mmap, u64, u64, u64, u64, u64, u64)
SYSCALL_ENTRY3(linux_mprotect, u64, u64, u64)
SYSCALL_ENTRY2(linux_munmap, u64, u64)
SYSCALL_ENTRY1(linux_brk, u64)
SYSCALL_ENTRY3(linux_madvise, u64, u64, u64)
SYSCALL_ENTRY4(linux_rt_sigaction, u64, u64, u64, u64)
SYSCALL_ENTRY4(linux_rt_sigprocmask, u64, u64, u64, u64)
SYSCALL_ENTRY3(linux_ioctl, u64, u64, u64)
SYSCALL_ENTRY3(linux_readv, u64, CUPTR, u64)
SYSCALL_ENTRY3(linux_writev, u64, CUPTR, u64)
SYSCALL_ENTRY0(linux_sched_yield)
SYSCALL_ENTRY0(linux_getpid)
SYSCALL_ENTRY1(linux_exit, u64)
SYSCALL_ENTRY2(linux_arch_prctl, u64, u64)
SYSCALL_ENTRY0(linux_gettid)
SYSCALL_ENTRY1(linux_set_tid_address, u64)
SYSCALL_ENTRY2(linux_clock_gettime, u64, UPTR)
SYSCALL_ENTRY2(linux_clock_getres, u64, UPTR)
SYSCALL_ENTRY4(linux_clock_nanosleep, u64, u64, CUPTR, UPTR)
SYSCALL_ENTRY2(linux_nanosleep, CUPTR, UPTR)
SYSCALL_ENTRY2(linux_gettimeofday, UPTR, UPTR)
SYSCALL_ENTRY1(linux_time, UPTR)
SYSCALL_ENTRY3(linux_getrandom, UPTR, u64, u64)
SYSCALL_ENTRY1(linux_exit_group, u64)
SYSCALL_ENTRY3(linux_shmget, u64, u64, u64)
SYSCALL_ENTRY3(linux_shmat, u64, u64, u64)
SYSCALL_ENTRY1(linux_shmdt, u64)
SYSCALL_ENTRY3(linux_shmctl, u64, u64, UPTR)
SYSCALL_ENTRY0(linux_getuid)
SYSCALL_ENTRY0(linux_getgid)
SYSCALL_ENTRY0(linux_geteuid)
SYSCALL_ENTRY0(linux_getegid)

#define LINUX(name) [LNX_##name] = call_linux_##name

const syscall_fn linux_syscalls[LINUX_SYS_NR] = {
	LINUX(read),	     LINUX(write),	     LINUX(mmap),
	LINUX(mprotect),     LINUX(munmap),	     LINUX(brk),
	LINUX(rt_sigaction), LINUX(rt_sigprocmask),  LINUX(ioctl),
	LINUX(readv),	     LINUX(writev),	     LINUX(sched_yield),
	LINUX(nanosleep),    LINUX(getpid),	     LINUX(exit),
	LINUX(gettimeofday), LINUX(arch_prctl),	     LINUX(gettid),
	LINUX(time),	     LINUX(set_tid_address), LINUX(clock_gettime),
	LINUX(clock_getres), LINUX(clock_nanosleep), LINUX(exit_group),
	LINUX(getrandom),    LINUX(shmget),	     LINUX(shmat),
	LINUX(shmdt),	     LINUX(shmctl),	     LINUX(getuid),
	LINUX(getgid),	     LINUX(geteuid),	     LINUX(getegid),
	LINUX(madvise),
};
