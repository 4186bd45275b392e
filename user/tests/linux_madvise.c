/*
 * madvise(2) as Ferry serves it (kernel/mm/vm_advise.c): MADV_DONTNEED
 * and MADV_FREE give the frames of private anonymous memory back (the
 * free-frame count shows it), keep shared memory's, cost nothing on a
 * terabyte reservation, and musl's free() no longer meets -ENOSYS. The
 * answers themselves are Linux's (linux_abi_madvise's table).
 */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#include <ferry/ferry.h>

#include "tap.h"
#include "util.h"

#define PG PAGE_SIZE_4K
#define RW (PROT_READ | PROT_WRITE)
#define ANON (MAP_PRIVATE | MAP_ANONYMOUS)
#define TIB (1ul << 40)
#define NPAGES 256

static long sys_mmap(unsigned long len, long prot, long flags)
{
	return fy_syscall6(SYS_mmap, 0, (long)len, prot, flags, -1, 0);
}

static long adv(long addr, unsigned long len, long advice)
{
	return fy_syscall3(SYS_madvise, addr, (long)len, advice);
}

static long free_frames(void)
{
	return fy_kstat(KSTAT_FREE_FRAMES);
}

/* How many pages of [p, p + n pages) hold c in their first byte? */
static long count(const volatile char *p, long n, char c)
{
	long k = 0;

	for (long i = 0; i < n; i++)
		k += p[i * PG] == c;
	return k;
}

static void touch(volatile char *p, long n, char c)
{
	for (long i = 0; i < n; i++)
		p[i * PG] = c;
}

/* Private anonymous memory: DONTNEED and FREE free the frames. */
static void test_private(void)
{
	long a = sys_mmap(NPAGES * PG, RW, ANON), f0, f1;
	volatile char *p = (volatile char *)a;

	tap_ok(a > 0, "a private mapping of %d pages", NPAGES);
	if (a <= 0)
		return;
	touch(p, NPAGES, 5);
	f0 = free_frames();
	tap_eq(adv(a, NPAGES * PG, MADV_DONTNEED), 0, "MADV_DONTNEED on it");
	f1 = free_frames();
	tap_ok(f1 - f0 >= NPAGES, "its %d frames are free again (%ld)", NPAGES,
	       f1 - f0);
	tap_eq(count(p, NPAGES, 0), NPAGES, "its pages read zeros");
	f0 = free_frames();
	tap_ok(f1 - f0 >= NPAGES, "reading them took frames again (%ld)",
	       f1 - f0);
	touch(p, NPAGES, 6);
	f0 = free_frames();
	tap_eq(adv(a, NPAGES * PG, MADV_FREE), 0, "MADV_FREE on it");
	f1 = free_frames();
	tap_ok(f1 - f0 >= NPAGES, "MADV_FREE frees them too (%ld)", f1 - f0);
	touch(p, NPAGES, 7);
	tap_eq(count(p, NPAGES, 7), NPAGES, "and the pages are written again");
	/* Half of it: the other half keeps its frames and data. */
	f0 = free_frames();
	tap_eq(adv(a + NPAGES / 2 * PG, NPAGES / 2 * PG, MADV_DONTNEED), 0,
	       "MADV_DONTNEED on the upper half");
	f1 = free_frames();
	tap_ok(f1 - f0 >= NPAGES / 2 && f1 - f0 < NPAGES,
	       "the half's frames are free (%ld)", f1 - f0);
	tap_eq(count(p, NPAGES / 2, 7), NPAGES / 2,
	       "the lower half keeps its data");
	/* Cut in two by mprotect: both parts are still only this mapping's. */
	tap_eq(fy_syscall3(SYS_mprotect, a, PG, PROT_READ), 0,
	       "mprotect splits the mapping");
	f0 = free_frames();
	tap_eq(adv(a, NPAGES * PG, MADV_DONTNEED), 0,
	       "MADV_DONTNEED over both");
	f1 = free_frames();
	tap_ok(f1 - f0 >= NPAGES / 2, "their frames are free (%ld)", f1 - f0);
	fy_syscall2(SYS_munmap, a, NPAGES * PG);
}

/* Shared memory keeps its data: only its PTEs go. */
static void test_shared(void)
{
	long a = sys_mmap(64 * PG, RW, MAP_SHARED | MAP_ANONYMOUS), f0, f1;
	volatile char *p = (volatile char *)a;

	tap_ok(a > 0, "a shared mapping of 64 pages");
	if (a <= 0)
		return;
	touch(p, 64, 3);
	f0 = free_frames();
	tap_eq(adv(a, 64 * PG, MADV_DONTNEED), 0, "MADV_DONTNEED on it");
	f1 = free_frames();
	tap_ok(f1 - f0 < 64, "its frames stay (%ld)", f1 - f0);
	tap_eq(count(p, 64, 3), 64, "and so does its data");
	f0 = free_frames();
	tap_eq(adv(a, 64 * PG, MADV_REMOVE), 0, "MADV_REMOVE on it");
	f1 = free_frames();
	tap_ok(f1 - f0 >= 64, "punched: its frames are free (%ld)", f1 - f0);
	tap_eq(count(p, 64, 0), 64, "and it reads zeros");
	fy_syscall2(SYS_munmap, a, 64 * PG);
}

/* The heap is one PMO the process holds besides its region. */
static void test_heap(void)
{
	long cur = fy_syscall1(SYS_brk, 0), base, f0, f1;

	base = (cur + PG - 1) & ~(long)(PG - 1);
	tap_eq(fy_syscall1(SYS_brk, base + 128 * PG), base + 128 * (long)PG,
	       "brk grows 128 pages");
	touch((volatile char *)base, 128, 4);
	f0 = free_frames();
	tap_eq(adv(base, 128 * PG, MADV_DONTNEED), 0, "MADV_DONTNEED on them");
	f1 = free_frames();
	tap_ok(f1 - f0 >= 128, "the heap's frames are free (%ld)", f1 - f0);
	tap_eq(count((volatile char *)base, 128, 0), 128, "they read zeros");
	fy_syscall1(SYS_brk, cur);
}

/* A terabyte reservation: the walk skips what was never touched. */
static void test_reserve(void)
{
	long a = sys_mmap(TIB, PROT_NONE, ANON), f0, f1;
	volatile char *p;

	tap_ok(a > 0, "a 1 TiB PROT_NONE reservation");
	if (a <= 0)
		return;
	p = (volatile char *)(a + TIB / 2);
	fy_syscall3(SYS_mprotect, (long)p, PG, RW);
	p[0] = 1;
	f0 = free_frames();
	tap_eq(adv(a, TIB, MADV_DONTNEED), 0, "MADV_DONTNEED over all of it");
	f1 = free_frames();
	tap_ok(f1 - f0 >= 1, "its one page's frame is free (%ld)", f1 - f0);
	tap_eq(p[0], 0, "that page reads zero");
	tap_eq(adv(a, TIB, MADV_WILLNEED), 0, "MADV_WILLNEED over it: 0");
	fy_syscall2(SYS_munmap, a, TIB);
}

/*
 * musl's free() gives a freed slot's whole pages back with
 * madvise(MADV_FREE) (mallocng): 64 blocks of 20000 bytes, every other
 * one freed, makes it do so (strace shows 8 calls on Linux). The kernel
 * must no longer report the call unsupported.
 */
static void test_musl_free(void)
{
	static char *blk[64];
	void *pg;
	int ok = 1;

	tap_diag("console-never: unsupported Linux syscall 28 (madvise)");
	for (int i = 0; i < 64; i++) {
		blk[i] = malloc(20000);
		if (blk[i])
			memset(blk[i], i, 20000);
		ok &= blk[i] != NULL;
	}
	for (int i = 0; i < 64; i += 2)
		free(blk[i]);
	for (int i = 1; i < 64; i += 2)
		ok &= blk[i][19999] == (char)i;
	tap_ok(ok, "malloc/free of 64 blocks of 20000 bytes; kept ones intact");
	for (int i = 1; i < 64; i += 2)
		free(blk[i]);
	pg = mmap(NULL, PG, RW, ANON, -1, 0);
	tap_ok(pg != MAP_FAILED && madvise(pg, PG, MADV_FREE) == 0,
	       "musl's madvise(MADV_FREE) of a page: 0");
	munmap(pg, PG);
}

/*
 * A mapping that starts below a private mapping's first page and covers
 * it (MAP_FIXED over the head of the PMO's window): DONTNEED on the rest
 * must still give zeros back, as Linux's private anonymous memory does
 * (madvise(2): "subsequent accesses ... zero-fill-on-demand pages").
 * The ownership count once stopped at that first region and kept the
 * data.
 */
static void test_straddle(void)
{
	long x = sys_mmap(8 * PG, RW, ANON), a, c;
	volatile char *p;

	tap_ok(x > 0, "an 8-page range to work in");
	a = fy_syscall6(SYS_mmap, x + 2 * PG, 4 * PG, RW, ANON | MAP_FIXED, -1,
			0);
	c = fy_syscall6(SYS_mmap, x + PG, 2 * PG, RW, ANON | MAP_FIXED, -1, 0);
	tap_ok(a == x + 2 * (long)PG && c == x + (long)PG,
	       "a 4-page mapping, then one over its head from below");
	p = (volatile char *)(x + 4 * PG);
	p[0] = 9;
	tap_eq(adv(x + 4 * PG, PG, MADV_DONTNEED), 0, "MADV_DONTNEED past it");
	tap_eq(p[0], 0, "the page reads zero again (Linux 6.1: 0)");
	fy_syscall2(SYS_munmap, x, 8 * PG);
}

int main(void)
{
	test_private();
	test_shared();
	test_heap();
	test_reserve();
	test_straddle();
	test_musl_free();
	return tap_done();
}
