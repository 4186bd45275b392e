/*
 * kernel/mm/kmalloc.c: size classes of 16..2048 bytes in slab pages,
 * bigger requests as whole buddy blocks, and the byte accounting that
 * system tests rely on to prove nothing leaked.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "kernel_env.h"
#include <mm/frame.h>
#include <mm/kmalloc.h>

#define SLAB_MIN 16
#define SLAB_MAX 2048

/* What kmalloc charges for a size: its class, or the buddy block. */
static size_t charged(size_t size)
{
	size_t c = SLAB_MIN;

	if (size <= SLAB_MAX) {
		while (c < size)
			c <<= 1;
		return c;
	}
	for (c = PAGE_SIZE; c < size; c <<= 1)
		;
	return c;
}

static void assert_in_zone(const void *p, size_t size)
{
	paddr_t pa = virt_to_phys(p);

	assert_true(pa >= kenv_zone_base());
	assert_true(pa + size <= kenv_arena_end());
}

static void test_every_size_class(void **state)
{
	(void)state;
	for (size_t sz = SLAB_MIN; sz <= SLAB_MAX; sz <<= 1) {
		size_t frames = frame_free_count();
		size_t bytes = kmalloc_bytes_in_use();
		void *p = kmalloc(sz);

		assert_non_null(p);
		assert_in_zone(p, sz);
		/* Slots are laid out from a page boundary in class steps. */
		assert_true(IS_ALIGNED((u64)p, sz));
		assert_int_equal(kmalloc_bytes_in_use(), bytes + sz);
		assert_int_equal(frame_free_count(), frames - 1);
		assert_int_equal(
			frame_to_page(ALIGN_DOWN((u64)p, PAGE_SIZE))->use,
			PAGE_SLAB);
		memset(p, 0xa5, sz);
		kfree(p);
		assert_int_equal(kmalloc_bytes_in_use(), bytes);
		assert_int_equal(frame_free_count(), frames);
	}
}

static void test_sizes_round_up_to_their_class(void **state)
{
	static const size_t sizes[] = {1,   2,	 15,  16,   17,	  31,	33,
				       100, 255, 257, 1000, 1025, 2047, 2048};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
		size_t bytes = kmalloc_bytes_in_use();
		void *p = kmalloc(sizes[i]);

		assert_non_null(p);
		assert_int_equal(kmalloc_bytes_in_use(),
				 bytes + charged(sizes[i]));
		kfree(p);
	}
}

static void test_zero_size_gives_smallest_slot(void **state)
{
	size_t bytes = kmalloc_bytes_in_use();
	void *a = kmalloc(0), *b = kmalloc(0);

	(void)state;
	assert_non_null(a);
	assert_non_null(b);
	assert_ptr_not_equal(a, b);
	assert_int_equal(kmalloc_bytes_in_use(), bytes + 2 * SLAB_MIN);
	kfree(a);
	kfree(b);
}

static void test_2049_leaves_the_slabs(void **state)
{
	size_t frames = frame_free_count();
	size_t bytes = kmalloc_bytes_in_use();
	void *p = kmalloc(SLAB_MAX + 1);

	(void)state;
	assert_non_null(p);
	assert_true(IS_ALIGNED((u64)p, PAGE_SIZE));
	assert_int_equal(frame_to_page(virt_to_phys(p))->use, PAGE_ALLOC);
	assert_int_equal(kmalloc_bytes_in_use(), bytes + PAGE_SIZE);
	assert_int_equal(frame_free_count(), frames - 1);
	kfree(p);
}

static void test_page_and_larger_sizes(void **state)
{
	static const size_t sizes[] = {PAGE_SIZE,
				       PAGE_SIZE + 1,
				       3 * PAGE_SIZE,
				       16384,
				       65536 + 1,
				       1u << 20,
				       PAGE_SIZE << FRAME_MAX_ORDER};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
		size_t frames = frame_free_count();
		size_t bytes = kmalloc_bytes_in_use();
		size_t c = charged(sizes[i]);
		char *p = kmalloc(sizes[i]);

		assert_non_null(p);
		assert_in_zone(p, c);
		assert_true(IS_ALIGNED((u64)p, PAGE_SIZE));
		assert_int_equal(kmalloc_bytes_in_use(), bytes + c);
		assert_int_equal(frame_free_count(), frames - c / PAGE_SIZE);
		p[0] = 1;
		p[sizes[i] - 1] = 2;
		kfree(p);
		assert_int_equal(frame_free_count(), frames);
	}
}

static void test_too_large_fails(void **state)
{
	(void)state;
	assert_null(kmalloc((PAGE_SIZE << FRAME_MAX_ORDER) + 1));
	assert_null(kmalloc(~(size_t)0));
	assert_null(kzalloc(~(size_t)0));
}

static void test_kzalloc_zeroes_reused_memory(void **state)
{
	static const size_t sizes[] = {8, 64, 2048, 3000, 3 * PAGE_SIZE};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
		unsigned char *p = kmalloc(sizes[i]), *z;

		assert_non_null(p);
		memset(p, 0xee, sizes[i]);
		kfree(p);
		z = kzalloc(sizes[i]);
		assert_ptr_equal(z, p); /* the dirty memory came back */
		for (size_t j = 0; j < sizes[i]; j++)
			assert_int_equal(z[j], 0);
		kfree(z);
	}
}

static void test_kfree_null_does_nothing(void **state)
{
	(void)state;
	kfree(NULL);
}

static void test_one_page_per_class_until_full(void **state)
{
	enum { PER_PAGE = PAGE_SIZE / 64 };
	void *p[PER_PAGE + 1];
	size_t frames = frame_free_count();

	(void)state;
	for (int i = 0; i < PER_PAGE; i++) {
		p[i] = kmalloc(64);
		assert_non_null(p[i]);
		assert_int_equal(frame_free_count(), frames - 1);
	}
	/* The page is full now: one more slot needs another page. */
	p[PER_PAGE] = kmalloc(64);
	assert_non_null(p[PER_PAGE]);
	assert_int_equal(frame_free_count(), frames - 2);
	kfree(p[PER_PAGE]);
	assert_int_equal(frame_free_count(), frames - 1);
	/* Freeing a slot of the full page makes it usable again. */
	kfree(p[7]);
	p[7] = kmalloc(64);
	assert_int_equal(frame_free_count(), frames - 1);
	for (int i = 0; i < PER_PAGE; i++)
		kfree(p[i]);
	assert_int_equal(frame_free_count(), frames);
}

static void test_slab_page_returns_only_when_empty(void **state)
{
	size_t frames = frame_free_count();
	void *a = kmalloc(128), *b = kmalloc(128);

	(void)state;
	assert_int_equal(ALIGN_DOWN((u64)a, PAGE_SIZE),
			 ALIGN_DOWN((u64)b, PAGE_SIZE));
	kfree(a);
	assert_int_equal(frame_free_count(), frames - 1);
	kfree(b);
	assert_int_equal(frame_free_count(), frames);
}

static void test_classes_use_separate_pages(void **state)
{
	void *a = kmalloc(32), *b = kmalloc(33);

	(void)state;
	assert_int_not_equal(ALIGN_DOWN((u64)a, PAGE_SIZE),
			     ALIGN_DOWN((u64)b, PAGE_SIZE));
	kfree(a);
	kfree(b);
}

/* A small deterministic generator: failures replay exactly. */
static u64 rng_next(u64 *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static void test_many_allocations_freed_in_random_order(void **state)
{
	enum { N = 3000 };
	static unsigned char *p[N];
	static size_t size[N];
	size_t bytes = kmalloc_bytes_in_use(), expect = bytes;
	u64 seed = 0x9e3779b97f4a7c15ull;

	(void)state;
	for (int i = 0; i < N; i++) {
		/* Mostly small objects, with a page-sized one now and then. */
		size[i] = i % 97 == 0 ? 1 + rng_next(&seed) % (2 * PAGE_SIZE)
				      : 1 + rng_next(&seed) % SLAB_MAX;
		p[i] = kmalloc(size[i]);
		assert_non_null(p[i]);
		memset(p[i], (unsigned char)i, size[i]);
		expect += charged(size[i]);
	}
	assert_int_equal(kmalloc_bytes_in_use(), expect);
	for (int i = N - 1; i > 0; i--) {
		int j = (int)(rng_next(&seed) % (u64)(i + 1));
		unsigned char *tp = p[i];
		size_t ts = size[i];

		p[i] = p[j];
		size[i] = size[j];
		p[j] = tp;
		size[j] = ts;
	}
	for (int i = 0; i < N; i++) {
		/* No other allocation wrote over this one. */
		unsigned char tag = p[i][0];

		for (size_t k = 1; k < size[i]; k++)
			assert_int_equal(p[i][k], tag);
		kfree(p[i]);
	}
	assert_int_equal(kmalloc_bytes_in_use(), bytes);
}

static void test_out_of_frames_gives_null(void **state)
{
	(void)state;
	kenv_take_all_frames();
	assert_null(kmalloc(16));
	assert_null(kmalloc(SLAB_MAX));
	assert_null(kmalloc(PAGE_SIZE));
	assert_null(kzalloc(100));
	kenv_give_frames(1);
	/* One frame is enough for a slab page, and for nothing bigger. */
	void *p = kmalloc(16);
	assert_non_null(p);
	assert_null(kmalloc(PAGE_SIZE));
	kfree(p);
	kenv_give_all_frames();
}

static void test_bytes_accounting_mixed(void **state)
{
	size_t bytes = kmalloc_bytes_in_use();
	void *a = kmalloc(24), *b = kmalloc(500), *c = kmalloc(5000);

	(void)state;
	assert_int_equal(kmalloc_bytes_in_use(),
			 bytes + 32 + 512 + 2 * PAGE_SIZE);
	kfree(b);
	assert_int_equal(kmalloc_bytes_in_use(), bytes + 32 + 2 * PAGE_SIZE);
	kfree(c);
	kfree(a);
	assert_int_equal(kmalloc_bytes_in_use(), bytes);
}

static void test_kfree_outside_zone_is_a_bug(void **state)
{
	(void)state;
	assert_kernel_halts(kfree((void *)kenv_arena_start()));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		kenv_test(test_every_size_class),
		kenv_test(test_sizes_round_up_to_their_class),
		kenv_test(test_zero_size_gives_smallest_slot),
		kenv_test(test_2049_leaves_the_slabs),
		kenv_test(test_page_and_larger_sizes),
		kenv_test(test_too_large_fails),
		kenv_test(test_kzalloc_zeroes_reused_memory),
		kenv_test(test_kfree_null_does_nothing),
		kenv_test(test_one_page_per_class_until_full),
		kenv_test(test_slab_page_returns_only_when_empty),
		kenv_test(test_classes_use_separate_pages),
		kenv_test(test_many_allocations_freed_in_random_order),
		kenv_test(test_out_of_frames_gives_null),
		kenv_test(test_bytes_accounting_mixed),
		kenv_test(test_kfree_outside_zone_is_a_bug),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
