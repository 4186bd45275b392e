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

#include <ferry/syscall.h>

#include "tap.h"

/* The raw syscall instruction: libferry's header-only stub, no library. */
static inline long lx_call(long n, long a1, long a2, long a3, long a4, long a5,
			   long a6)
{
	return fy_syscall6(n, a1, a2, a3, a4, a5, a6);
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

/*
 * A call that writes through an output pointer: the five such pointers
 * Linux refuses with -EFAULT (copy_to_user), as five TAP lines named
 * "<what>into ...": NULL, a kernel address, an unmapped page (gone), a
 * read-only page (ro), and a write starting half bytes before gone.
 * call(ptr) makes the syscall with ptr as its output pointer.
 */
static inline void tap_efault_out(long (*call)(long), long gone, long ro,
				  long half, const char *what)
{
	tap_eq(call(0), -EFAULT, "%sinto NULL: -EFAULT", what);
	tap_eq(call((long)KERNEL_ADDR), -EFAULT, "%sinto the kernel: -EFAULT",
	       what);
	tap_eq(call(gone), -EFAULT, "%sinto an unmapped page: -EFAULT", what);
	tap_eq(call(ro), -EFAULT, "%sinto a read-only page: -EFAULT", what);
	tap_eq(call(gone - half), -EFAULT,
	       "%shalf into an unmapped page: -EFAULT", what);
}

#endif
