/*
 * madvise(2), as a table of (arguments, Linux 6.1's answer): the checks
 * of do_madvise, the walk's -ENOMEM for holes, every advice Linux 6.1
 * takes on anonymous memory, and what MADV_DONTNEED/FREE/REMOVE leave
 * in private and shared mappings. Run unmodified under Linux by
 * tools/linux-ref-tests.sh.
 */
#include <sys/mman.h>
#include <sys/syscall.h>

#include "linux_abi.h"
#include "linux_shm.h"

#define RW (PROT_READ | PROT_WRITE)
#define ANON (MAP_PRIVATE | MAP_ANONYMOUS)
#define SHARED (MAP_SHARED | MAP_ANONYMOUS)
/* A quiet stretch of user space, away from where either kernel puts things. */
#define HINT 0x340000000l

/* Linux 6.1's advice numbers (uapi/asm-generic/mman-common.h). */
enum {
	NORMAL = 0,
	RANDOM = 1,
	SEQUENTIAL = 2,
	WILLNEED = 3,
	DONTNEED = 4,
	FREE = 8,
	REMOVE = 9,
	DONTFORK = 10,
	DOFORK = 11,
	MERGEABLE = 12,
	UNMERGEABLE = 13,
	HUGEPAGE = 14,
	NOHUGEPAGE = 15,
	DONTDUMP = 16,
	DODUMP = 17,
	WIPEONFORK = 18,
	KEEPONFORK = 19,
	COLD = 20,
	PAGEOUT = 21,
	POPULATE_READ = 22,
	POPULATE_WRITE = 23,
	DONTNEED_LOCKED = 24,
	COLLAPSE = 25,
};

static long mm(long addr, long len, long prot, long flags)
{
	return lx6(SYS_mmap, addr, len, prot, flags, -1, 0);
}

static void unmap(long addr, long len)
{
	lx2(SYS_munmap, addr, len);
}

static long adv(long addr, long len, long advice)
{
	return lx3(SYS_madvise, addr, len, advice);
}

static void fill(long addr, long len, char c)
{
	for (long i = 0; i < len; i += PG)
		*(volatile char *)(addr + i) = c;
}

/* How many of the pages in [addr, addr + len) read back as c? */
static long count(long addr, long len, char c)
{
	long n = 0;

	for (long i = 0; i < len; i += PG)
		n += *(volatile char *)(addr + i) == c;
	return n;
}

/* do_madvise's checks, in its order: advice, alignment, length, wrap. */
static void test_args(void)
{
	long a = mm(HINT, 4 * PG, RW, ANON | MAP_FIXED);

	tap_eq(a, HINT, "a 4-page mapping");
	tap_eq(adv(a, PG, 5), -EINVAL, "advice 5 (unused): -EINVAL");
	tap_eq(adv(a, PG, 26), -EINVAL,
	       "advice 26 (past MADV_COLLAPSE): -EINVAL");
	tap_eq(adv(a, PG, -1), -EINVAL, "advice -1: -EINVAL");
	tap_eq(adv(a, 0, 5), -EINVAL,
	       "unknown advice with length 0: -EINVAL (advice checked first)");
	tap_eq(adv(a + 1, PG, NORMAL), -EINVAL, "unaligned address: -EINVAL");
	tap_eq(adv(a + 1, 0, NORMAL), -EINVAL,
	       "unaligned address, length 0: -EINVAL (before the length)");
	tap_eq(adv(a, 0, DONTNEED), 0, "length 0: 0");
	tap_eq(adv(0, 0, DONTNEED), 0, "length 0 at NULL: 0");
	tap_eq(adv(a, -1, NORMAL), -EINVAL,
	       "length -1 (rounds up to 0): -EINVAL");
	tap_eq(adv(a, -PG, NORMAL), -EINVAL,
	       "length -4096 (end wraps): -EINVAL");
	tap_eq(adv(a, PG + 1, NORMAL), 0, "length 4097 (two pages, mapped): 0");
	tap_eq(adv(a, 4 * PG - 100, DONTNEED), 0,
	       "length rounded up to the mapping's end: 0");
	tap_eq(adv((long)KERNEL_ADDR, PG, NORMAL), -ENOMEM,
	       "the kernel half: -ENOMEM (nothing mapped)");
	tap_eq(adv((long)TASK_END, PG, NORMAL), -ENOMEM,
	       "just past user space: -ENOMEM");
	tap_eq(adv(-PG, PG, NORMAL), -EINVAL,
	       "the last page: end wraps, -EINVAL");
	tap_eq(adv(PG, PG, NORMAL), -ENOMEM, "page 1 (unmapped): -ENOMEM");
	unmap(a, 4 * PG);
	tap_eq(adv(a, 4 * PG, NORMAL), -ENOMEM, "an unmapped range: -ENOMEM");
}

/*
 * Every advice Linux 6.1 takes, on private anonymous memory: 0 (madvise
 * (2): the hints, and the rest "Since Linux x.y"); then on a shared
 * anonymous mapping (shmem), where MADV_FREE, MADV_WIPEONFORK and
 * MADV_REMOVE's rules differ.
 */
static void test_each(void)
{
	static const struct {
		int advice;
		const char *name;
		long priv, shared;
	} rows[] = {
		{NORMAL, "MADV_NORMAL", 0, 0},
		{RANDOM, "MADV_RANDOM", 0, 0},
		{SEQUENTIAL, "MADV_SEQUENTIAL", 0, 0},
		{WILLNEED, "MADV_WILLNEED", 0, 0},
		{DONTNEED, "MADV_DONTNEED", 0, 0},
		/* "only on private anonymous pages" */
		{FREE, "MADV_FREE", 0, -EINVAL},
		/* anonymous private: no file, -EINVAL; shmem punches a hole */
		{REMOVE, "MADV_REMOVE", -EINVAL, 0},
		{DONTFORK, "MADV_DONTFORK", 0, 0},
		{DOFORK, "MADV_DOFORK", 0, 0},
		{MERGEABLE, "MADV_MERGEABLE", 0, 0},
		{UNMERGEABLE, "MADV_UNMERGEABLE", 0, 0},
		{HUGEPAGE, "MADV_HUGEPAGE", 0, 0},
		{NOHUGEPAGE, "MADV_NOHUGEPAGE", 0, 0},
		{DONTDUMP, "MADV_DONTDUMP", 0, 0},
		{DODUMP, "MADV_DODUMP", 0, 0},
		/* "only on private anonymous pages" */
		{WIPEONFORK, "MADV_WIPEONFORK", 0, -EINVAL},
		{KEEPONFORK, "MADV_KEEPONFORK", 0, 0},
		{COLD, "MADV_COLD", 0, 0},
		{PAGEOUT, "MADV_PAGEOUT", 0, 0},
		{POPULATE_READ, "MADV_POPULATE_READ", 0, 0},
		{POPULATE_WRITE, "MADV_POPULATE_WRITE", 0, 0},
		{DONTNEED_LOCKED, "MADV_DONTNEED_LOCKED", 0, 0},
		/* no 2 MiB-aligned huge page fits in 4 pages (test_collapse) */
		{COLLAPSE, "MADV_COLLAPSE", -EINVAL, -EINVAL},
	};

	for (unsigned i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		long a = mm(HINT, 4 * PG, RW, ANON | MAP_FIXED);
		long s = mm(HINT + 8 * PG, 4 * PG, RW, SHARED | MAP_FIXED);

		fill(a, 4 * PG, 1);
		fill(s, 4 * PG, 1);
		tap_eq(adv(a, 4 * PG, rows[i].advice), rows[i].priv,
		       "%s on private anonymous memory: %ld", rows[i].name,
		       rows[i].priv);
		tap_eq(adv(s, 4 * PG, rows[i].advice), rows[i].shared,
		       "%s on shared anonymous memory: %ld", rows[i].name,
		       rows[i].shared);
		fill(a, 4 * PG, 2);
		fill(s, 4 * PG, 2);
		tap_ok(count(a, 4 * PG, 2) == 4 && count(s, 4 * PG, 2) == 4,
		       "%s: both still read and write", rows[i].name);
		unmap(a, 12 * PG);
	}
}

/* What the pages hold after MADV_DONTNEED, MADV_FREE and MADV_REMOVE. */
static void test_contents(void)
{
	long a = mm(HINT, 4 * PG, RW, ANON | MAP_FIXED);
	long s = mm(HINT + 8 * PG, 4 * PG, RW, SHARED | MAP_FIXED);

	/* "subsequent accesses ... zero-fill-on-demand pages" (private) */
	fill(a, 4 * PG, 7);
	tap_eq(adv(a + PG, 2 * PG, DONTNEED), 0, "DONTNEED the middle pages");
	tap_ok(count(a, 4 * PG, 0) == 2 && count(a, PG, 7) == 1 &&
		       count(a + 3 * PG, PG, 7) == 1,
	       "private: those two read zeros, the others keep their data");
	/* "repopulate the memory contents from the up-to-date contents of
	 * the underlying mapped file" (shared: the data stays) */
	fill(s, 4 * PG, 7);
	tap_eq(adv(s, 4 * PG, DONTNEED), 0, "DONTNEED a shared mapping");
	tap_eq(count(s, 4 * PG, 7), 4, "shared: the data stays");
	tap_eq(adv(s + PG, PG, REMOVE), 0, "REMOVE a shared page");
	tap_eq(count(s, 4 * PG, 0), 1, "shared: that page reads zeros now");
	tap_eq(count(s, 4 * PG, 7), 3, "shared: the others keep their data");
	/* The mapping was made writable (VM_MAYWRITE): read-only now, it
	 * may still be punched. */
	lx3(SYS_mprotect, s, 4 * PG, PROT_READ);
	tap_eq(adv(s + 2 * PG, PG, REMOVE), 0,
	       "REMOVE on a shared mapping made read-only: 0");
	tap_eq(count(s, 4 * PG, 0), 2, "that page reads zeros too");
	/* MADV_FREE may free lazily: only readable and writable after. */
	fill(a, 4 * PG, 7);
	tap_eq(adv(a, 4 * PG, FREE), 0, "FREE a private mapping");
	tap_ok(count(a, 4 * PG, 0) + count(a, 4 * PG, 7) == 4,
	       "its pages read zeros or their data");
	fill(a, 4 * PG, 9);
	tap_eq(count(a, 4 * PG, 9), 4, "and are written again");
	/* PROT_NONE: DONTNEED still drops the pages. */
	fill(a, 4 * PG, 7);
	lx3(SYS_mprotect, a, 4 * PG, PROT_NONE);
	tap_eq(adv(a, 4 * PG, DONTNEED), 0, "DONTNEED on PROT_NONE: 0");
	tap_eq(adv(a, 4 * PG, POPULATE_READ), -EINVAL,
	       "POPULATE_READ on PROT_NONE: -EINVAL");
	lx3(SYS_mprotect, a, 4 * PG, PROT_READ);
	tap_eq(count(a, 4 * PG, 0), 4, "made readable: zeros");
	tap_eq(adv(a, 4 * PG, POPULATE_WRITE), -EINVAL,
	       "POPULATE_WRITE on read-only: -EINVAL");
	tap_eq(adv(a, 4 * PG, POPULATE_READ), 0, "POPULATE_READ on it: 0");
	unmap(a, 12 * PG);
}

/*
 * Holes: Linux applies the advice to the mapped parts and then answers
 * -ENOMEM ("Addresses in the specified range are not currently mapped").
 */
static void test_holes(void)
{
	long a = mm(HINT, 4 * PG, RW, ANON | MAP_FIXED);

	unmap(a + PG, PG);
	fill(a, PG, 7);
	fill(a + 2 * PG, 2 * PG, 7);
	tap_eq(adv(a, 4 * PG, DONTNEED), -ENOMEM,
	       "DONTNEED over a hole: -ENOMEM");
	tap_ok(count(a, PG, 0) == 1 && count(a + 2 * PG, 2 * PG, 0) == 2,
	       "the pages around the hole were dropped all the same");
	fill(a + 2 * PG, 2 * PG, 7);
	tap_eq(adv(a + PG, 3 * PG, DONTNEED), -ENOMEM,
	       "starting in the hole: -ENOMEM");
	tap_eq(count(a + 2 * PG, 2 * PG, 0), 2,
	       "the pages after it were dropped");
	tap_eq(adv(a + 2 * PG, 4 * PG, NORMAL), -ENOMEM,
	       "running past the mapping's end: -ENOMEM");
	tap_eq(adv(a, 4 * PG, FREE), -ENOMEM, "FREE over the hole: -ENOMEM");
	tap_eq(adv(a + PG, PG, NORMAL), -ENOMEM, "the hole alone: -ENOMEM");
	/* A region refusing the advice stops the walk with its error. */
	tap_eq(mm(a + PG, PG, RW, SHARED | MAP_FIXED), a + PG,
	       "a shared page in the hole");
	tap_eq(adv(a, 4 * PG, FREE), -EINVAL,
	       "FREE over private and shared: -EINVAL");
	tap_eq(adv(a + 2 * PG, 4 * PG, FREE), -ENOMEM,
	       "FREE on private then a hole: -ENOMEM");
	unmap(a, 4 * PG);
}

/*
 * MADV_COLLAPSE (Linux 6.1's hugepage_vma_check, madvise_collapse): only
 * private anonymous memory already faulted in (it has an anon_vma) and
 * holding an aligned 2 MiB below its end; then each aligned 2 MiB in the
 * range must have been faulted in (else SCAN_PMD_NULL, -EINVAL), and a
 * range holding none is 0 only if its ends round to one boundary.
 */
static void test_collapse(void)
{
	long m = mm(HINT, 4l << 20, RW, ANON | MAP_FIXED);
	long s = mm(HINT + (8l << 20), 4l << 20, RW, SHARED | MAP_FIXED);

	tap_eq(m, HINT, "a 4 MiB private mapping, 2 MiB-aligned");
	tap_eq(adv(m, 4l << 20, COLLAPSE), -EINVAL,
	       "COLLAPSE before any fault (no anon_vma): -EINVAL");
	fill(m, PG, 1);
	tap_eq(adv(m, 4l << 20, COLLAPSE), -EINVAL,
	       "COLLAPSE after one fault: the second 2 MiB has none, -EINVAL");
	tap_eq(adv(m, 2l << 20, COLLAPSE), 0,
	       "COLLAPSE of the faulted 2 MiB: 0");
	tap_eq(adv(m, PG, COLLAPSE), 0,
	       "COLLAPSE of its first page (both ends round to it): 0");
	tap_eq(adv(m + PG, PG, COLLAPSE), -EINVAL,
	       "COLLAPSE of its second page (ends round apart): -EINVAL");
	fill(m, 4l << 20, 1);
	tap_eq(adv(m, 4l << 20, COLLAPSE), 0, "all faulted in: 0");
	tap_eq(count(m, 4l << 20, 1), 1024, "the data stays");
	/* shmem: no anon_vma needed, the faulted pages are what counts */
	tap_eq(adv(s, 4l << 20, COLLAPSE), -EINVAL,
	       "COLLAPSE on untouched shared anonymous memory: -EINVAL");
	fill(s, 4l << 20, 1);
	tap_eq(adv(s, 4l << 20, COLLAPSE), 0,
	       "COLLAPSE on shared anonymous memory faulted in: 0");
	unmap(m, 12l << 20);
}

/* SysV shm is shmem too: DONTNEED keeps its data, FREE is refused. */
static void test_shm(void)
{
	long id = get(0, 2 * PG, IPC_CREAT | 0600), a;

	tap_ok(id >= 0, "a 2-page segment (%ld)", id);
	a = at(id, 0, 0);
	tap_ok(a > 0, "attached (0x%lx)", a);
	if (a <= 0)
		return;
	fill(a, 2 * PG, 5);
	tap_eq(adv(a, 2 * PG, DONTNEED), 0, "DONTNEED on shm: 0");
	tap_eq(count(a, 2 * PG, 5), 2, "shm: the data stays");
	tap_eq(adv(a, 2 * PG, FREE), -EINVAL, "FREE on shm: -EINVAL");
	tap_eq(adv(a, 2 * PG, WIPEONFORK), -EINVAL,
	       "WIPEONFORK on shm: -EINVAL");
	tap_eq(adv(a, 2 * PG, COLLAPSE), -EINVAL,
	       "COLLAPSE on a 2-page segment (no 2 MiB fits): -EINVAL");
	dt(a);
	ctl(id, IPC_RMID, 0);
	/* A segment large enough for a huge page, faulted in all through:
	 * shmem, so COLLAPSE is taken (0) as on MAP_SHARED memory. */
	id = get(0, 4l << 20, IPC_CREAT | 0600);
	a = at(id, HINT, 0);
	tap_eq(a, HINT, "a 4 MiB segment attached 2 MiB-aligned");
	if (a == HINT) {
		fill(a, 4l << 20, 1);
		tap_eq(adv(a, 4l << 20, COLLAPSE), 0, "COLLAPSE on it: 0");
		dt(a);
	}
	ctl(id, IPC_RMID, 0);
}

/* The heap is private anonymous memory too. */
static void test_brk(void)
{
	long cur = lx1(SYS_brk, 0), top;

	top = lx1(SYS_brk, cur + 8 * PG);
	tap_eq(top, cur + 8 * PG, "brk grows 8 pages");
	long pg = (cur + PG - 1) & ~(PG - 1);
	fill(pg, 4 * PG, 3);
	tap_eq(adv(pg, 4 * PG, DONTNEED), 0, "DONTNEED on the heap: 0");
	tap_eq(count(pg, 4 * PG, 0), 4, "the heap's pages read zeros");
	lx1(SYS_brk, cur);
}

/* The program's own data is a private file mapping on Linux. */
static int data_word = 42;

static void test_data(void)
{
	long pg = (long)&data_word & ~(PG - 1);

	tap_eq(adv(pg, PG, FREE), -EINVAL,
	       "FREE on the program's data (a file mapping): -EINVAL");
	tap_eq(adv(pg, PG, REMOVE), -EACCES,
	       "REMOVE on the program's data (private): -EACCES");
	tap_eq(adv(pg, PG, WIPEONFORK), -EINVAL,
	       "WIPEONFORK on the program's data: -EINVAL");
}

int main(void)
{
	test_args();
	test_each();
	test_contents();
	test_holes();
	test_collapse();
	test_shm();
	test_brk();
	test_data();
	return tap_done();
}
