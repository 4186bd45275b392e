/*
 * Linux memory calls, as a table of (arguments, Linux 6.1's answer):
 * mmap hints and fixed addresses, munmap and mprotect ranges, brk.
 * Run unmodified under Linux by tools/linux-ref-tests.sh.
 */
#include <stdint.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#include "linux_abi.h"

#define RW (PROT_READ | PROT_WRITE)
#define ANON (MAP_PRIVATE | MAP_ANONYMOUS)
#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif
/* A quiet stretch of user space, away from where either kernel puts things. */
#define HINT 0x300000000l

static long mm(long addr, long len, long prot, long flags, long fd, long off)
{
	return lx6(SYS_mmap, addr, len, prot, flags, fd, off);
}

static void unmap(long addr, long len)
{
	lx2(SYS_munmap, addr, len);
}

/* mmap(2): "If addr is not NULL, the kernel takes it as a hint". */
static void test_hints(void)
{
	long a, b;

	a = mm(HINT + 0x123, PG, RW, ANON, -1, 0);
	tap_eq(a, HINT, "unaligned hint 0x300000123: mapped at 0x300000000");
	b = mm(HINT, PG, RW, ANON, -1, 0);
	tap_ok(b > 0 && b != HINT && !(b & (PG - 1)),
	       "occupied hint: another page-aligned address (0x%lx)", b);
	unmap(b, PG);
	tap_eq(mm(HINT, PG, RW, ANON | MAP_FIXED_NOREPLACE, -1, 0), -EEXIST,
	       "MAP_FIXED_NOREPLACE over a mapping: -EEXIST");
	tap_eq(mm(HINT - PG, 2 * PG, RW, ANON | MAP_FIXED_NOREPLACE, -1, 0),
	       -EEXIST, "MAP_FIXED_NOREPLACE overlapping the start: -EEXIST");
	tap_eq(mm(HINT + PG, PG, RW, ANON | MAP_FIXED_NOREPLACE, -1, 0),
	       HINT + PG, "MAP_FIXED_NOREPLACE just after it: mapped");
	unmap(HINT, 2 * PG);
	b = mm(0x800000000000l, PG, RW, ANON, -1, 0);
	tap_ok(b > 0 && b < (long)TASK_END,
	       "hint above user space: mapped in user space (0x%lx)", b);
	unmap(b, PG);
	b = mm(TASK_END - PG, 2 * PG, RW, ANON, -1, 0);
	tap_ok(b > 0 && b + 2 * PG <= (long)TASK_END,
	       "hint whose end passes user space: mapped below (0x%lx)", b);
	unmap(b, 2 * PG);
	/* mmap_min_addr (64 KiB): a hint below it is moved up to it. */
	b = mm(0x1000, PG, RW, ANON, -1, 0);
	tap_eq(b, 0x10000, "hint 0x1000, below mmap_min_addr: 0x10000");
	unmap(b, PG);
	b = mm(KERNEL_ADDR, PG, RW, ANON, -1, 0);
	tap_ok(b > 0 && b < (long)TASK_END,
	       "kernel-half hint: mapped in user space (0x%lx)", b);
	unmap(b, PG);
}

/* mmap(2) ENOMEM: "MAP_FIXED ... outside the allowed address range". */
static void test_fixed(void)
{
	tap_eq(mm(0xffffffffffff0000l, PG, RW, ANON | MAP_FIXED, -1, 0),
	       -ENOMEM, "MAP_FIXED at 0xffffffffffff0000: -ENOMEM");
	tap_eq(mm(0xffffffffffff0000l, PG, RW, ANON | MAP_FIXED_NOREPLACE, -1,
		  0),
	       -ENOMEM, "MAP_FIXED_NOREPLACE at 0xffffffffffff0000: -ENOMEM");
	tap_eq(mm(KERNEL_ADDR, PG, RW, ANON | MAP_FIXED, -1, 0), -ENOMEM,
	       "MAP_FIXED at the kernel half: -ENOMEM");
	tap_eq(mm(TASK_END - PG, 2 * PG, RW, ANON | MAP_FIXED, -1, 0), -ENOMEM,
	       "MAP_FIXED crossing the end of user space: -ENOMEM");
	tap_eq(mm(TASK_END, PG, RW, ANON | MAP_FIXED, -1, 0), -ENOMEM,
	       "MAP_FIXED at the end of user space: -ENOMEM");
	tap_eq(mm(HINT + 0x123, PG, RW, ANON | MAP_FIXED, -1, 0), -EINVAL,
	       "MAP_FIXED unaligned: -EINVAL");
	tap_eq(mm(HINT + 0x123, PG, RW, ANON | MAP_FIXED_NOREPLACE, -1, 0),
	       -EINVAL, "MAP_FIXED_NOREPLACE unaligned: -EINVAL");
	tap_eq(mm(HINT, 3 * PG, RW, ANON | MAP_FIXED, -1, 0), HINT,
	       "MAP_FIXED at 0x300000000: mapped there");
	*(volatile char *)(HINT + PG) = 7;
	tap_eq(mm(HINT + PG, PG, PROT_READ, ANON | MAP_FIXED, -1, 0), HINT + PG,
	       "MAP_FIXED over the middle page: replaces it");
	tap_eq(*(volatile char *)(HINT + PG), 0, "the new page reads as zero");
	tap_eq(mm(TASK_END - PG, PG, RW, ANON | MAP_FIXED, -1, 0),
	       (long)TASK_END - PG, "MAP_FIXED at the last user page: mapped");
	unmap(TASK_END - PG, PG);
	unmap(HINT, 3 * PG);
}

/* mmap(2) EINVAL/ENOMEM/EBADF/ENODEV rules. */
static void test_mmap_args(void)
{
	long a;

	tap_eq(mm(0, 0, RW, ANON, -1, 0), -EINVAL, "length 0: -EINVAL");
	tap_eq(mm(0, 1l << 47, RW, ANON, -1, 0), -ENOMEM,
	       "length 128 TiB: -ENOMEM");
	tap_eq(mm(0, -PG, RW, ANON, -1, 0), -ENOMEM,
	       "length -4096 (wraps): -ENOMEM");
	tap_eq(mm(0, PG, RW, MAP_ANONYMOUS, -1, 0), -EINVAL,
	       "neither MAP_PRIVATE nor MAP_SHARED: -EINVAL");
	tap_eq(mm(0, PG, RW, ANON, -1, 1), -EINVAL,
	       "unaligned offset: -EINVAL");
	a = mm(0, PG, RW, ANON, -1, PG);
	tap_ok(a > 0, "anonymous with offset 4096: mapped (0x%lx)", a);
	unmap(a, PG);
	a = mm(0, PG, RW, ANON, 99, 0);
	tap_ok(a > 0, "anonymous with fd 99: fd ignored (0x%lx)", a);
	unmap(a, PG);
	a = mm(0, PG, RW, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	tap_ok(a > 0, "MAP_SHARED anonymous: mapped (0x%lx)", a);
	unmap(a, PG);
	a = mm(0, PG, RW, MAP_SHARED | MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	tap_eq(a, -EINVAL, "MAP_SHARED_VALIDATE anonymous: -EINVAL");
	a = mm(0, PG, RW, ANON | 0x40000000, -1, 0);
	tap_ok(a > 0, "MAP_PRIVATE with an unknown flag: ignored (0x%lx)", a);
	unmap(a, PG);
	tap_eq(mm(0, PG, RW,
		  MAP_SHARED | MAP_PRIVATE | MAP_ANONYMOUS | 0x40000000, -1, 0),
	       -EINVAL, "MAP_SHARED_VALIDATE with an unknown flag: -EINVAL");
	a = mm(0, PG, 0x80 | RW, ANON, -1, 0);
	tap_ok(a > 0, "unknown prot bit 0x80: mapped (0x%lx)", a);
	unmap(a, PG);
	a = mm(0, PG, PROT_NONE, ANON, -1, 0);
	tap_ok(a > 0, "PROT_NONE: mapped (0x%lx)", a);
	unmap(a, PG);
	/*
	 * A mapping may be as large as a free range of the address space
	 * (get_unmapped_area); PROT_NONE private memory is not accounted
	 * (mmap_region: no VM_ACCOUNT without VM_WRITE), so no overcommit
	 * rule refuses it.
	 */
	a = mm(0, 64l << 40, PROT_NONE, ANON, -1, 0);
	tap_ok(a > 0, "64 TiB PROT_NONE: mapped (0x%lx)", a);
	tap_eq(lx2(SYS_munmap, a, 64l << 40), 0, "64 TiB: unmapped");
	tap_eq(mm(0x200000000000l, 64l << 40, PROT_NONE, ANON | MAP_FIXED, -1,
		  0),
	       0x200000000000l, "MAP_FIXED 64 TiB PROT_NONE: mapped there");
	tap_eq(lx2(SYS_munmap, 0x200000000000l, 64l << 40), 0, "and unmapped");
	tap_eq(mm(0, TASK_END, PROT_NONE, ANON, -1, 0), -ENOMEM,
	       "all of user space (the program is in it): -ENOMEM");
	tap_eq(mm(0, PG, RW, MAP_PRIVATE, 99, 0), -EBADF,
	       "file mapping of fd 99: -EBADF");
	tap_eq(mm(0, PG, RW, MAP_PRIVATE, -1, 0), -EBADF,
	       "file mapping of fd -1: -EBADF");
	tap_eq(mm(0, PG, RW, MAP_PRIVATE, 1, 0), -ENODEV,
	       "file mapping of the console: -ENODEV");
}

/* munmap(2): EINVAL for bad alignment, length 0, outside user space. */
static void test_munmap(void)
{
	tap_eq(lx2(SYS_munmap, HINT + 1, PG), -EINVAL, "munmap unaligned");
	tap_eq(lx2(SYS_munmap, HINT, 0), -EINVAL, "munmap length 0");
	tap_eq(lx2(SYS_munmap, KERNEL_ADDR, PG), -EINVAL,
	       "munmap in the kernel half");
	tap_eq(lx2(SYS_munmap, TASK_END - PG, 2 * PG), -EINVAL,
	       "munmap crossing the end of user space");
	tap_eq(lx2(SYS_munmap, HINT, -PG), -EINVAL, "munmap length -4096");
	tap_eq(lx2(SYS_munmap, 0, PG), 0, "munmap of page 0 (unmapped): 0");
	tap_eq(lx2(SYS_munmap, HINT, PG), 0, "munmap of nothing: 0");
	tap_eq(lx2(SYS_munmap, TASK_END - PG, PG), 0,
	       "munmap of the last user page: 0");
	tap_eq(mm(HINT, 2 * PG, RW, ANON | MAP_FIXED, -1, 0), HINT,
	       "map two pages");
	tap_eq(lx2(SYS_munmap, HINT + PG, 4 * PG), 0,
	       "munmap half mapped, half not: 0");
	tap_eq(lx2(SYS_munmap, HINT, 1), 0, "munmap length 1 (rounded up): 0");
	tap_eq(mm(HINT, 2 * PG, RW, ANON | MAP_FIXED_NOREPLACE, -1, 0), HINT,
	       "both pages are free again");
	unmap(HINT, 2 * PG);
}

/* Whether the kernel can write at p (clock_gettime copies out 16 bytes). */
static int writable(long p)
{
	return lx2(SYS_clock_gettime, 1 /* CLOCK_MONOTONIC */, p) == 0;
}

/* mprotect(2): EINVAL for alignment or prot, ENOMEM for unmapped pages. */
static void test_mprotect(void)
{
	tap_eq(mm(HINT, 2 * PG, RW, ANON | MAP_FIXED, -1, 0), HINT,
	       "map two pages");
	tap_eq(lx3(SYS_mprotect, HINT + 1, PG, PROT_READ), -EINVAL,
	       "mprotect unaligned");
	tap_eq(lx3(SYS_mprotect, HINT, PG, 0x80), -EINVAL,
	       "mprotect with prot 0x80");
	tap_eq(lx3(SYS_mprotect, HINT, 0, PROT_READ), 0, "mprotect length 0");
	tap_eq(lx3(SYS_mprotect, HINT, 0, 0x80), 0,
	       "mprotect length 0 with prot 0x80: 0 (length first)");
	tap_eq(lx3(SYS_mprotect, HINT, PG, PROT_READ | 0x8), 0,
	       "mprotect with PROT_SEM: accepted");
	tap_eq(lx3(SYS_mprotect, HINT, PG, PROT_READ | 0x01000000), -EINVAL,
	       "PROT_GROWSDOWN on a mapping that does not grow: -EINVAL");
	tap_eq(lx3(SYS_mprotect, HINT, PG, PROT_READ | 0x03000000), -EINVAL,
	       "PROT_GROWSDOWN | PROT_GROWSUP: -EINVAL");
	tap_eq(lx3(SYS_mprotect, HINT + 1, 0, PROT_READ), -EINVAL,
	       "mprotect length 0, unaligned");
	tap_eq(lx3(SYS_mprotect, HINT, -PG, PROT_READ), -ENOMEM,
	       "mprotect length -4096");
	tap_eq(lx3(SYS_mprotect, HINT, 2 * PG, PROT_READ), 0,
	       "mprotect the two pages");
	tap_eq(lx3(SYS_mprotect, HINT, PG + 1, RW), 0,
	       "mprotect length 4097 (two pages)");
	tap_ok(writable(HINT) && writable(HINT + PG), "both pages writable");
	tap_eq(lx3(SYS_mprotect, HINT - PG, 2 * PG, PROT_READ), -ENOMEM,
	       "mprotect from before a mapping");
	tap_ok(writable(HINT), "changes nothing");
	tap_eq(lx3(SYS_mprotect, HINT, 3 * PG, PROT_READ), -ENOMEM,
	       "mprotect past the end of a mapping");
	tap_ok(!writable(HINT) && !writable(HINT + PG),
	       "still changes the mapped part, as Linux does");
	tap_eq(lx3(SYS_mprotect, HINT, 2 * PG, RW), 0, "mprotect back to RW");
	tap_eq(lx3(SYS_mprotect, HINT + 8 * PG, PG, PROT_READ), -ENOMEM,
	       "mprotect of nothing");
	tap_eq(lx3(SYS_mprotect, KERNEL_ADDR, PG, PROT_READ), -ENOMEM,
	       "mprotect in the kernel half");
	tap_eq(lx3(SYS_mprotect, 0, PG, PROT_READ), -ENOMEM,
	       "mprotect of page 0");
	*(volatile char *)HINT = 1;
	tap_eq(*(volatile char *)HINT, 1, "the first page is writable again");
	unmap(HINT, 2 * PG);
}

/* brk(2): the new break, or the old one when it cannot move. */
static void test_brk(void)
{
	long cur = lx1(SYS_brk, 0);

	tap_ok(cur > 0, "brk(0): the break");
	tap_eq(lx1(SYS_brk, 1), cur, "brk(1), below the start: the old break");
	tap_eq(lx1(SYS_brk, cur - 1), cur,
	       "brk one byte below the start: the old break");
	tap_eq(lx1(SYS_brk, KERNEL_ADDR), cur,
	       "brk into the kernel half: the old break");
	tap_eq(lx1(SYS_brk, -1), cur, "brk(-1): the old break");
	tap_eq(lx1(SYS_brk, cur + (1l << 45)), cur,
	       "brk 32 TiB up: the old break");
	tap_eq(lx1(SYS_brk, cur + 3 * PG + 5), cur + 3 * PG + 5,
	       "brk up to an unaligned end: that end");
	*(volatile char *)(cur + 3 * PG + 4) = 1;
	tap_eq(lx1(SYS_brk, cur + PG), cur + PG, "brk shrinks");
	tap_eq(lx1(SYS_brk, cur + 3 * PG), cur + 3 * PG, "brk grows again");
	tap_eq(*(volatile char *)(cur + 3 * PG - 1), 0,
	       "memory given back reads as zero");
	tap_eq(mm(cur + PG, PG, RW, ANON | MAP_FIXED_NOREPLACE, -1, 0), -EEXIST,
	       "the heap is a mapping (MAP_FIXED_NOREPLACE: -EEXIST)");
	/* brk keeps a free page between the heap and the next mapping. */
	tap_eq(mm(cur + 4 * PG, PG, RW, ANON | MAP_FIXED_NOREPLACE, -1, 0),
	       cur + 4 * PG, "a mapping 4 pages above the start");
	tap_eq(lx1(SYS_brk, cur + 3 * PG), cur + 3 * PG,
	       "brk up to one page below it");
	tap_eq(lx1(SYS_brk, cur + 3 * PG + 1), cur + 3 * PG,
	       "brk into that last page: the old break (guard gap)");
	unmap(cur + 4 * PG, PG);
	tap_eq(lx1(SYS_brk, cur), cur, "brk back to the start");
	tap_eq(lx1(SYS_brk, 0), cur, "brk(0): the start");
}

int main(void)
{
	test_hints();
	test_fixed();
	test_mmap_args();
	test_munmap();
	test_mprotect();
	test_brk();
	return tap_done();
}
