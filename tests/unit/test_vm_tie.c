/*
 * Tied regions (kernel/mm/vmspace.c, vmspace_map_tied): what System V
 * shm's nattch rests on. A tie hears an open for each region a split
 * adds and a close for each region that goes, with the owner the region
 * was mapped with; a cut end is an open and a close (Linux splits the
 * VMA and closes the part cut away); an mprotect that changes nothing
 * splits nothing; a failed map is never the tie's. shmdt's search
 * (vmspace_find_tied) finds an attach by its offset from the address.
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
#include <mm/vmspace.h>
#include <object/pmo.h>
#include <uapi/ferry/errno.h>

#define BASE 0x20000000ul
#define P(n) ((size_t)(n)*PAGE_SIZE)
#define RW (VM_READ | VM_WRITE)

struct fake_tie {
	struct vm_tie tie;
	int regions; /* opens - closes, the caller's first count included */
	int opens, closes;
	u32 last_owner;
};

static void f_open(struct vm_tie *t, u32 owner)
{
	struct fake_tie *f = container_of(t, struct fake_tie, tie);

	f->regions++;
	f->opens++;
	f->last_owner = owner;
}

static void f_close(struct vm_tie *t, u32 owner)
{
	struct fake_tie *f = container_of(t, struct fake_tie, tie);

	f->regions--;
	f->closes++;
	f->last_owner = owner;
}

static const struct vm_tie_ops f_ops = {.open = f_open, .close = f_close};
static const struct vm_tie_ops other_ops = {.open = f_open, .close = f_close};

static struct vmspace *new_vs(void)
{
	struct budget *b = budget_new(frame_total_count());
	struct vmspace *vs = NULL;

	assert_int_equal(vmspace_create(b, &vs), 0);
	budget_put(b);
	return vs;
}

static struct pmo *new_pmo(size_t pages)
{
	struct budget *b = budget_new(frame_total_count());
	struct pmo *p = NULL;

	assert_int_equal(pmo_create(P(pages), PMO_ANONYMOUS, b, &p), 0);
	budget_put(b);
	return p;
}

static void test_splits_and_closes(void **state)
{
	struct vmspace *vs = new_vs();
	struct pmo *p = new_pmo(4);
	struct fake_tie f = {.tie.ops = &f_ops, .regions = 1};

	(void)state;
	assert_int_equal(
		vmspace_map_tied(vs, BASE, RW, RW, p, &f.tie, 77, false), 0);
	assert_int_equal(f.regions, 1);
	/* The middle: one more region; the cut is an open and a close. */
	assert_int_equal(vmspace_unmap(vs, BASE + P(1), P(1)), 0);
	assert_int_equal(f.regions, 2);
	assert_true(f.closes >= 1);
	assert_int_equal(f.last_owner, 77);
	/* The head of the second part: still two regions. */
	assert_int_equal(vmspace_unmap_preemptible(vs, BASE + P(2), P(1)), 0);
	assert_int_equal(f.regions, 2);
	/* mprotect to the same rights splits nothing... */
	assert_int_equal(vmspace_protect(vs, BASE, P(1), RW), 0);
	assert_int_equal(f.regions, 2);
	assert_int_equal(vmspace_protect(vs, BASE + P(3), P(1), VM_READ), 0);
	assert_int_equal(f.regions, 2); /* a whole region: no split */
	/* Another attach: changing half of it splits it. */
	f.regions++;
	assert_int_equal(
		vmspace_map_tied(vs, BASE + P(8), RW, RW, p, &f.tie, 78, false),
		0);
	assert_int_equal(vmspace_protect(vs, BASE + P(8), P(1), RW), 0);
	assert_int_equal(f.regions, 3);
	assert_int_equal(vmspace_protect(vs, BASE + P(8), P(1), VM_READ), 0);
	assert_int_equal(f.regions, 4);
	assert_int_equal(f.last_owner, 78);
	/* The address space's end closes what is left. */
	obj_put(vs);
	assert_int_equal(f.regions, 0);
	obj_put(p);
}

static void test_failed_map_is_not_the_ties(void **state)
{
	struct vmspace *vs = new_vs();
	struct pmo *p = new_pmo(2);
	struct fake_tie f = {.tie.ops = &f_ops, .regions = 1};

	(void)state;
	assert_int_equal(vmspace_map(vs, BASE + P(1), P(1), RW, p, 0), 0);
	assert_int_equal(
		vmspace_map_tied(vs, BASE, RW, RW, p, &f.tie, 5, false),
		-EEXIST);
	assert_int_equal(f.closes, 0);
	/* With replace it takes the range over. */
	assert_int_equal(vmspace_map_tied(vs, BASE, RW, RW, p, &f.tie, 5, true),
			 0);
	assert_int_equal(vmspace_unmap_preemptible(vs, BASE, P(2)), 0);
	assert_int_equal(f.closes, 1);
	assert_int_equal(f.regions, 0);
	obj_put(vs);
	obj_put(p);
}

static void test_find_tied(void **state)
{
	struct vmspace *vs = new_vs();
	struct pmo *p = new_pmo(3), *q = new_pmo(1);
	struct fake_tie f = {.tie.ops = &f_ops, .regions = 1};
	struct fake_tie g = {.tie.ops = &other_ops, .regions = 1};
	struct vm_tie *t = NULL;
	vaddr_t start;
	size_t size, whole = 0;

	(void)state;
	assert_int_equal(
		vmspace_map_tied(vs, BASE, RW, RW, p, &f.tie, 1, false), 0);
	assert_int_equal(
		vmspace_map_tied(vs, BASE + P(8), RW, RW, q, &g.tie, 1, false),
		0);
	assert_true(vmspace_find_tied(vs, BASE, BASE, 0, &f_ops, &t, &start,
				      &size, &whole));
	assert_ptr_equal(t, &f.tie);
	assert_int_equal(start, BASE);
	assert_int_equal(size, P(3));
	assert_int_equal(whole, P(3));
	/* Not at an attach address: nothing (its own offset is 0). */
	t = NULL;
	assert_false(vmspace_find_tied(vs, BASE + P(1), BASE + P(1), 0, &f_ops,
				       &t, &start, &size, NULL));
	/* Other ops are not looked at. */
	t = NULL;
	assert_false(vmspace_find_tied(vs, BASE + P(8), BASE + P(8), 0, &f_ops,
				       &t, &start, &size, NULL));
	/* Head cut away: the rest is found from the attach address. */
	assert_int_equal(vmspace_unmap(vs, BASE, P(1)), 0);
	t = NULL;
	assert_true(vmspace_find_tied(vs, BASE, BASE, 0, &f_ops, &t, &start,
				      &size, NULL));
	assert_int_equal(start, BASE + P(1));
	/* The follow-up search stops past the segment's size. */
	assert_false(vmspace_find_tied(vs, BASE, BASE + P(3), P(3), &f_ops, &t,
				       &start, &size, NULL));
	obj_put(vs);
	assert_int_equal(f.regions, 0);
	assert_int_equal(g.regions, 0);
	obj_put(p);
	obj_put(q);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		kenv_test(test_splits_and_closes),
		kenv_test(test_failed_map_is_not_the_ties),
		kenv_test(test_find_tied),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
