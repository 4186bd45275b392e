/*
 * Every byte of a page the kernel zeroes or copies whole (arch_zero_page,
 * arch_copy_page: `rep stosq` / `rep movsq` on x86_64), not only the
 * bytes near the start: a fresh anonymous page reads zero from its first
 * byte to its last even when its frame held other bytes just before, a
 * copy-on-write copy holds the source's page exactly, and a page-sized
 * kernel allocation (a capability table grown to 16 KiB) starts empty.
 */
#include <string.h>
#include <sys/mman.h>

#include "tap.h"
#include "util.h"

#define PG 4096ul
#define PAGES 64
#define BASE (SCRATCH_VA + 0x6000000ul)

/* A byte that differs with its offset and page, never 0. */
static unsigned char pattern(size_t off)
{
	return (unsigned char)((off * 7 + off / PG) % 255 + 1);
}

static cap_t map_new(size_t pages, unsigned flags, cap_t src)
{
	cap_t pmo = src >= 0 ? src
			     : (cap_t)fy_pmo_create(pages * PG, PMO_ANONYMOUS);
	struct vm_map_args a = {.pmo = pmo,
				.perm = VM_READ | VM_WRITE,
				.addr = BASE,
				.size = pages * PG,
				.flags = flags,
				.pager = -1};

	if (pmo < 0 || fy_pmo_map_region(CAP_SELF_GROUP, &a) < 0)
		return -1;
	return pmo;
}

/*
 * The first i in [0, n) where p[i] is not 0 (zero) or not the pattern
 * at offset off + i, or -1.
 */
static long first_bad(const volatile unsigned char *p, size_t off, size_t n,
		      int zero)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != (zero ? 0 : pattern(off + i)))
			return (long)i;
	return -1;
}

static void test_fresh_pages_are_zero(void)
{
	volatile unsigned char *p = (volatile unsigned char *)BASE;
	cap_t pmo = map_new(PAGES, 0, -1);

	tap_ok(pmo >= 0, "map %d anonymous pages", PAGES);
	if (pmo < 0)
		return;
	tap_eq(first_bad(p, 0, PAGES * PG, 1), -1,
	       "every byte of %d fresh pages reads 0", PAGES);
	for (size_t i = 0; i < PAGES * PG; i++)
		p[i] = 0xa5;
	/* Their frames go back and are the next ones handed out. */
	fy_pmo_unmap(CAP_SELF_GROUP, BASE);
	fy_cap_delete(pmo);
	pmo = map_new(PAGES, 0, -1);
	tap_ok(pmo >= 0, "map %d anonymous pages again", PAGES);
	if (pmo < 0)
		return;
	tap_eq(first_bad(p, 0, PAGES * PG, 1), -1,
	       "every byte reads 0 again, after the frames held 0xa5");
	fy_pmo_unmap(CAP_SELF_GROUP, BASE);
	fy_cap_delete(pmo);
}

static void test_cow_copies_whole_pages(void)
{
	static unsigned char fill[PAGES * PG];
	volatile unsigned char *p = (volatile unsigned char *)BASE;
	cap_t src = (cap_t)fy_pmo_create(PAGES * PG, PMO_ANONYMOUS);
	long bad = -1;

	for (size_t i = 0; i < sizeof(fill); i++)
		fill[i] = pattern(i);
	tap_eq(fy_pmo_write(src, 0, fill, sizeof(fill)), 0,
	       "a source PMO of %d patterned pages", PAGES);
	tap_eq(map_new(PAGES, VM_MAP_COW, src), src, "a private map of it");
	/* The last byte of each page: its first write copies the page. */
	for (size_t pg = 0; pg < PAGES; pg++)
		p[pg * PG + PG - 1] = 0;
	for (size_t pg = 0; pg < PAGES && bad < 0; pg++)
		if (first_bad(p + pg * PG, pg * PG, PG - 1, 0) >= 0)
			bad = (long)pg;
	tap_eq(bad, -1,
	       "each copy holds the source's other 4095 bytes (bad page)");
	memset(fill, 0, sizeof(fill));
	fy_pmo_read(src, 0, fill, sizeof(fill));
	tap_eq(fill[PG - 1], pattern(PG - 1), "the source is unchanged");
	fy_pmo_unmap(CAP_SELF_GROUP, BASE);
	fy_cap_delete(src);
}

/* A table past 128 slots is frames (kzalloc's page path): all empty. */
static void test_grown_table_is_empty(void)
{
	long c = fy_cap_transfer(CAP_SELF_GROUP, CAP_SELF_VMSPACE,
				 CAP_RIGHT_ALL, CAP_TABLE_MAX - 1);
	int empty = 1;

	tap_eq(c, CAP_TABLE_MAX - 1,
	       "a cap into the last slot grows the table");
	for (long s = 16; s < CAP_TABLE_MAX - 1; s++)
		empty &= fy_cap_info((cap_t)s) == -ECAPBILITY ||
			 s < 32; /* our initial caps may sit low */
	tap_ok(empty, "every slot from 32 below it is empty");
	fy_cap_delete((cap_t)c);
}

int main(void)
{
	touch_own_pages();
	test_fresh_pages_are_zero();
	test_cow_copies_whole_pages();
	test_grown_table_is_empty();
	return tap_done();
}
