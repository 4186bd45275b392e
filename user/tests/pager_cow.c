/*
 * Copy-on-write regions (SYS_pmo_map_region with VM_MAP_COW; Linux's
 * MAP_PRIVATE file mappings): a read maps the source PMO's own frame
 * read-only, so a change to the source shows through a page the region
 * has not written (Linux shows it too: mmap(2) leaves it unspecified,
 * and the page cache page is what a private mapping reads until its
 * first write); a write copies the page into the region's private PMO,
 * and the source never changes. Splits keep the copies, and a write by
 * the kernel (SYS_pmo_read into the region) copies as a user write does.
 * The source may be a PMO_PAGED: an absent source page goes to the
 * region's pager first.
 */
#include <string.h>
#include <sys/mman.h>

#include <ferry/ipc.h>
#include <uapi/ferry/proto/pager.h>

#include "tap.h"
#include "util.h"

#define PG 4096ul
#define BASE (SCRATCH_VA + 0x2000000ul)

static struct ipc_conn self;
static cap_t paged = -1;
static volatile int calls;

static long handler(struct ipc_msg *msg, uint64_t badge)
{
	static unsigned char page[PG];
	const struct pager_req *q = (const struct pager_req *)msg;

	(void)badge;
	calls++;
	memset(page, (int)(0x70 + q->offset / PG), sizeof(page));
	return fy_pmo_write(paged, q->offset, page, sizeof(page));
}

static unsigned char src_byte(cap_t pmo, uint64_t off)
{
	unsigned char b = 0;

	fy_pmo_read(pmo, off, &b, 1);
	return b;
}

static long frames(void)
{
	return fy_kstat(KSTAT_FREE_FRAMES);
}

static void test_anon_source(void)
{
	static unsigned char fill[4 * PG];
	volatile unsigned char *p = (volatile unsigned char *)BASE;
	cap_t src = (cap_t)fy_pmo_create(4 * PG, PMO_ANONYMOUS), ro;
	struct vm_map_args a = {.pmo = src,
				.perm = VM_READ | VM_WRITE,
				.addr = BASE,
				.size = 4 * PG,
				.flags = VM_MAP_COW,
				.pager = -1};
	unsigned char b = 0x11;
	long f;

	for (size_t i = 0; i < sizeof(fill); i++)
		fill[i] = (unsigned char)(i / PG + 1);
	fy_pmo_write(src, 0, fill, sizeof(fill));
	ro = (cap_t)fy_cap_copy(src, CAP_RIGHT_READ | CAP_RIGHT_MAP);
	a.pmo = ro;
	a.flags = 0;
	tap_eq(fy_pmo_map_region(CAP_SELF_GROUP, &a), -ECAPBILITY,
	       "a shared writable map needs WRITE on the PMO");
	a.flags = VM_MAP_COW;
	tap_eq(fy_pmo_map_region(CAP_SELF_GROUP, &a), 0,
	       "a private writable map does not (MAP_PRIVATE)");
	tap_eq(p[0], 1, "page 0 reads the source");
	f = frames();
	tap_eq(p[PG], 2, "page 1 reads the source");
	tap_eq(frames(), f, "sharing the source's frame");
	fy_pmo_write(src, PG + 9, &b, 1);
	tap_eq(p[PG + 9], 0x11,
	       "a write to the source shows through an unwritten page");
	p[PG + 9] = 0x22;
	tap_eq(p[PG + 9], 0x22, "a write to page 1 lands");
	tap_ok(frames() < f, "in a frame of its own (and the copies' radix)");
	tap_eq(p[PG], 2, "the copy holds the rest of the page");
	tap_eq(src_byte(src, PG + 9), 0x11, "the source is unchanged");
	b = 0x33;
	fy_pmo_write(src, PG + 9, &b, 1);
	tap_eq(p[PG + 9], 0x22, "and no longer shows through the copy");
	f = frames();
	p[2 * PG] = 0x44; /* never read: the write fault copies at once */
	tap_eq(frames(), f - 1, "one frame per copied page");
	tap_eq(p[2 * PG + 1], 3, "a first write to page 2 copies it too");
	tap_eq(src_byte(src, 2 * PG), 3, "the source's page 2 is unchanged");
	/* The kernel writes into page 3 (copy_to_user): a copy as well. */
	tap_eq(fy_pmo_read(src, 0, (void *)(BASE + 3 * PG + 8), 4), 0,
	       "pmo_read into an unwritten private page");
	tap_eq(p[3 * PG + 8], 1, "its bytes land in the region");
	tap_eq(src_byte(src, 3 * PG + 8), 4, "not in the source");
	/* Splits: the copies stay with their pages. */
	tap_eq(munmap((void *)BASE, PG), 0, "munmap page 0 (the front)");
	tap_eq(mprotect((void *)(BASE + 2 * PG), PG, PROT_READ), 0,
	       "mprotect page 2 read-only (a split in three)");
	tap_eq(p[PG + 9], 0x22, "page 1 keeps its copy");
	tap_eq(p[2 * PG], 0x44, "page 2 keeps its copy, read-only");
	tap_eq(p[3 * PG + 8], 1, "page 3 keeps the kernel's write");
	tap_eq(munmap((void *)(BASE + 2 * PG), PG), 0, "munmap page 2");
	p[PG + 10] = 0x55;
	tap_eq(p[PG + 9] == 0x22 && p[PG + 10] == 0x55, 1,
	       "page 1 is still its own copy, writable");
	tap_eq(src_byte(src, PG + 10), 2, "the source never changed");
	tap_eq(munmap((void *)BASE, 4 * PG), 0, "munmap the rest");
	fy_cap_delete(ro);
	fy_cap_delete(src);
}

static void test_paged_source(void)
{
	volatile unsigned char *p = (volatile unsigned char *)BASE;
	struct vm_map_args a = {.pmo = paged,
				.perm = VM_READ | VM_WRITE,
				.addr = BASE,
				.size = 2 * PG,
				.flags = VM_MAP_COW,
				.pager = self.cap};

	tap_eq(fy_pmo_map_region(CAP_SELF_GROUP, &a), 0,
	       "a private map of a paged PMO with ourselves as pager");
	tap_eq(p[5], 0x70, "a read of page 0 gets the pager's page");
	tap_eq(calls, 1, "through one call");
	p[6] = 0x99;
	tap_eq(p[6], 0x99, "a write to it copies it");
	tap_eq(calls, 1, "with no other call");
	tap_eq(src_byte(paged, 6), 0x70, "the paged PMO is unchanged");
	p[PG] = 0x98;
	tap_eq(calls, 2, "a first write to absent page 1 calls the pager");
	tap_eq(p[PG] == 0x98 && p[PG + 1] == 0x71, 1,
	       "then copies what it supplied");
	tap_eq(src_byte(paged, PG), 0x71, "the paged PMO is unchanged");
	tap_eq(fy_pmo_unmap(CAP_SELF_GROUP, BASE), 0, "unmap");
}

int main(void)
{
	test_anon_source();
	tap_eq(ipc_serve(handler, NULL), 0, "serve IPC");
	tap_eq(ipc_connect(CAP_SELF_MAIN_THREAD, PAGER_SHM_MIN, &self), 0,
	       "connect to ourselves");
	paged = (cap_t)fy_pmo_create(2 * PG, PMO_PAGED);
	test_paged_source();
	fy_cap_delete(paged);
	ipc_close(&self);
	return tap_done();
}
