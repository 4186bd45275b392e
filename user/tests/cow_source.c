/*
 * A private (VM_MAP_COW) region over pages its anonymous source never
 * had takes zeroed pages of its own, one frame per page, and makes the
 * source allocate nothing. Before, each fault allocated the source's
 * page first (charged to the source's creator, who may have given the
 * mapper READ alone: the mapper spent another process's budget), then
 * the copy: two frames per written page, one per read page.
 */
#include <string.h>
#include <sys/mman.h>

#include "tap.h"
#include "util.h"

#define PG 4096ul
#define PAGES 32
#define BASE (SCRATCH_VA + 0x4000000ul)

int main(void)
{
	volatile unsigned char *p = (volatile unsigned char *)BASE;
	cap_t src = (cap_t)fy_pmo_create(2 * PAGES * PG, PMO_ANONYMOUS);
	cap_t ro = (cap_t)fy_cap_copy(src, CAP_RIGHT_READ | CAP_RIGHT_MAP);
	struct vm_map_args a = {.pmo = ro,
				.perm = VM_READ | VM_WRITE,
				.addr = BASE,
				.size = 2 * PAGES * PG,
				.flags = VM_MAP_COW,
				.pager = -1};
	unsigned char seven = 7, b = 1;
	long f, used;
	int zeros = 1;

	touch_own_pages();
	tap_eq(fy_pmo_map_region(CAP_SELF_GROUP, &a), 0,
	       "a private map of a READ|MAP cap to an empty PMO");
	p[0] = 1; /* the copies' radix, once */
	f = fy_kstat(KSTAT_FREE_FRAMES);
	for (unsigned i = 1; i < PAGES; i++)
		p[i * PG] = (unsigned char)i;
	used = f - fy_kstat(KSTAT_FREE_FRAMES);
	tap_eq(used, PAGES - 1,
	       "a frame per written page, none for the "
	       "source (%ld for %d pages)",
	       used, PAGES - 1);
	f = fy_kstat(KSTAT_FREE_FRAMES);
	for (unsigned i = PAGES; i < 2 * PAGES; i++)
		zeros &= p[i * PG + 5] == 0;
	used = f - fy_kstat(KSTAT_FREE_FRAMES);
	tap_ok(zeros, "untouched pages read as zeros");
	tap_ok(used <= PAGES, "a frame per read page at most (%ld for %d)",
	       used, PAGES);
	tap_eq(fy_pmo_read(src, 5 * PG, &b, 1), 0, "read the source");
	tap_eq(b, 0, "the source is unchanged (zeros)");
	/* A page the source has: shared until written, as before. */
	fy_pmo_write(src, 0, &seven, 1);
	tap_eq(p[0], 1, "page 0 keeps its copy");
	tap_eq(munmap((void *)BASE, 2 * PAGES * PG), 0, "munmap");
	fy_pmo_write(src, PG, &seven, 1);
	a.size = 2 * PG;
	tap_eq(fy_pmo_map_region(CAP_SELF_GROUP, &a), 0, "map it again");
	tap_eq(p[PG], 7, "a page the source has shows through");
	p[PG + 1] = 9;
	tap_eq(fy_pmo_read(src, PG + 1, &b, 1) == 0 && b == 0, 1,
	       "a write copies it, the source keeps its own");
	tap_eq(munmap((void *)BASE, 2 * PG), 0, "munmap");
	fy_cap_delete(ro);
	fy_cap_delete(src);
	return tap_done();
}
