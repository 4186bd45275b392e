/*
 * kernel/mm/pgtable.c: the generic four-level walker. Leaf addresses are
 * made up (the walker never touches the frames it maps); table pages
 * come from the real frame allocator, so frame counts show what each
 * operation allocated and freed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "kernel_env.h"
#include <arch/arch.h>
#include <mm/frame.h>
#include <mm/pgtable.h>
#include <uapi/ferry/errno.h>

extern size_t host_tlb_flushes; /* kernel/arch/host/host.c */

#define VA 0x400000ul
#define PA 0x12345000ul
#define GIB (1ul << 30)
#define PML4_SPAN (1ul << 39)

static paddr_t new_root(void)
{
	paddr_t root = pt_create(NULL);

	assert_true(root != 0);
	return root;
}

static void test_create_destroy_empty(void **state)
{
	size_t frames = frame_free_count();
	paddr_t root = new_root();

	(void)state;
	assert_int_equal(frame_free_count(), frames - 1);
	assert_int_equal(pt_count_tables(root), 0);
	pt_destroy(root, NULL);
	assert_int_equal(frame_free_count(), frames);
}

static void test_map_then_query(void **state)
{
	paddr_t root = new_root(), pa = 0;
	u64 flags = 0;

	(void)state;
	assert_int_equal(pt_map(root, VA, PA, PTE_U | PTE_W, NULL), 0);
	assert_int_equal(pt_query(root, VA, &pa, &flags), 0);
	assert_int_equal(pa, PA);
	assert_int_equal(flags, PTE_P | PTE_U | PTE_W);
	/* Any byte of the page finds the same leaf. */
	assert_int_equal(pt_query(root, VA + PAGE_SIZE - 1, &pa, NULL), 0);
	assert_int_equal(pa, PA);
	/* The neighbours are not mapped. */
	assert_int_equal(pt_query(root, VA + PAGE_SIZE, NULL, NULL), -ENOENT);
	assert_int_equal(pt_query(root, VA - PAGE_SIZE, NULL, NULL), -ENOENT);
	pt_destroy(root, NULL);
}

static void test_flags_are_kept(void **state)
{
	static const u64 cases[] = {0,
				    PTE_U,
				    PTE_U | PTE_W,
				    PTE_U | PTE_NX,
				    PTE_U | PTE_W | PTE_NX,
				    PTE_W | PTE_NX};
	paddr_t root = new_root();

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		vaddr_t va = VA + i * PAGE_SIZE;
		paddr_t pa;
		u64 flags;

		assert_int_equal(
			pt_map(root, va, PA + i * PAGE_SIZE, cases[i], NULL),
			0);
		assert_int_equal(pt_query(root, va, &pa, &flags), 0);
		assert_int_equal(pa, PA + i * PAGE_SIZE);
		/* PTE_P is always added; nothing else changes. */
		assert_int_equal(flags, cases[i] | PTE_P);
	}
	pt_destroy(root, NULL);
}

static void test_remap_replaces_leaf(void **state)
{
	paddr_t root = new_root(), pa;
	u64 flags;
	size_t tables;

	(void)state;
	assert_int_equal(pt_map(root, VA, PA, PTE_U | PTE_W, NULL), 0);
	tables = pt_count_tables(root);
	assert_int_equal(pt_map(root, VA, PA + PAGE_SIZE, PTE_U, NULL), 0);
	assert_int_equal(pt_query(root, VA, &pa, &flags), 0);
	assert_int_equal(pa, PA + PAGE_SIZE);
	assert_int_equal(flags, PTE_P | PTE_U);
	assert_int_equal(pt_count_tables(root), tables);
	pt_destroy(root, NULL);
}

static void test_unmap(void **state)
{
	paddr_t root = new_root();
	size_t flushes;

	(void)state;
	assert_int_equal(pt_map(root, VA, PA, PTE_U, NULL), 0);
	flushes = host_tlb_flushes;
	assert_int_equal(pt_unmap(root, VA), 1);
	assert_int_equal(host_tlb_flushes, flushes + 1);
	assert_int_equal(pt_query(root, VA, NULL, NULL), -ENOENT);
	/* Already gone: nothing to do, nothing to flush. */
	assert_int_equal(pt_unmap(root, VA), 0);
	assert_int_equal(host_tlb_flushes, flushes + 1);
	pt_destroy(root, NULL);
}

/*
 * pt_unmap_some, resumed after every few steps (as the preemptible unmap
 * does): whatever the budget, every page of the range goes, none past
 * it, and each call makes progress. Pages sit at the first and last
 * entries of their tables, in several root entries, so a resume at any
 * level's boundary is crossed.
 */
static void test_unmap_some_resumes(void **state)
{
	static const vaddr_t in[] = {
		VA,
		VA + PAGE_SIZE,
		VA + (2ul << 20) - PAGE_SIZE,
		VA + (2ul << 20),
		VA + GIB,
		VA + PML4_SPAN,
		PML4_SPAN * 255 + 511 * GIB + (2ul << 20) - PAGE_SIZE,
		USER_TOP - PAGE_SIZE,
	};
	const vaddr_t keep = USER_TOP - 2 * PAGE_SIZE; /* past the range */
	static const size_t budgets[] = {1, 2, 3, 7, 512, ~(size_t)0};

	(void)state;
	for (size_t b = 0; b < sizeof(budgets) / sizeof(budgets[0]); b++) {
		paddr_t root = new_root();
		vaddr_t at = PAGE_SIZE, end = keep;
		size_t calls = 0;

		for (size_t i = 0; i < sizeof(in) / sizeof(in[0]); i++)
			assert_int_equal(pt_map(root, in[i], PA, PTE_U, NULL),
					 0);
		assert_int_equal(pt_map(root, keep, PA, PTE_U, NULL), 0);
		/* The last page is in the range only if we stop short. */
		assert_int_equal(pt_unmap(root, USER_TOP - PAGE_SIZE), 1);
		while (at < end) {
			vaddr_t next = pt_unmap_some(root, at, end, budgets[b]);

			assert_true(next > at && next <= end);
			at = next;
			assert_true(++calls < 10000);
		}
		for (size_t i = 0; i + 1 < sizeof(in) / sizeof(in[0]); i++)
			assert_int_equal(pt_query(root, in[i], NULL, NULL),
					 -ENOENT);
		assert_int_equal(pt_query(root, keep, NULL, NULL), 0);
		/* An empty range, or start at the end: nothing done. */
		assert_int_equal(pt_unmap_some(root, keep, keep, 5), keep);
		assert_int_equal(pt_query(root, keep, NULL, NULL), 0);
		pt_destroy(root, NULL);
	}
}

static void test_unmap_never_mapped_returns_0(void **state)
{
	paddr_t root = new_root();
	size_t frames = frame_free_count();

	(void)state;
	/* No tables on the way: unmap must not create any. */
	assert_int_equal(pt_unmap(root, VA), 0);
	assert_int_equal(pt_unmap(root, 0), 0);
	assert_int_equal(pt_unmap(root, USER_TOP - PAGE_SIZE), 0);
	assert_int_equal(frame_free_count(), frames);
	/* A table exists, the leaf does not. */
	assert_int_equal(pt_map(root, VA, PA, PTE_U, NULL), 0);
	assert_int_equal(pt_unmap(root, VA + PAGE_SIZE), 0);
	assert_int_equal(pt_query(root, VA, NULL, NULL), 0);
	pt_destroy(root, NULL);
}

static void test_query_unmapped_does_not_allocate(void **state)
{
	paddr_t root = new_root();
	size_t frames = frame_free_count();

	(void)state;
	assert_int_equal(pt_query(root, VA, NULL, NULL), -ENOENT);
	assert_int_equal(pt_count_tables(root), 0);
	assert_int_equal(frame_free_count(), frames);
	pt_destroy(root, NULL);
}

static void test_count_tables(void **state)
{
	paddr_t root = new_root();

	(void)state;
	/* The first page needs a PDPT, a PD and a PT. */
	assert_int_equal(pt_map(root, VA, PA, PTE_U, NULL), 0);
	assert_int_equal(pt_count_tables(root), 3);
	/* Same 2 MiB: same PT. */
	assert_int_equal(pt_map(root, VA + PAGE_SIZE, PA, PTE_U, NULL), 0);
	assert_int_equal(pt_count_tables(root), 3);
	/* Next 2 MiB: a new PT. */
	assert_int_equal(pt_map(root, VA + (2ul << 20), PA, PTE_U, NULL), 0);
	assert_int_equal(pt_count_tables(root), 4);
	/* Next GiB: a new PD and PT. */
	assert_int_equal(pt_map(root, VA + GIB, PA, PTE_U, NULL), 0);
	assert_int_equal(pt_count_tables(root), 6);
	/* Next 512 GiB: a new PDPT, PD and PT. */
	assert_int_equal(pt_map(root, VA + PML4_SPAN, PA, PTE_U, NULL), 0);
	assert_int_equal(pt_count_tables(root), 9);
	/* Unmapping leaves the tables in place until destroy. */
	assert_int_equal(pt_unmap(root, VA + PML4_SPAN), 1);
	assert_int_equal(pt_count_tables(root), 9);
	pt_destroy(root, NULL);
}

static void test_destroy_frees_every_table(void **state)
{
	size_t frames = frame_free_count();
	paddr_t root = new_root();
	size_t tables;

	(void)state;
	/* Spread over many PTs, PDs and PDPTs, up to the top of user space. */
	for (int i = 0; i < 64; i++) {
		vaddr_t va = ((u64)i * (PML4_SPAN / 8 + GIB + (2ul << 20))) %
			     USER_TOP;

		va = ALIGN_DOWN(va, PAGE_SIZE);
		assert_int_equal(pt_map(root, va, PA, PTE_U, NULL), 0);
	}
	assert_int_equal(pt_map(root, USER_TOP - PAGE_SIZE, PA, PTE_U, NULL),
			 0);
	tables = pt_count_tables(root);
	assert_true(tables > 64);
	assert_int_equal(frame_free_count(), frames - 1 - tables);
	pt_destroy(root, NULL);
	assert_int_equal(frame_free_count(), frames);
}

static void test_kernel_half_copied_into_new_root(void **state)
{
	u64 *kroot = phys_to_virt(arch_kernel_pt_root());
	u64 saved[512];
	paddr_t root;
	u64 *t;

	(void)state;
	memcpy(saved, kroot, sizeof(saved));
	for (int i = 0; i < 512; i++)
		kroot[i] = ((u64)(i + 1) << PAGE_SHIFT) | PTE_P | PTE_W;
	root = new_root();
	t = phys_to_virt(root);
	for (int i = 0; i < 256; i++)
		assert_int_equal(t[i], 0); /* the user half is private */
	for (int i = 256; i < 512; i++)
		assert_int_equal(t[i], kroot[i]);
	/* Kernel entries are shared: not counted, not freed. */
	memset(t, 0, 256 * sizeof(u64));
	assert_int_equal(pt_count_tables(root), 0);
	pt_destroy(root, NULL);
	memcpy(kroot, saved, sizeof(saved));
}

static void test_roots_are_independent(void **state)
{
	paddr_t a = new_root(), b = new_root(), pa;

	(void)state;
	assert_int_equal(pt_map(a, VA, PA, PTE_U, NULL), 0);
	assert_int_equal(pt_query(b, VA, NULL, NULL), -ENOENT);
	assert_int_equal(pt_map(b, VA, PA + PAGE_SIZE, PTE_U, NULL), 0);
	assert_int_equal(pt_query(a, VA, &pa, NULL), 0);
	assert_int_equal(pa, PA);
	pt_destroy(a, NULL);
	assert_int_equal(pt_query(b, VA, &pa, NULL), 0);
	assert_int_equal(pa, PA + PAGE_SIZE);
	pt_destroy(b, NULL);
}

static void test_map_out_of_frames_is_enomem(void **state)
{
	paddr_t root = new_root();

	(void)state;
	kenv_take_all_frames();
	assert_int_equal(pt_map(root, VA, PA, PTE_U, NULL), -ENOMEM);
	/* Two of the three tables: the walk stops half way, cleanly. */
	kenv_give_frames(2);
	assert_int_equal(pt_map(root, VA, PA, PTE_U, NULL), -ENOMEM);
	assert_int_equal(pt_query(root, VA, NULL, NULL), -ENOENT);
	kenv_give_frames(1);
	assert_int_equal(pt_map(root, VA, PA, PTE_U, NULL), 0);
	assert_int_equal(pt_count_tables(root), 3);
	kenv_give_all_frames();
	pt_destroy(root, NULL);
}

static void test_create_out_of_frames_fails(void **state)
{
	(void)state;
	kenv_take_all_frames();
	assert_int_equal(pt_create(NULL), 0);
	kenv_give_all_frames();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		kenv_test(test_create_destroy_empty),
		kenv_test(test_map_then_query),
		kenv_test(test_flags_are_kept),
		kenv_test(test_remap_replaces_leaf),
		kenv_test(test_unmap),
		kenv_test(test_unmap_some_resumes),
		kenv_test(test_unmap_never_mapped_returns_0),
		kenv_test(test_query_unmapped_does_not_allocate),
		kenv_test(test_count_tables),
		kenv_test(test_destroy_frees_every_table),
		kenv_test(test_kernel_half_copied_into_new_root),
		kenv_test(test_roots_are_independent),
		kenv_test(test_map_out_of_frames_is_enomem),
		kenv_test(test_create_out_of_frames_fails),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
