/*
 * Shared by the linux_abi_* table tests. Those programs are unmodified
 * Linux programs: plain musl, raw syscalls, no libferry and no Ferry ELF
 * note, so Ferry runs them with the Linux personality. The same source
 * built with `musl-gcc -static` runs under Linux 6.1
 * (tools/linux-ref-tests.sh), where every line must say "ok": the values
 * written in the tables are Linux's.
 */
#ifndef TESTS_LINUX_ABI_H
#define TESTS_LINUX_ABI_H

#include <errno.h>

#include "tap.h"

static inline long lx_call(long n, long a1, long a2, long a3, long a4, long a5,
			   long a6)
{
	register long r10 __asm__("r10") = a4;
	register long r8 __asm__("r8") = a5;
	register long r9 __asm__("r9") = a6;
	long ret;

	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(n), "D"(a1), "S"(a2), "d"(a3), "r"(r10), "r"(r8),
			   "r"(r9)
			 : "rcx", "r11", "memory");
	return ret;
}

/* Raw syscalls: the kernel's own answer, not libc's errno. */
#define lx6(n, a, b, c, d, e, f)                                               \
	lx_call(n, (long)(a), (long)(b), (long)(c), (long)(d), (long)(e),      \
		(long)(f))
#define lx0(n) lx6(n, 0, 0, 0, 0, 0, 0)
#define lx1(n, a) lx6(n, (long)(a), 0, 0, 0, 0, 0)
#define lx2(n, a, b) lx6(n, (long)(a), (long)(b), 0, 0, 0, 0)
#define lx3(n, a, b, c) lx6(n, (long)(a), (long)(b), (long)(c), 0, 0, 0)

#define PG 4096l
/* The first byte of the kernel half, and the last page below it. */
#define KERNEL_ADDR 0xffff800000000000ul
/* Linux's TASK_SIZE_MAX with 4-level paging: the end of user space. */
#define TASK_END 0x7ffffffff000ul

#endif
