/*
 * kernel/object/pmo.c: creation, the lazily filled radix of frames, and
 * copies in and out. Frame counts show exactly when frames are taken.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "kernel_env.h"
#include <mm/budget.h>
#include <mm/frame.h>
#include <mm/kmalloc.h>
#include <object/pmo.h>
#include <uapi/ferry/errno.h>

/*
 * Each PMO charges a budget only it holds: its destruction drops the
 * last reference, and budget_put halts the kernel unless every path
 * gave back exactly what was charged.
 */
static struct pmo *new_pmo(size_t size, int type)
{
	struct budget *b = budget_new(frame_total_count());
	struct pmo *p = NULL;

	assert_non_null(b);
	assert_int_equal(pmo_create(size, type, b, &p), 0);
	assert_non_null(p);
	budget_put(b);
	return p;
}

static void test_create_bad_sizes(void **state)
{
	struct pmo *p = NULL;

	(void)state;
	assert_int_equal(pmo_create(0, PMO_ANONYMOUS, NULL, &p), -EINVAL);
	assert_int_equal(pmo_create(PMO_MAX_SIZE + 1, PMO_ANONYMOUS, NULL, &p),
			 -EINVAL);
	assert_int_equal(
		pmo_create(PMO_MAX_SIZE + PAGE_SIZE, PMO_DATA, NULL, &p),
		-EINVAL);
	assert_int_equal(pmo_create(~(size_t)0, PMO_ANONYMOUS, NULL, &p),
			 -EINVAL);
	assert_null(p);
}

static void test_create_bad_type(void **state)
{
	struct pmo *p = NULL;

	(void)state;
	assert_int_equal(pmo_create(PAGE_SIZE, -1, NULL, &p), -EINVAL);
	assert_int_equal(pmo_create(PAGE_SIZE, 3, NULL, &p), -EINVAL);
	assert_int_equal(pmo_create(PAGE_SIZE, 0x100, NULL, &p), -EINVAL);
	assert_null(p);
}

static void test_size_rounds_up_to_pages(void **state)
{
	struct pmo *p = new_pmo(1, PMO_ANONYMOUS);

	(void)state;
	assert_int_equal(p->size, PAGE_SIZE);
	assert_int_equal(obj_type(p), OBJ_TYPE_PMO);
	assert_int_equal(p->type, PMO_ANONYMOUS);
	obj_put(p);
	p = new_pmo(PAGE_SIZE + 1, PMO_ANONYMOUS);
	assert_int_equal(p->size, 2 * PAGE_SIZE);
	obj_put(p);
	p = new_pmo(PAGE_SIZE, PMO_ANONYMOUS);
	assert_int_equal(p->size, PAGE_SIZE);
	obj_put(p);
}

static void test_max_size_anonymous_is_free_until_touched(void **state)
{
	size_t frames = frame_free_count();
	struct pmo *p = new_pmo(PMO_MAX_SIZE, PMO_ANONYMOUS);
	paddr_t pa;

	(void)state;
	assert_int_equal(p->size, PMO_MAX_SIZE);
	/* At most the slab pages holding the struct and its budget. */
	assert_true(frame_free_count() >= frames - 2);
	assert_int_equal(pmo_resident_pages(p), 0);
	/* The very last page is reachable. */
	assert_int_equal(pmo_get_page(p, PMO_MAX_PAGES - 1, true, &pa), 0);
	assert_int_equal(pmo_resident_pages(p), 1);
	assert_int_equal(pmo_get_page(p, PMO_MAX_PAGES, true, &pa), -EINVAL);
	obj_put(p);
}

static void test_data_allocates_every_page_zeroed(void **state)
{
	size_t frames = frame_free_count();
	struct pmo *p = new_pmo(5 * PAGE_SIZE, PMO_DATA);

	(void)state;
	assert_int_equal(pmo_resident_pages(p), 5);
	/* Five frames and two pages of radix (kmalloc'd directory, leaf). */
	assert_true(frame_free_count() <= frames - 5);
	for (size_t i = 0; i < 5; i++) {
		paddr_t pa;
		const unsigned char *b;

		assert_int_equal(pmo_get_page(p, i, false, &pa), 0);
		b = phys_to_virt(pa);
		for (size_t j = 0; j < PAGE_SIZE; j++)
			assert_int_equal(b[j], 0);
	}
	obj_put(p);
}

static void test_data_larger_than_memory_fails_cleanly(void **state)
{
	struct pmo *p = NULL;

	(void)state;
	/* Half way through, frames run out: what was taken goes back. */
	assert_int_equal(pmo_create(2 * KENV_ARENA_SIZE, PMO_DATA, NULL, &p),
			 -ENOMEM);
	assert_null(p);
}

static void test_anonymous_allocates_lazily(void **state)
{
	struct pmo *p = new_pmo(8 * PAGE_SIZE, PMO_ANONYMOUS);
	paddr_t pa, again;
	size_t frames;

	(void)state;
	assert_int_equal(pmo_resident_pages(p), 0);
	assert_int_equal(pmo_get_page(p, 3, false, &pa), -ENOENT);
	assert_int_equal(pmo_resident_pages(p), 0);
	assert_int_equal(pmo_get_page(p, 3, true, &pa), 0);
	assert_int_equal(pmo_resident_pages(p), 1);
	/* The same frame every time after. */
	frames = frame_free_count();
	assert_int_equal(pmo_get_page(p, 3, false, &again), 0);
	assert_int_equal(again, pa);
	assert_int_equal(pmo_get_page(p, 3, true, &again), 0);
	assert_int_equal(again, pa);
	assert_int_equal(frame_free_count(), frames);
	/* Its neighbours are still absent. */
	assert_int_equal(pmo_get_page(p, 2, false, &pa), -ENOENT);
	assert_int_equal(pmo_get_page(p, 4, false, &pa), -ENOENT);
	obj_put(p);
}

static void test_get_page_past_end_is_einval(void **state)
{
	struct pmo *p = new_pmo(2 * PAGE_SIZE, PMO_DATA);
	paddr_t pa = 0;

	(void)state;
	assert_int_equal(pmo_get_page(p, 2, true, &pa), -EINVAL);
	assert_int_equal(pmo_get_page(p, 2, false, &pa), -EINVAL);
	assert_int_equal(pmo_get_page(p, ~(size_t)0, true, &pa), -EINVAL);
	assert_int_equal(pa, 0);
	assert_int_equal(pmo_resident_pages(p), 2);
	obj_put(p);
}

static void test_pages_in_two_radix_leaves(void **state)
{
	struct pmo *p = new_pmo((PMO_RADIX + 10) * PAGE_SIZE, PMO_ANONYMOUS);
	paddr_t a, b;

	(void)state;
	assert_int_equal(pmo_get_page(p, 0, true, &a), 0);
	assert_int_equal(pmo_get_page(p, PMO_RADIX + 9, true, &b), 0);
	assert_int_not_equal(a, b);
	assert_int_equal(pmo_resident_pages(p), 2);
	/* A two-level radix: the root's two leaves are both present. */
	assert_int_equal(p->levels, 2);
	assert_non_null(p->root);
	assert_int_not_equal(p->root[0], 0);
	assert_int_not_equal(p->root[1], 0);
	obj_put(p);
}

/* The radix is as deep as the size needs: 9 bits of page index a level. */
static void test_levels_follow_the_size(void **state)
{
	static const struct {
		size_t pages;
		int levels;
	} cases[] = {
		{1, 1},
		{PMO_RADIX, 1},
		{PMO_RADIX + 1, 2},
		{PMO_RADIX * PMO_RADIX, 2},
		{PMO_RADIX * PMO_RADIX + 1, 3},
		{PMO_RADIX * PMO_RADIX * PMO_RADIX, 3},
		{PMO_RADIX * PMO_RADIX * PMO_RADIX + 1, 4},
		{PMO_MAX_PAGES, 4},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct pmo *p =
			new_pmo(cases[i].pages * PAGE_SIZE, PMO_ANONYMOUS);
		paddr_t pa;

		assert_int_equal(p->levels, cases[i].levels);
		assert_null(p->root);
		/* The first and the last page, each in its own path. */
		assert_int_equal(pmo_get_page(p, 0, true, &pa), 0);
		assert_int_equal(pmo_get_page(p, cases[i].pages - 1, true, &pa),
				 0);
		assert_int_equal(pmo_resident_pages(p),
				 cases[i].pages == 1 ? 1 : 2);
		assert_int_equal(pmo_get_page(p, cases[i].pages, true, &pa),
				 -EINVAL);
		obj_put(p);
	}
}

/* Bytes charged to b now. */
static size_t used_bytes(struct budget *b)
{
	return __atomic_load_n(&b->used, __ATOMIC_RELAXED);
}

/*
 * 128 TiB: nothing but the struct until touched; a touched page costs
 * one frame and one node per level (each sized to what lies below it),
 * and decommitting it gives back all of them.
 */
static void test_terabytes_cost_a_few_nodes(void **state)
{
	struct budget *b = budget_new(frame_total_count());
	size_t frames = frame_free_count(), empty;
	struct pmo *p = NULL;
	paddr_t pa;

	(void)state;
	assert_int_equal(pmo_create(PMO_MAX_SIZE, PMO_ANONYMOUS, b, &p), 0);
	empty = used_bytes(b);
	assert_true(empty <= 128); /* the struct alone */
	assert_int_equal(pmo_get_page(p, PMO_MAX_PAGES / 2 + 12345, true, &pa),
			 0);
	/* A frame and four nodes of at most 4 KiB. */
	assert_true(used_bytes(b) <= empty + 5 * PAGE_SIZE);
	assert_true(frame_free_count() >= frames - 8);
	assert_int_equal(pmo_decommit(p, 0, PMO_MAX_SIZE), 0);
	assert_int_equal(used_bytes(b), empty);
	assert_null(p->root);
	assert_int_equal(pmo_resident_pages(p), 0);
	/* Usable again afterwards, reading zeros. */
	assert_int_equal(pmo_get_page(p, PMO_MAX_PAGES - 1, true, &pa), 0);
	assert_int_equal(*(unsigned char *)phys_to_virt(pa), 0);
	obj_put(p);
	assert_int_equal(used_bytes(b), 0);
	budget_put(b);
}

/*
 * A range decommit frees exactly its pages (reading zeros afterwards)
 * and the nodes wholly inside it, leaves the rest as it was, and gives
 * the budget back what it freed.
 */
static void test_decommit_range(void **state)
{
	enum { PAGES = 3 * PMO_RADIX + 7 };
	struct budget *b = budget_new(frame_total_count());
	struct pmo *p = NULL;
	size_t before;
	char c;

	(void)state;
	assert_int_equal(pmo_create(PAGES * PAGE_SIZE, PMO_ANONYMOUS, b, &p),
			 0);
	for (size_t i = 0; i < PAGES; i++) {
		c = (char)(i | 1);
		assert_int_equal(pmo_write(p, i * PAGE_SIZE, &c, 1), 0);
	}
	assert_int_equal(pmo_resident_pages(p), PAGES);
	before = used_bytes(b);
	/* Part of leaf 0, all of leaf 1, part of leaf 2. */
	assert_int_equal(pmo_decommit(p, 300 * PAGE_SIZE,
				      (2 * PMO_RADIX + 10 - 300) * PAGE_SIZE),
			 0);
	assert_int_equal(pmo_resident_pages(p),
			 PAGES - (2 * PMO_RADIX + 10 - 300));
	assert_int_equal(p->root[1], 0); /* the leaf it covered went */
	assert_int_equal(used_bytes(b),
			 before - (2 * PMO_RADIX + 10 - 300) * PAGE_SIZE -
				 kmalloc_size(PMO_RADIX * sizeof(u64)));
	for (size_t i = 0; i < PAGES; i++) {
		bool gone = i >= 300 && i < 2 * PMO_RADIX + 10;

		assert_int_equal(pmo_read(p, i * PAGE_SIZE, &c, 1), 0);
		assert_int_equal(c, gone ? 0 : (char)(i | 1));
	}
	/* Decommitting nothing present, and the last page alone. */
	assert_int_equal(pmo_decommit(p, 300 * PAGE_SIZE, PAGE_SIZE), 0);
	assert_int_equal(pmo_decommit(p, (PAGES - 1) * PAGE_SIZE, PAGE_SIZE),
			 0);
	assert_int_equal(pmo_read(p, (PAGES - 1) * PAGE_SIZE, &c, 1), 0);
	assert_int_equal(c, 0);
	obj_put(p);
	assert_int_equal(used_bytes(b), 0);
	budget_put(b);
}

static void test_decommit_bad_range(void **state)
{
	struct pmo *p = new_pmo(4 * PAGE_SIZE, PMO_DATA);

	(void)state;
	assert_int_equal(pmo_decommit(p, 1, PAGE_SIZE), -EINVAL);
	assert_int_equal(pmo_decommit(p, 0, PAGE_SIZE + 1), -EINVAL);
	assert_int_equal(pmo_decommit(p, 4 * PAGE_SIZE, PAGE_SIZE), -EINVAL);
	assert_int_equal(pmo_decommit(p, PAGE_SIZE, 4 * PAGE_SIZE), -EINVAL);
	assert_int_equal(pmo_decommit(p, PAGE_SIZE, ~(size_t)0 & ~0xfffful),
			 -EINVAL);
	assert_int_equal(pmo_resident_pages(p), 4); /* nothing freed */
	assert_int_equal(pmo_decommit(p, 4 * PAGE_SIZE, 0), 0);
	assert_int_equal(pmo_resident_pages(p), 4);
	obj_put(p);
}

/* A drain empties the radix too: the PMO reads zeros, holds nothing. */
static void test_drain_frees_everything(void **state)
{
	size_t frames = frame_free_count();
	struct pmo *p = new_pmo((2 * PMO_RADIX + 1) * PAGE_SIZE, PMO_DATA);
	char c = 7;

	(void)state;
	assert_int_equal(pmo_write(p, 5, &c, 1), 0);
	pmo_drain(p);
	assert_null(p->root);
	assert_int_equal(pmo_resident_pages(p), 0);
	assert_int_equal(pmo_read(p, 5, &c, 1), 0);
	assert_int_equal(c, 0);
	obj_put(p);
	assert_int_equal(frame_free_count(), frames);
}

static void test_write_read_across_page_boundary(void **state)
{
	struct pmo *p = new_pmo(3 * PAGE_SIZE, PMO_ANONYMOUS);
	char buf[300], out[300];
	paddr_t pa0, pa1;
	size_t off = PAGE_SIZE - 100;

	(void)state;
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (char)(i * 7 + 1);
	assert_int_equal(pmo_write(p, off, buf, sizeof(buf)), 0);
	/* Exactly the two pages touched became resident. */
	assert_int_equal(pmo_resident_pages(p), 2);
	memset(out, 0, sizeof(out));
	assert_int_equal(pmo_read(p, off, out, sizeof(out)), 0);
	assert_memory_equal(out, buf, sizeof(buf));
	/* The bytes really are split 100/200 over the two frames. */
	assert_int_equal(pmo_get_page(p, 0, false, &pa0), 0);
	assert_int_equal(pmo_get_page(p, 1, false, &pa1), 0);
	assert_memory_equal((char *)phys_to_virt(pa0) + off, buf, 100);
	assert_memory_equal(phys_to_virt(pa1), buf + 100, 200);
	obj_put(p);
}

static void test_write_whole_object_spanning_pages(void **state)
{
	enum { SIZE = 3 * PAGE_SIZE };
	static unsigned char in[SIZE], out[SIZE];
	struct pmo *p = new_pmo(SIZE, PMO_DATA);

	(void)state;
	for (size_t i = 0; i < SIZE; i++)
		in[i] = (unsigned char)(i ^ (i >> 8));
	assert_int_equal(pmo_write(p, 0, in, SIZE), 0);
	assert_int_equal(pmo_read(p, 0, out, SIZE), 0);
	assert_memory_equal(in, out, SIZE);
	obj_put(p);
}

static void test_fresh_anonymous_reads_zero(void **state)
{
	struct pmo *p = new_pmo(2 * PAGE_SIZE, PMO_ANONYMOUS);
	unsigned char out[64];

	(void)state;
	memset(out, 0xcc, sizeof(out));
	assert_int_equal(pmo_read(p, PAGE_SIZE + 5, out, sizeof(out)), 0);
	for (size_t i = 0; i < sizeof(out); i++)
		assert_int_equal(out[i], 0);
	obj_put(p);
}

static void test_out_of_range_copy_is_einval(void **state)
{
	struct pmo *p = new_pmo(2 * PAGE_SIZE, PMO_ANONYMOUS);
	char buf[16] = "0123456789abcde";

	(void)state;
	assert_int_equal(pmo_write(p, 2 * PAGE_SIZE - 8, buf, 16), -EINVAL);
	assert_int_equal(pmo_read(p, 2 * PAGE_SIZE - 8, buf, 16), -EINVAL);
	assert_int_equal(pmo_write(p, 2 * PAGE_SIZE + 1, buf, 0), -EINVAL);
	assert_int_equal(pmo_read(p, ~(size_t)0, buf, 1), -EINVAL);
	/* off + len would wrap around. */
	assert_int_equal(pmo_write(p, 8, buf, ~(size_t)0 - 4), -EINVAL);
	/* Nothing was written before the check failed. */
	assert_int_equal(pmo_resident_pages(p), 0);
	/* The exact end is fine, and an empty copy there too. */
	assert_int_equal(pmo_write(p, 2 * PAGE_SIZE - 16, buf, 16), 0);
	assert_int_equal(pmo_read(p, 2 * PAGE_SIZE, buf, 0), 0);
	obj_put(p);
}

static void test_destroy_frees_frames(void **state)
{
	size_t frames = frame_free_count();
	struct pmo *p = new_pmo(64 * PAGE_SIZE, PMO_ANONYMOUS);
	char c = 'x';

	(void)state;
	for (size_t i = 0; i < 64; i += 3)
		assert_int_equal(pmo_write(p, i * PAGE_SIZE + 1, &c, 1), 0);
	assert_int_equal(pmo_resident_pages(p), 22);
	assert_true(frame_free_count() <= frames - 22);
	obj_put(p);
	assert_int_equal(frame_free_count(), frames);
}

static void test_refcount_keeps_pmo_alive(void **state)
{
	size_t live = obj_live_count(OBJ_TYPE_PMO);
	struct pmo *p = new_pmo(PAGE_SIZE, PMO_DATA);

	(void)state;
	assert_int_equal(obj_live_count(OBJ_TYPE_PMO), live + 1);
	obj_get(p);
	obj_put(p);
	assert_int_equal(obj_live_count(OBJ_TYPE_PMO), live + 1);
	assert_int_equal(pmo_resident_pages(p), 1);
	obj_put(p);
	assert_int_equal(obj_live_count(OBJ_TYPE_PMO), live);
}

static void test_touch_out_of_frames_is_enomem(void **state)
{
	struct pmo *p = new_pmo(4 * PAGE_SIZE, PMO_ANONYMOUS);
	paddr_t pa;
	char c = 1;

	(void)state;
	assert_int_equal(pmo_get_page(p, 0, true, &pa), 0); /* the radix */
	kenv_take_all_frames();
	assert_int_equal(pmo_get_page(p, 1, true, &pa), -ENOMEM);
	assert_int_equal(pmo_write(p, 2 * PAGE_SIZE, &c, 1), -ENOMEM);
	assert_int_equal(pmo_resident_pages(p), 1);
	kenv_give_all_frames();
	assert_int_equal(pmo_get_page(p, 1, true, &pa), 0);
	obj_put(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		kenv_test(test_create_bad_sizes),
		kenv_test(test_create_bad_type),
		kenv_test(test_size_rounds_up_to_pages),
		kenv_test(test_max_size_anonymous_is_free_until_touched),
		kenv_test(test_data_allocates_every_page_zeroed),
		kenv_test(test_data_larger_than_memory_fails_cleanly),
		kenv_test(test_anonymous_allocates_lazily),
		kenv_test(test_get_page_past_end_is_einval),
		kenv_test(test_pages_in_two_radix_leaves),
		kenv_test(test_levels_follow_the_size),
		kenv_test(test_terabytes_cost_a_few_nodes),
		kenv_test(test_decommit_range),
		kenv_test(test_decommit_bad_range),
		kenv_test(test_drain_frees_everything),
		kenv_test(test_write_read_across_page_boundary),
		kenv_test(test_write_whole_object_spanning_pages),
		kenv_test(test_fresh_anonymous_reads_zero),
		kenv_test(test_out_of_range_copy_is_einval),
		kenv_test(test_destroy_frees_frames),
		kenv_test(test_refcount_keeps_pmo_alive),
		kenv_test(test_touch_out_of_frames_is_enomem),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
