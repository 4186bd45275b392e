/*
 * kernel/mm/frame.c: the buddy allocator over the fixture's arena. Block
 * alignment is relative to the first managed frame, since buddies are
 * found by frame index.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "kernel_env.h"
#include <mm/frame.h>

static size_t block_pages(unsigned order)
{
	return (size_t)1 << order;
}

static void assert_block_aligned(paddr_t pa, unsigned order)
{
	assert_true(pa != 0);
	assert_true(IS_ALIGNED(pa, PAGE_SIZE));
	assert_true(pa >= kenv_zone_base());
	assert_true(pa + (PAGE_SIZE << order) <= kenv_arena_end());
	assert_true(IS_ALIGNED(pa - kenv_zone_base(), PAGE_SIZE << order));
}

static void test_counts_after_init(void **state)
{
	(void)state;
	assert_true(frame_total_count() > block_pages(FRAME_MAX_ORDER));
	assert_true(frame_total_count() < KENV_ARENA_SIZE / PAGE_SIZE);
	assert_int_equal(frame_free_count(), frame_total_count());
}

static void test_alloc_free_every_order(void **state)
{
	size_t before = frame_free_count();

	(void)state;
	for (unsigned order = 0; order <= FRAME_MAX_ORDER; order++) {
		paddr_t pa = frame_alloc(order);
		struct page *p;

		assert_block_aligned(pa, order);
		assert_int_equal(frame_free_count(),
				 before - block_pages(order));
		p = frame_to_page(pa);
		assert_non_null(p);
		assert_int_equal(p->use, PAGE_ALLOC);
		assert_int_equal(p->order, order);
		/* The whole block is usable memory. */
		memset(phys_to_virt(pa), 0x5a, PAGE_SIZE << order);
		frame_free(pa);
		assert_int_equal(frame_free_count(), before);
	}
}

static void test_order_above_max_fails(void **state)
{
	size_t before = frame_free_count();

	(void)state;
	assert_int_equal(frame_alloc(FRAME_MAX_ORDER + 1), 0);
	assert_int_equal(frame_alloc(64), 0);
	assert_int_equal(frame_alloc(~0u), 0);
	assert_int_equal(frame_free_count(), before);
}

static void test_max_order_block_exists(void **state)
{
	paddr_t pa;

	(void)state;
	pa = frame_alloc(FRAME_MAX_ORDER);
	assert_block_aligned(pa, FRAME_MAX_ORDER);
	frame_free(pa);
}

static void test_exhaustion_returns_zero_and_recovers(void **state)
{
	size_t before = frame_free_count(), n;
	paddr_t pa;

	(void)state;
	n = kenv_take_all_frames();
	assert_int_equal(n, before);
	assert_int_equal(frame_free_count(), 0);
	assert_int_equal(frame_alloc(0), 0);
	assert_int_equal(frame_alloc(0), 0);
	assert_int_equal(frame_alloc_zeroed(), 0);
	assert_int_equal(frame_alloc(FRAME_MAX_ORDER), 0);

	assert_int_equal(kenv_give_frames(1), 1);
	pa = frame_alloc(0);
	assert_block_aligned(pa, 0);
	assert_int_equal(frame_alloc(0), 0);
	frame_free(pa);

	kenv_give_all_frames();
	assert_int_equal(frame_free_count(), before);
}

static void test_buddies_merge_after_freeing_everything(void **state)
{
	paddr_t pa;

	(void)state;
	/* Freeing in LIFO order scatters merges all over the arena. */
	kenv_take_all_frames();
	kenv_give_all_frames();
	assert_int_equal(frame_free_count(), frame_total_count());
	pa = frame_alloc(FRAME_MAX_ORDER);
	assert_block_aligned(pa, FRAME_MAX_ORDER);
	frame_free(pa);
}

static void test_two_buddies_merge(void **state)
{
	paddr_t a = frame_alloc(0), b = frame_alloc(0), lo;
	struct page *p;

	(void)state;
	assert_block_aligned(a, 0);
	assert_block_aligned(b, 0);
	/* From a fresh arena the second frame is the first one's buddy. */
	assert_int_equal((a - kenv_zone_base()) ^ PAGE_SIZE,
			 b - kenv_zone_base());
	lo = MIN(a, b);
	frame_free(a);
	assert_int_equal(frame_to_page(a)->use, PAGE_FREE);
	assert_int_equal(frame_to_page(a)->order, 0);
	frame_free(b);
	p = frame_to_page(lo);
	assert_int_equal(p->use, PAGE_FREE);
	assert_true(p->order >= 1);
	assert_int_equal(frame_to_page(lo + PAGE_SIZE)->use, PAGE_TAIL);
}

static void test_exhaust_by_order_gives_disjoint_aligned_blocks(void **state)
{
	static paddr_t blocks[1024];
	size_t before = frame_free_count(), n = 0;
	const unsigned order = 3;

	(void)state;
	while (n < ARRAY_SIZE(blocks)) {
		paddr_t pa = frame_alloc(order);

		if (!pa)
			break;
		assert_block_aligned(pa, order);
		for (size_t i = 0; i < n; i++)
			assert_true(pa + (PAGE_SIZE << order) <= blocks[i] ||
				    blocks[i] + (PAGE_SIZE << order) <= pa);
		blocks[n++] = pa;
	}
	assert_true(n > 0 && n < ARRAY_SIZE(blocks));
	/* The arena ran out, not the array; only smaller blocks are left. */
	assert_int_equal(frame_free_count(), before - n * block_pages(order));
	assert_true(frame_free_count() < block_pages(order));
	while (n)
		frame_free(blocks[--n]);
	assert_int_equal(frame_free_count(), before);
}

static void test_mixed_orders_free_out_of_order(void **state)
{
	paddr_t pa[FRAME_MAX_ORDER];
	size_t before = frame_free_count(), used = 0;

	(void)state;
	for (unsigned o = 0; o < FRAME_MAX_ORDER; o++) {
		pa[o] = frame_alloc(o);
		assert_block_aligned(pa[o], o);
		used += block_pages(o);
	}
	assert_int_equal(frame_free_count(), before - used);
	/* Odd orders first, then even ones: merges must not care. */
	for (unsigned o = 1; o < FRAME_MAX_ORDER; o += 2)
		frame_free(pa[o]);
	for (unsigned o = 0; o < FRAME_MAX_ORDER; o += 2)
		frame_free(pa[o]);
	assert_int_equal(frame_free_count(), before);
	pa[0] = frame_alloc(FRAME_MAX_ORDER);
	assert_block_aligned(pa[0], FRAME_MAX_ORDER);
	frame_free(pa[0]);
}

static void test_alloc_zeroed_clears_old_contents(void **state)
{
	paddr_t pa = frame_alloc(0), z;
	const unsigned char *b;

	(void)state;
	assert_block_aligned(pa, 0);
	memset(phys_to_virt(pa), 0xff, PAGE_SIZE);
	frame_free(pa);
	z = frame_alloc_zeroed();
	assert_block_aligned(z, 0);
	assert_int_equal(z, pa); /* free lists are LIFO: the dirty frame */
	b = phys_to_virt(z);
	for (size_t i = 0; i < PAGE_SIZE; i++)
		assert_int_equal(b[i], 0);
	frame_free(z);
}

static void test_page_frame_round_trip(void **state)
{
	paddr_t base = kenv_zone_base();
	size_t n = frame_total_count();

	(void)state;
	assert_non_null(frame_to_page(base));
	assert_int_equal(page_to_frame(frame_to_page(base)), base);
	assert_int_equal(frame_to_page(base + PAGE_SIZE),
			 frame_to_page(base) + 1);
	assert_int_equal(
		page_to_frame(frame_to_page(base + (n - 1) * PAGE_SIZE)),
		base + (n - 1) * PAGE_SIZE);
	/* Inside a frame maps to that frame's page. */
	assert_int_equal(frame_to_page(base + PAGE_SIZE + 123),
			 frame_to_page(base + PAGE_SIZE));
}

static void test_frame_to_page_outside_zone_is_null(void **state)
{
	paddr_t base = kenv_zone_base();

	(void)state;
	/* The page array at the arena's front is not a managed frame. */
	assert_null(frame_to_page(kenv_arena_start()));
	assert_null(frame_to_page(base - 1));
	assert_null(frame_to_page(base + frame_total_count() * PAGE_SIZE));
	assert_null(frame_to_page(0));
	assert_null(frame_to_page(~0ul));
}

static void test_free_outside_zone_is_a_bug(void **state)
{
	size_t before = frame_free_count();

	(void)state;
	host_console_reset();
	assert_kernel_halts(frame_free(kenv_arena_start()));
	assert_non_null(strstr(host_console, "BUG_ON"));
	/* Misaligned: checked before the allocator's lock is taken. */
	assert_kernel_halts(frame_free(kenv_zone_base() + 8));
	assert_int_equal(frame_free_count(), before);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		kenv_test(test_counts_after_init),
		kenv_test(test_alloc_free_every_order),
		kenv_test(test_order_above_max_fails),
		kenv_test(test_max_order_block_exists),
		kenv_test(test_exhaustion_returns_zero_and_recovers),
		kenv_test(test_buddies_merge_after_freeing_everything),
		kenv_test(test_two_buddies_merge),
		kenv_test(test_exhaust_by_order_gives_disjoint_aligned_blocks),
		kenv_test(test_mixed_orders_free_out_of_order),
		kenv_test(test_alloc_zeroed_clears_old_contents),
		kenv_test(test_page_frame_round_trip),
		kenv_test(test_frame_to_page_outside_zone_is_null),
		kenv_test(test_free_outside_zone_is_a_bug),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
