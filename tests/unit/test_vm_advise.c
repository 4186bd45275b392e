/*
 * kernel/mm/vm_advise.c: madvise's walk (holes, refusing regions) and
 * what MADV_DONTNEED/FREE/REMOVE/POPULATE do to a region's PTEs and its
 * PMO's frames, by kind of memory: private anonymous, shmem, COW, other.
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
#include <mm/pgtable.h>
#include <mm/vm_advise.h>
#include <mm/vmspace.h>
#include <object/pmo.h>
#include <uapi/ferry/errno.h>

#define BASE 0x10000000ul
#define P(n) ((size_t)(n)*PAGE_SIZE)
#define RW (VM_READ | VM_WRITE)

static struct vmspace *new_vs(void)
{
	struct budget *b = budget_new(frame_total_count());
	struct vmspace *vs = NULL;

	assert_non_null(b);
	assert_int_equal(vmspace_create(b, &vs), 0);
	budget_put(b);
	return vs;
}

/* A PMO of `pages` of the given Linux kind; the caller holds it. */
static struct pmo *new_pmo(size_t pages, u8 kind)
{
	struct budget *b = budget_new(frame_total_count());
	struct pmo *p = NULL;

	assert_non_null(b);
	assert_int_equal(pmo_create(P(pages), PMO_ANONYMOUS, b, &p), 0);
	budget_put(b);
	p->lx_kind = kind;
	return p;
}

static bool pte(struct vmspace *vs, vaddr_t va)
{
	return pt_query(vs->pt_root, va, NULL, NULL) == 0;
}

/* Writes each page of [va, va + n pages): frames and PTEs. */
static void touch(struct vmspace *vs, vaddr_t va, size_t n)
{
	for (size_t i = 0; i < n; i++)
		assert_int_equal(vmspace_fault(vs, va + P(i), FAULT_WRITE), 0);
}

/* Private anonymous: the pages of the range lose PTEs and frames. */
static void test_dontneed_private_frees(void **state)
{
	struct vmspace *vs = new_vs();
	struct pmo *p = new_pmo(4, PMO_LX_ANON);
	size_t free0;

	(void)state;
	assert_int_equal(vmspace_map(vs, BASE, P(4), RW, p, 0), 0);
	touch(vs, BASE, 4);
	free0 = frame_free_count();
	/* p's own reference is the caller's `own`: still only ours. */
	assert_int_equal(vmspace_advise(vs, BASE + P(1), BASE + P(3),
					VM_ADVISE_DONTNEED, p),
			 0);
	assert_int_equal(pmo_resident_pages(p), 2);
	assert_true(frame_free_count() >= free0 + 2);
	assert_true(pte(vs, BASE) && pte(vs, BASE + P(3)));
	assert_false(pte(vs, BASE + P(1)) || pte(vs, BASE + P(2)));
	/* Touched again: a fresh page. */
	touch(vs, BASE + P(1), 1);
	assert_int_equal(pmo_resident_pages(p), 3);
	/* MADV_FREE does the same to private anonymous memory. */
	assert_int_equal(
		vmspace_advise(vs, BASE, BASE + P(4), VM_ADVISE_FREE, p), 0);
	assert_int_equal(pmo_resident_pages(p), 0);
	obj_put(vs);
	obj_put(p);
}

/* Somebody else holds the PMO (another mapper): only PTEs go. */
static void test_dontneed_held_keeps_frames(void **state)
{
	struct vmspace *vs = new_vs();
	struct pmo *p = new_pmo(2, PMO_LX_ANON);

	(void)state;
	assert_int_equal(vmspace_map(vs, BASE, P(2), RW, p, 0), 0);
	touch(vs, BASE, 2);
	/* No `own`: the test's reference is somebody else's. */
	assert_int_equal(
		vmspace_advise(vs, BASE, BASE + P(2), VM_ADVISE_DONTNEED, NULL),
		0);
	assert_int_equal(pmo_resident_pages(p), 2);
	assert_false(pte(vs, BASE) || pte(vs, BASE + P(1)));
	obj_put(vs);
	obj_put(p);
}

/* Shmem and other memory keep their data; FREE refuses them. */
static void test_shared_and_other_keep_data(void **state)
{
	struct vmspace *vs = new_vs();
	struct pmo *s = new_pmo(2, PMO_LX_SHMEM), *o = new_pmo(2, 0);
	struct pmo *a = new_pmo(2, PMO_LX_ANON);

	(void)state;
	assert_int_equal(vmspace_map(vs, BASE, P(2), RW, s, 0), 0);
	assert_int_equal(vmspace_map(vs, BASE + P(4), P(2), RW, o, 0), 0);
	assert_int_equal(vmspace_map(vs, BASE + P(8), P(2), RW, a, 0), 0);
	touch(vs, BASE, 2);
	touch(vs, BASE + P(4), 2);
	touch(vs, BASE + P(8), 2);
	assert_int_equal(
		vmspace_advise(vs, BASE, BASE + P(2), VM_ADVISE_DONTNEED, s),
		0);
	assert_int_equal(pmo_resident_pages(s), 2);
	assert_false(pte(vs, BASE));
	assert_int_equal(vmspace_advise(vs, BASE + P(4), BASE + P(6),
					VM_ADVISE_DONTNEED, o),
			 0);
	assert_int_equal(pmo_resident_pages(o), 2);
	assert_int_equal(
		vmspace_advise(vs, BASE, BASE + P(2), VM_ADVISE_FREE, s),
		-EINVAL);
	assert_int_equal(vmspace_advise(vs, BASE + P(4), BASE + P(6),
					VM_ADVISE_ANON_ONLY, o),
			 -EINVAL);
	/* A refusing region ends the walk; what came before is done. */
	assert_int_equal(vmspace_advise(vs, BASE + P(8), BASE + P(10),
					VM_ADVISE_ANON_ONLY, NULL),
			 0);
	obj_put(vs);
	obj_put(s);
	obj_put(o);
	obj_put(a);
}

/* Holes: the mapped parts are done, then -ENOMEM. */
static void test_holes(void **state)
{
	struct vmspace *vs = new_vs();
	struct pmo *p = new_pmo(4, PMO_LX_ANON);

	(void)state;
	assert_int_equal(vmspace_map(vs, BASE, P(4), RW, p, 0), 0);
	touch(vs, BASE, 4);
	assert_int_equal(vmspace_unmap(vs, BASE + P(1), P(1)), 0);
	assert_int_equal(
		vmspace_advise(vs, BASE, BASE + P(4), VM_ADVISE_DONTNEED, p),
		-ENOMEM);
	assert_int_equal(pmo_resident_pages(p), 1); /* the unmapped page's */
	assert_int_equal(vmspace_advise(vs, BASE + P(1), BASE + P(2),
					VM_ADVISE_HINT, NULL),
			 -ENOMEM);
	assert_int_equal(vmspace_advise(vs, BASE + P(2), BASE + P(8),
					VM_ADVISE_HINT, NULL),
			 -ENOMEM);
	assert_int_equal(vmspace_advise(vs, BASE + P(2), BASE + P(4),
					VM_ADVISE_HINT, NULL),
			 0);
	assert_int_equal(vmspace_advise(vs, BASE + P(100), BASE + P(101),
					VM_ADVISE_HINT, NULL),
			 -ENOMEM);
	obj_put(vs);
	obj_put(p);
}

/* COW: the copies go, the source shows through, the source keeps all. */
static void test_dontneed_cow_drops_copies(void **state)
{
	struct vmspace *vs = new_vs();
	struct pmo *src = new_pmo(2, 0);
	struct vmregion *r;

	(void)state;
	assert_int_equal(vmspace_map_region(vs, BASE, P(2), RW, src, 0, NULL, 0,
					    VM_MAP_COW, VM_READ),
			 0);
	touch(vs, BASE, 2);
	lock(&vs->lock);
	r = vmspace_find_locked(vs, BASE);
	unlock(&vs->lock);
	assert_int_equal(pmo_resident_pages(r->priv), 2);
	assert_int_equal(
		vmspace_advise(vs, BASE, BASE + P(2), VM_ADVISE_DONTNEED, NULL),
		0);
	assert_int_equal(pmo_resident_pages(r->priv), 0);
	assert_int_equal(
		vmspace_advise(vs, BASE, BASE + P(2), VM_ADVISE_FREE, NULL),
		-EINVAL);
	obj_put(vs);
	obj_put(src);
}

/* REMOVE: shmem only this space maps is punched; else refused. */
static void test_remove(void **state)
{
	struct vmspace *vs = new_vs();
	struct pmo *s = new_pmo(2, PMO_LX_SHMEM), *a = new_pmo(1, PMO_LX_ANON);
	struct pmo *o = new_pmo(1, 0);

	(void)state;
	assert_int_equal(vmspace_map(vs, BASE, P(2), RW, s, 0), 0);
	assert_int_equal(vmspace_map(vs, BASE + P(4), P(1), RW, a, 0), 0);
	assert_int_equal(vmspace_map(vs, BASE + P(6), P(1), RW, o, 0), 0);
	touch(vs, BASE, 2);
	assert_int_equal(
		vmspace_advise(vs, BASE, BASE + P(2), VM_ADVISE_REMOVE, NULL),
		-EOPNOTSUPP);
	assert_int_equal(pmo_resident_pages(s), 2);
	assert_int_equal(
		vmspace_advise(vs, BASE, BASE + P(2), VM_ADVISE_REMOVE, s), 0);
	assert_int_equal(pmo_resident_pages(s), 0);
	assert_int_equal(vmspace_advise(vs, BASE + P(4), BASE + P(5),
					VM_ADVISE_REMOVE, a),
			 -EINVAL);
	assert_int_equal(vmspace_advise(vs, BASE + P(6), BASE + P(7),
					VM_ADVISE_REMOVE, o),
			 -EACCES);
	obj_put(vs);
	obj_put(s);
	obj_put(a);
	obj_put(o);
}

/* POPULATE faults every page in, within the region's rights. */
static void test_populate(void **state)
{
	struct vmspace *vs = new_vs();
	struct pmo *p = new_pmo(3, PMO_LX_ANON), *n = new_pmo(1, PMO_LX_ANON);

	(void)state;
	assert_int_equal(vmspace_map(vs, BASE, P(3), RW, p, 0), 0);
	assert_int_equal(vmspace_map(vs, BASE + P(4), P(1), 0, n, 0), 0);
	assert_int_equal(vmspace_advise(vs, BASE, BASE + P(3),
					VM_ADVISE_POPULATE_WRITE, NULL),
			 0);
	assert_int_equal(pmo_resident_pages(p), 3);
	assert_true(pte(vs, BASE + P(2)));
	assert_int_equal(vmspace_advise(vs, BASE + P(4), BASE + P(5),
					VM_ADVISE_POPULATE_READ, NULL),
			 -EINVAL);
	assert_int_equal(pmo_resident_pages(n), 0);
	obj_put(vs);
	obj_put(p);
	obj_put(n);
}

/*
 * COLLAPSE: Linux's answer (refused unless private anonymous faulted in
 * or shmem, holding an aligned 2 MiB; each 2 MiB of the range faulted
 * in); nothing done either way.
 */
static void test_collapse(void **state)
{
	struct vmspace *vs = new_vs();
	struct pmo *s = new_pmo(4, PMO_LX_ANON),
		   *b = new_pmo(1024, PMO_LX_ANON);
	struct pmo *sh = new_pmo(1024, PMO_LX_SHMEM);
	vaddr_t big = BASE + (4ul << 20), shared = BASE + (8ul << 20);

	(void)state;
	assert_int_equal(vmspace_map(vs, BASE, P(4), RW, s, 0), 0);
	assert_int_equal(vmspace_map(vs, big, P(1024), RW, b, 0), 0);
	assert_int_equal(vmspace_map(vs, shared, P(1024), RW, sh, 0), 0);
	touch(vs, BASE, 1);
	touch(vs, shared, 1);
	assert_int_equal(
		vmspace_advise(vs, BASE, BASE + P(4), VM_ADVISE_COLLAPSE, NULL),
		-EINVAL);
	assert_int_equal(
		vmspace_advise(vs, big, big + P(4), VM_ADVISE_COLLAPSE, NULL),
		-EINVAL); /* never faulted in */
	touch(vs, big, 1);
	/* Ends rounding 2 MiB apart, with no 2 MiB between: -EINVAL. */
	assert_int_equal(vmspace_advise(vs, big + P(1), big + P(2),
					VM_ADVISE_COLLAPSE, NULL),
			 -EINVAL);
	/* Both ends rounding to one boundary: 0. */
	assert_int_equal(
		vmspace_advise(vs, big, big + P(1), VM_ADVISE_COLLAPSE, NULL),
		0);
	/* A faulted 2 MiB: 0; the second 2 MiB never faulted: -EINVAL. */
	assert_int_equal(
		vmspace_advise(vs, big, big + P(512), VM_ADVISE_COLLAPSE, NULL),
		0);
	assert_int_equal(vmspace_advise(vs, big, big + P(1024),
					VM_ADVISE_COLLAPSE, NULL),
			 -EINVAL);
	/* Shmem needs no anon_vma: its faulted 2 MiB is what counts. */
	assert_int_equal(vmspace_advise(vs, shared, shared + P(512),
					VM_ADVISE_COLLAPSE, NULL),
			 0);
	assert_int_equal(vmspace_advise(vs, shared, shared + P(1024),
					VM_ADVISE_COLLAPSE, NULL),
			 -EINVAL);
	obj_put(vs);
	obj_put(s);
	obj_put(b);
	obj_put(sh);
}

/*
 * One PMO cut into many regions (mprotect of every other page): a
 * DONTNEED over all of it frees every frame, and counts the PMO's
 * regions once, not once per region or chunk (it did: quadratic in the
 * number of regions). A new reference between two calls is seen.
 */
static void test_dontneed_many_regions_counts_once(void **state)
{
	enum { PAGES = 512 };
	struct vmspace *vs = new_vs();
	struct pmo *p = new_pmo(PAGES, PMO_LX_ANON);
	u64 walks;

	(void)state;
	assert_int_equal(vmspace_map(vs, BASE, P(PAGES), RW, p, 0), 0);
	for (size_t i = 0; i < PAGES; i += 2)
		assert_int_equal(
			vmspace_protect(vs, BASE + P(i), P(1), VM_READ), 0);
	assert_int_equal(vs->nregions, PAGES);
	touch(vs, BASE + P(1), 1);
	for (size_t i = 0; i < PAGES; i++)
		assert_int_equal(vmspace_fault(vs, BASE + P(i), 0), 0);
	walks = vm_advise_walks;
	assert_int_equal(vmspace_advise(vs, BASE, BASE + P(PAGES),
					VM_ADVISE_DONTNEED, p),
			 0);
	assert_int_equal(vm_advise_walks - walks, 1);
	assert_int_equal(pmo_resident_pages(p), 0);
	/* Somebody else takes a reference: the next call must not free. */
	touch(vs, BASE + P(1), 1);
	obj_get(p);
	assert_int_equal(vmspace_advise(vs, BASE, BASE + P(PAGES),
					VM_ADVISE_DONTNEED, p),
			 0);
	assert_int_equal(pmo_resident_pages(p), 1);
	obj_put(p);
	obj_put(vs);
	obj_put(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		kenv_test(test_dontneed_private_frees),
		kenv_test(test_dontneed_held_keeps_frames),
		kenv_test(test_shared_and_other_keep_data),
		kenv_test(test_holes),
		kenv_test(test_dontneed_cow_drops_copies),
		kenv_test(test_remove),
		kenv_test(test_populate),
		kenv_test(test_collapse),
		kenv_test(test_dontneed_many_regions_counts_once),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
