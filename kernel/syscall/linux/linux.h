/*
 * The Linux x86_64 ABI served in the kernel: what a static musl program
 * needs to start, allocate, print and exit. Numbers and semantics are
 * Linux's; docs/linux-abi.md lists coverage. Anything else is -ENOSYS.
 */
#ifndef KERNEL_SYSCALL_LINUX_LINUX_H
#define KERNEL_SYSCALL_LINUX_LINUX_H

#include <lib/types.h>

#define LNX_read 0
#define LNX_write 1
#define LNX_mmap 9
#define LNX_mprotect 10
#define LNX_munmap 11
#define LNX_brk 12
#define LNX_rt_sigaction 13
#define LNX_rt_sigprocmask 14
#define LNX_ioctl 16
#define LNX_readv 19
#define LNX_writev 20
#define LNX_sched_yield 24
#define LNX_madvise 28
#define LNX_shmget 29
#define LNX_shmat 30
#define LNX_shmctl 31
#define LNX_nanosleep 35
#define LNX_getpid 39
#define LNX_exit 60
#define LNX_shmdt 67
#define LNX_gettimeofday 96
#define LNX_getuid 102
#define LNX_getgid 104
#define LNX_geteuid 107
#define LNX_getegid 108
#define LNX_arch_prctl 158
#define LNX_gettid 186
#define LNX_time 201
#define LNX_set_tid_address 218
#define LNX_clock_gettime 228
#define LNX_clock_getres 229
#define LNX_clock_nanosleep 230
#define LNX_exit_group 231
#define LNX_getrandom 318

long linux_read(u64 fd, void __user *buf, u64 len);
long linux_write(u64 fd, const void __user *buf, u64 len);
long linux_readv(u64 fd, const void __user *iov, u64 cnt);
long linux_writev(u64 fd, const void __user *iov, u64 cnt);
long linux_ioctl(u64 fd, u64 req, u64 arg);
long linux_mmap(u64 addr, u64 len, u64 prot, u64 flags, u64 fd, u64 off);
long linux_munmap(u64 addr, u64 len);
long linux_mprotect(u64 addr, u64 len, u64 prot);
long linux_brk(u64 addr);
/* madvise(2), Linux 6.1 (madvise.c). */
long linux_madvise(u64 addr, u64 len, u64 advice);
long linux_sched_yield(void);
long linux_getpid(void);
long linux_gettid(void);
long linux_exit(u64 code);
long linux_exit_group(u64 code);
long linux_arch_prctl(u64 code, u64 addr);
long linux_set_tid_address(u64 tidptr);
long linux_clock_gettime(u64 clk, void __user *ts);
long linux_clock_getres(u64 clk, void __user *res);
long linux_clock_nanosleep(u64 clk, u64 flags, const void __user *req,
			   void __user *rem);
long linux_nanosleep(const void __user *req, void __user *rem);
long linux_gettimeofday(void __user *tv, void __user *tz);
long linux_time(void __user *tloc);
long linux_getrandom(void __user *buf, u64 len, u64 flags);
/* System V shm (shm.c): Linux 6.1's shmget, shmat, shmdt, shmctl. */
long linux_shmget(u64 key, u64 size, u64 flg);
long linux_shmat(u64 id, u64 addr, u64 flg);
long linux_shmdt(u64 addr);
long linux_shmctl(u64 id, u64 cmd, void __user *buf);
/* Every Linux process is root on Ferry: uid, gid, euid, egid are 0. */
long linux_getuid(void);
long linux_getgid(void);
long linux_geteuid(void);
long linux_getegid(void);
long linux_rt_sigaction(u64 sig, u64 act, u64 oact, u64 size);
long linux_rt_sigprocmask(u64 how, u64 set, u64 oset, u64 size);

/* Whether Linux x86_64 has a call numbered nr, and its name (names.c). */
bool linux_syscall_known(u32 nr);
const char *linux_syscall_name(u32 nr); /* "unknown" if it has none */

#endif
