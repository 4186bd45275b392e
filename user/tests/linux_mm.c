/*
 * Linux memory calls served by the kernel: brk, mmap/munmap/mprotect of
 * anonymous memory. Raw syscalls, so the kernel's own answers are seen.
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

static long sys_mmap(unsigned long addr, unsigned long len, long prot,
		     long flags, long fd, long off)
{
	return fy_syscall6(SYS_mmap, (long)addr, (long)len, prot, flags, fd,
			   off);
}

static int all_zero(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (p[i])
			return 0;
	}
	return 1;
}

static void test_brk(void)
{
	long cur = fy_syscall1(SYS_brk, 0), grown, back;
	char *p;

	tap_ok(cur > 0, "brk(0) gives the break (0x%lx)", cur);
	grown = fy_syscall1(SYS_brk, cur + 64 * 1024);
	tap_eq(grown, cur + 64 * 1024, "brk grows by 64 KiB");
	p = (char *)cur;
	tap_ok(all_zero(p, 64 * 1024), "the new heap reads as zeros");
	memset(p, 0xab, 64 * 1024);
	tap_ok((unsigned char)p[64 * 1024 - 1] == 0xab, "and is writable");
	back = fy_syscall1(SYS_brk, cur);
	tap_eq(back, cur, "brk shrinks back");
	grown = fy_syscall1(SYS_brk, cur + PG);
	tap_ok(grown == cur + (long)PG && all_zero(p, PG),
	       "memory given back and grown again reads as zeros");
	fy_syscall1(SYS_brk, cur);
	tap_eq(fy_syscall1(SYS_brk, (long)KERNEL_PTR), cur,
	       "brk into the kernel half fails: the old break comes back");
	tap_eq(fy_syscall1(SYS_brk, 0), cur, "the break is unchanged");

	p = malloc(1 << 20);
	tap_ok(p != NULL, "malloc of 1 MiB");
	if (p)
		memset(p, 1, 1 << 20);
	free(p);
}

/*
 * The heap is one PMO whose frames a shrink gives back (pmo_decommit),
 * also when it cuts into what one growth mapped: grown 1 MiB at once,
 * touched, and shrunk by half, the half's 128 frames are free again,
 * and grown again it reads zeros, as on Linux. Grown a page at a time,
 * each page is the next of the same PMO: all of it reads back.
 */
static void test_brk_decommit(void)
{
	long cur = fy_syscall1(SYS_brk, 0), f0, f1, f2;
	char *p = (char *)cur;
	int same = 1;

	if (!tap_eq(fy_syscall1(SYS_brk, cur + (1 << 20)), cur + (1 << 20),
		    "brk grows by 1 MiB in one step"))
		return;
	memset(p, 0x33, 1 << 20);
	f0 = fy_kstat(KSTAT_FREE_FRAMES);
	tap_eq(fy_syscall1(SYS_brk, cur + (1 << 19)), cur + (1 << 19),
	       "brk shrinks by half of it");
	f1 = fy_kstat(KSTAT_FREE_FRAMES);
	tap_ok(f1 - f0 >= 128, "the half's 128 frames are free again (%ld)",
	       f1 - f0);
	tap_eq(fy_syscall1(SYS_brk, cur + (1 << 20)), cur + (1 << 20),
	       "brk grows back");
	tap_ok(all_zero(p + (1 << 19), 1 << 19) && p[(1 << 19) - 1] == 0x33,
	       "the half given back reads zeros, the rest kept its bytes");
	fy_syscall1(SYS_brk, cur);
	f2 = fy_kstat(KSTAT_FREE_FRAMES);
	tap_ok(f2 - f0 >= 256, "all of it is free after brk back (%ld)",
	       f2 - f0);
	for (int i = 0; i < 64; i++) {
		if (fy_syscall1(SYS_brk, cur + (i + 1) * PG) !=
		    cur + (i + 1) * PG)
			same = 0;
		else
			p[i * PG] = (char)(i + 1);
	}
	for (int i = 0; i < 64 && same; i++)
		same = p[i * PG] == (char)(i + 1);
	tap_ok(same, "64 growths of a page each: every page holds its byte");
	fy_syscall1(SYS_brk, cur);
}

static void test_mmap(void)
{
	long probe = fy_pmo_create(PG, PMO_DATA), a, b, hint;
	char *p;

	a = sys_mmap(0, 16 * PG, RW, ANON, -1, 0);
	tap_ok(a > 0 && !(a & 0xfff), "mmap of 16 anonymous pages (0x%lx)", a);
	p = (char *)a;
	tap_ok(a > 0 && all_zero(p, 16 * PG), "they read as zeros");
	if (a > 0) {
		memset(p, 0x11, 16 * PG);
		b = sys_mmap(0, 16 * PG, RW, ANON, -1, 0);
		tap_ok(b > 0 && (b + 16 * (long)PG <= a ||
				 b >= a + 16 * (long)PG),
		       "a second mmap does not overlap the first");
		tap_eq(fy_syscall2(SYS_munmap, b, 16 * PG), 0, "munmap it");
	}
	tap_eq(fy_syscall3(SYS_mprotect, a, 16 * PG, PROT_READ), 0,
	       "mprotect to read-only");
	tap_ok(p[5 * PG] == 0x11, "still readable after mprotect");
	tap_eq(fy_syscall3(SYS_mprotect, a, 16 * PG, RW), 0,
	       "mprotect back to read-write");
	p[5 * PG] = 0x22;
	tap_ok(p[5 * PG] == 0x22, "writable again");
	tap_eq(fy_syscall2(SYS_munmap, a + 4 * PG, 4 * PG), 0,
	       "munmap a hole in the middle");
	tap_eq(fy_pmo_write((cap_t)probe, 0, p + 4 * PG, 1), -EFAULT,
	       "the hole is gone (write from it is -EFAULT)");
	tap_ok(p[3 * PG] == 0x11 && p[8 * PG] == 0x11,
	       "the pages around the hole survive");
	tap_eq(fy_syscall2(SYS_munmap, a, 16 * PG), 0,
	       "munmap the rest, hole included");
	tap_eq(fy_syscall2(SYS_munmap, a, 16 * PG), 0,
	       "munmap of an unmapped range is 0, as in Linux");

	hint = SCRATCH_VA;
	a = sys_mmap(hint, 2 * PG, RW, ANON | MAP_FIXED, -1, 0);
	tap_eq(a, hint, "MAP_FIXED maps at the address asked for");
	if (a == hint)
		*(volatile char *)a = 1;
	a = sys_mmap(hint, PG, RW, ANON | MAP_FIXED, -1, 0);
	tap_eq(a, hint, "MAP_FIXED over an existing mapping replaces it");
	tap_ok(a == hint && *(volatile char *)a == 0,
	       "the replacement reads as zero");
	fy_syscall2(SYS_munmap, hint, 2 * PG);
	fy_cap_delete((cap_t)probe);
}

#define TIB (1ul << 40)

/*
 * PROT_NONE reservations of terabytes (issue 11) cost a PMO and a
 * region, no frames and no page tables; a page made usable inside one
 * costs that page and its tables, and unmapping it walks only the
 * tables there are.
 */
static void test_reserve(void)
{
	long f0 = fy_kstat(KSTAT_FREE_FRAMES), f1, a, b;
	volatile char *p;

	a = sys_mmap(0, TIB, PROT_NONE, ANON, -1, 0);
	tap_ok(a > 0 && !(a & 0xfff), "mmap of 1 TiB PROT_NONE (0x%lx)", a);
	b = sys_mmap(0, 64 * TIB, PROT_NONE, ANON, -1, 0);
	tap_ok(b > 0 && !(b & 0xfff), "mmap of 64 TiB PROT_NONE (0x%lx)", b);
	if (a <= 0 || b <= 0)
		return;
	f1 = fy_kstat(KSTAT_FREE_FRAMES);
	tap_ok(f0 - f1 <= 1, "they take no frames (%ld: bookkeeping)", f0 - f1);
	p = (volatile char *)(b + 32 * TIB);
	tap_eq(fy_syscall3(SYS_mprotect, (long)p, PG, RW), 0,
	       "mprotect of a page in the middle to read-write");
	p[0] = 7;
	p[PG - 1] = 9;
	tap_ok(p[0] == 7 && p[PG - 1] == 9, "that page is usable");
	f1 = fy_kstat(KSTAT_FREE_FRAMES);
	/* Its frame, three page tables, and the PMO's radix path: one
	 * node per level (4 for 64 TiB), sized to what lies below. */
	tap_ok(f0 - f1 >= 1 && f0 - f1 <= 8,
	       "it took its frame, page tables and radix nodes (%ld)", f0 - f1);
	tap_eq(fy_syscall2(SYS_munmap, a, TIB), 0, "munmap of 1 TiB");
	tap_eq(fy_syscall2(SYS_munmap, b, 64 * TIB), 0, "munmap of 64 TiB");
	f1 = fy_kstat(KSTAT_FREE_FRAMES);
	/* The page tables stay until exit (docs/memory.md). */
	tap_ok(f0 - f1 >= 0 && f0 - f1 <= 4,
	       "the page's frame is back (%ld: its tables stay)", f0 - f1);
	a = sys_mmap(0, 100 * TIB, PROT_NONE, ANON, -1, 0);
	tap_ok(a > 0, "mmap of 100 TiB PROT_NONE (0x%lx)", a);
	tap_eq(fy_syscall2(SYS_munmap, a, 100 * TIB), 0, "and its munmap");
}

static void test_mmap_bad(void)
{
	long r;

	tap_eq(sys_mmap(0, 0, RW, ANON, -1, 0), -EINVAL, "length 0 is -EINVAL");
	tap_eq(sys_mmap(SCRATCH_VA + 1, PG, RW, ANON | MAP_FIXED, -1, 0),
	       -EINVAL, "a misaligned MAP_FIXED address is -EINVAL");
	tap_eq(sys_mmap((unsigned long)KERNEL_PTR, PG, RW, ANON | MAP_FIXED, -1,
			0),
	       -ENOMEM, "MAP_FIXED in the kernel half is -ENOMEM");
	tap_eq(sys_mmap(0, 1ul << 47, RW, ANON, -1, 0), -ENOMEM,
	       "128 TiB is -ENOMEM");
	tap_eq(sys_mmap(0, (unsigned long)-PG, RW, ANON, -1, 0), -ENOMEM,
	       "a length that wraps around is -ENOMEM");
	tap_eq(sys_mmap(0, PG, RW, MAP_ANONYMOUS, -1, 0), -EINVAL,
	       "neither MAP_PRIVATE nor MAP_SHARED is -EINVAL");
	r = sys_mmap(0, PG, RW, MAP_PRIVATE, 99, 0);
	tap_ok(r == -EBADF || r == -ENOSYS || r == -ENODEV,
	       "a file mapping of fd 99 fails (%ld)", r);
	tap_eq(fy_syscall2(SYS_munmap, SCRATCH_VA + 1, PG), -EINVAL,
	       "munmap at a misaligned address is -EINVAL");
	tap_eq(fy_syscall2(SYS_munmap, SCRATCH_VA, 0), -EINVAL,
	       "munmap of length 0 is -EINVAL");
	tap_eq(fy_syscall2(SYS_munmap, (long)KERNEL_PTR, PG), -EINVAL,
	       "munmap in the kernel half is -EINVAL");
	tap_eq(fy_syscall3(SYS_mprotect, SCRATCH_VA + 1, PG, PROT_READ),
	       -EINVAL, "mprotect at a misaligned address is -EINVAL");
	tap_eq(fy_syscall3(SYS_mprotect, SCRATCH_VA + 256 * PG, PG, PROT_READ),
	       -ENOMEM, "mprotect of unmapped memory is -ENOMEM");
	r = sys_mmap(0, PG, RW, ANON, -1, 0);
	tap_ok(r > 0, "mmap still works after the bad calls");
	fy_syscall2(SYS_munmap, r, PG);
}

/* Many small maps and unmaps: the address space must not run out. */
static void test_churn(void)
{
	int ok = 1;

	for (int i = 0; i < 2000 && ok; i++) {
		long a = sys_mmap(0, 3 * PG, RW, ANON, -1, 0);

		ok = a > 0;
		if (ok) {
			((volatile char *)a)[PG] = 1;
			ok = fy_syscall2(SYS_munmap, a, 3 * PG) == 0;
		}
	}
	tap_ok(ok, "2000 mmap/touch/munmap rounds");
}

/*
 * At the region limit (VMSPACE_MAX_REGIONS, Linux's vm.max_map_count
 * 65530), a MAP_FIXED that must split a region cannot unmap first:
 * -ENOMEM, the unmap's own error, not the -EEXIST of a map over what is
 * still there. As Linux 6.1 (linux-ref): splits stop once there are
 * 65530 maps (split_vma: map_count >= max), a map is refused only past
 * that (do_mmap: map_count > max), before anything else is looked at.
 */
static void test_region_limit(void)
{
	const long n = 140000; /* pages: more pieces than the limit */
	long a = sys_mmap(0, n * PG, RW, ANON, -1, 0), r = 0, i, brk0;
	long extra[8];
	int k;

	tap_ok(a > 0, "mmap of %ld pages (0x%lx)", n, a);
	if (a <= 0)
		return;
	/* Read-only every other page: each one splits the mapping. */
	for (i = 1; i < n / 2 - 1 && r == 0; i++)
		r = fy_syscall3(SYS_mprotect, a + 2 * i * PG, PG, PROT_READ);
	tap_eq(r, -ENOMEM, "mprotect splits until the region limit (%ld)", i);
	/* Exactly at the limit: single pages until mmap itself refuses. */
	for (k = 0; k < 8 && (extra[k] = sys_mmap(0, PG, RW, ANON, -1, 0)) > 0;)
		k++;
	tap_ok(k < 8 && extra[k] == -ENOMEM, "then mmap is -ENOMEM (%d more)",
	       k);
	r = sys_mmap(a + (n - 2) * PG, PG, RW, ANON | MAP_FIXED, -1, 0);
	tap_eq(r, -ENOMEM, "MAP_FIXED inside a region at the limit: -ENOMEM");
	tap_eq(*(volatile char *)(a + (n - 2) * PG), 0,
	       "the old mapping is still there");
	r = sys_mmap(a + (n - 2) * PG, PG, RW, ANON | MAP_FIXED_NOREPLACE, -1,
		     0);
	/* do_mmap's count check comes before the overlap's -EEXIST. */
	tap_eq(r, -ENOMEM, "MAP_FIXED_NOREPLACE there past the limit: -ENOMEM");
	tap_eq(fy_syscall2(SYS_munmap, a + (n - 3) * PG, PG), -ENOMEM,
	       "munmap that needs a split at the limit: -ENOMEM");
	/*
	 * An mprotect whose cut part joins the neighbour it touches needs
	 * no new region: Linux 6.1's mprotect_fixup tries vma_merge before
	 * split_vma, so it works at the limit (linux-ref: 0 for both). Page
	 * 2(i-1) stayed writable: the writable rest of the mapping starts
	 * just below it, after a read-only page; pages 0-1 are writable,
	 * page 2 read-only.
	 */
	r = fy_syscall3(SYS_mprotect, a + 4 * PG, PG, PROT_NONE);
	tap_eq(r, 0, "mprotect of a whole region past the limit: 0 (no split)");
	r = fy_syscall3(SYS_mprotect, a + (2 * (i - 1) - 1) * PG, PG,
			PROT_READ);
	tap_eq(r, 0,
	       "mprotect of a region's head as its lower neighbour, "
	       "at the limit: 0 (merged, no split)");
	r = fy_syscall3(SYS_mprotect, a + PG, PG, PROT_READ);
	tap_eq(r, 0,
	       "mprotect of a region's tail as its upper neighbour, "
	       "at the limit: 0 (merged, no split)");
	r = fy_syscall3(SYS_mprotect, a + (2 * (i - 1) + 4) * PG, PG,
			PROT_READ);
	tap_eq(r, -ENOMEM, "mprotect inside a region at the limit: -ENOMEM");
	tap_eq(*(volatile char *)(a + (2 * (i - 1) + 4) * PG) = 1, 1,
	       "and it is still writable");
	brk0 = fy_syscall1(SYS_brk, 0);
	tap_eq(fy_syscall1(SYS_brk, brk0 + 8 * PG), brk0,
	       "brk that needs a new region at the limit: the old break");
	tap_eq(fy_syscall2(SYS_munmap, a, n * PG), 0, "munmap all of it");
	while (k-- > 0)
		fy_syscall2(SYS_munmap, extra[k], PG);
	r = sys_mmap(a + (n - 2) * PG, PG, RW, ANON | MAP_FIXED, -1, 0);
	tap_eq(r, a + (n - 2) * PG, "below the limit, MAP_FIXED works again");
	fy_syscall2(SYS_munmap, r, PG);
}

int main(void)
{
	test_brk();
	test_brk_decommit();
	test_mmap();
	test_mmap_bad();
	test_reserve();
	test_churn();
	test_region_limit();
	return tap_done();
}
