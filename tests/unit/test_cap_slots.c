/*
 * kernel/object/cap_group.c's free-slot bitmap: whatever the order of
 * fills and frees, a new capability goes in the lowest free slot, the
 * table doubles only when full, and the bitmap says exactly which slots
 * below nslots are empty. Every case checks that invariant after each
 * step; a long random run compares every answer with a plain model.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "kernel_env.h"
#include "object_fixtures.h"
#include <object/cap_group.h>
#include <object/pmo.h>
#include <uapi/ferry/errno.h>

#define RW (CAP_RIGHT_READ | CAP_RIGHT_WRITE)

/* The bitmap agrees with the slots, bit for bit, summary included. */
static void check_map(struct cap_group *g)
{
	for (u32 i = 0; i < CAP_TABLE_MAX; i++) {
		bool free = i < g->nslots && !g->slots[i].obj;
		bool bit = (g->free_map[i / 64] >> (i % 64)) & 1;

		if (free != bit)
			fail_msg("slot %u: free %d, bit %d", i, free, bit);
	}
	for (u32 w = 0; w < CAP_TABLE_MAX / 64; w++)
		assert_int_equal((g->free_words >> w) & 1, g->free_map[w] != 0);
	for (u32 w = CAP_TABLE_MAX / 64; w < 64; w++)
		assert_int_equal((g->free_words >> w) & 1, 0);
}

/* Fills every slot from 2 up: the table at CAP_TABLE_MAX, all taken. */
static void fill(struct cap_group *g, struct pmo *p)
{
	for (int i = 2; i < CAP_TABLE_MAX; i++)
		assert_int_equal(cap_alloc(g, p, RW), i);
	check_map(g);
	assert_int_equal(g->free_words, 0);
}

static void test_new_table_has_its_initial_slots_free(void **state)
{
	struct cap_group *g = fx_group("slots");

	(void)state;
	check_map(g);
	/* Slots 0 and 1 are the process's own: 2..15 free, one word. */
	assert_int_equal(g->free_map[0], 0xfffcull);
	assert_int_equal(g->free_words, 1);
	fx_group_end(g);
}

/* Growth at each doubling, across the word boundaries (64, 128...). */
static void test_grows_when_full_and_only_then(void **state)
{
	struct cap_group *g = fx_group("slots");
	struct pmo *p = fx_pmo_page();
	u32 cap = 16;

	(void)state;
	for (int i = 2; i < CAP_TABLE_MAX; i++) {
		u32 before = g->nslots;

		assert_int_equal(cap_alloc(g, p, RW), i);
		if ((u32)i < before)
			assert_int_equal(g->nslots, before);
		else
			assert_int_equal(g->nslots, cap *= 2);
		check_map(g);
	}
	assert_int_equal(g->nslots, CAP_TABLE_MAX);
	fx_group_end(g);
	obj_put(p);
}

static void test_full_table_then_each_word_edge_freed(void **state)
{
	static const int edges[] = {
		2, 63, 64, 127, 128, 511, 512, 1000, CAP_TABLE_MAX - 1};
	struct cap_group *g = fx_group("slots");
	struct pmo *p = fx_pmo_page();

	(void)state;
	fill(g, p);
	assert_int_equal(cap_alloc(g, p, RW), -ENOMEM);
	assert_int_equal(cap_copy(g, CAP_SELF_GROUP, g, CAP_RIGHT_ALL),
			 -ENOMEM);
	check_map(g);
	for (size_t k = 0; k < sizeof(edges) / sizeof(edges[0]); k++) {
		assert_int_equal(cap_remove(g, edges[k]), 0);
		check_map(g);
		assert_int_equal(cap_alloc(g, p, RW), edges[k]);
		check_map(g);
		assert_int_equal(cap_alloc(g, p, RW), -ENOMEM);
	}
	fx_group_end(g);
	assert_int_equal(obj_refcount(p), 1);
	obj_put(p);
}

/* Freed from the top down, from the bottom up, or every other one. */
static void test_reuse_is_lowest_first_in_any_free_order(void **state)
{
	struct cap_group *g = fx_group("slots");
	struct pmo *p = fx_pmo_page();
	void *obj;

	(void)state;
	fill(g, p);
	for (int i = CAP_TABLE_MAX - 1; i >= 2; i--)
		assert_int_equal(cap_remove(g, i), 0);
	check_map(g);
	for (int i = 2; i < CAP_TABLE_MAX; i++)
		assert_int_equal(cap_alloc(g, p, RW), i);
	for (int i = 2; i < CAP_TABLE_MAX; i++)
		assert_int_equal(cap_remove(g, i), 0);
	for (int i = 2; i < CAP_TABLE_MAX; i++)
		assert_int_equal(cap_alloc(g, p, RW), i);
	for (int i = CAP_TABLE_MAX - 1; i >= 2; i -= 2)
		assert_int_equal(cap_remove(g, i), 0);
	check_map(g);
	for (int i = 3; i < CAP_TABLE_MAX; i += 2)
		assert_int_equal(cap_alloc(g, p, RW), i);
	assert_int_equal(g->free_words, 0);
	/* Emptied by take and remove_if too. */
	assert_int_equal(cap_take(g, 700, &obj), 0);
	cap_put(obj);
	cap_remove_if(g, 300, p);
	cap_remove_if(g, 5, g); /* not what it holds: stays */
	check_map(g);
	assert_int_equal(cap_alloc(g, p, RW), 300);
	assert_int_equal(cap_alloc(g, p, RW), 700);
	assert_int_equal(cap_alloc(g, p, RW), -ENOMEM);
	fx_group_end(g);
	assert_int_equal(obj_refcount(p), 1);
	obj_put(p);
}

/* A chosen slot: free below nslots, taken, past nslots, out of range. */
static void test_alloc_at_keeps_the_map(void **state)
{
	struct cap_group *g = fx_group("slots");
	struct pmo *p = fx_pmo_page();

	(void)state;
	assert_int_equal(cap_alloc_at(g, 3, p, RW), 3);
	check_map(g);
	assert_int_equal(cap_alloc(g, p, RW), 2);
	assert_int_equal(cap_alloc(g, p, RW), 4); /* 3 is taken */
	assert_int_equal(cap_alloc_at(g, 4, p, RW), -EEXIST);
	assert_int_equal(cap_alloc_at(g, -1, p, RW), -EINVAL);
	assert_int_equal(cap_alloc_at(g, CAP_TABLE_MAX, p, RW), -EINVAL);
	check_map(g);
	/* Past nslots: grown (16 -> 256), everything between is free. */
	assert_int_equal(cap_alloc_at(g, 200, p, RW), 200);
	assert_int_equal(g->nslots, 256);
	check_map(g);
	for (int i = 5; i < 200; i++)
		assert_int_equal(cap_alloc(g, p, RW), i);
	assert_int_equal(cap_alloc(g, p, RW), 201);
	check_map(g);
	/* The last slot: the table at its maximum, 202.. still free. */
	assert_int_equal(cap_alloc_at(g, CAP_TABLE_MAX - 1, p, RW),
			 CAP_TABLE_MAX - 1);
	assert_int_equal(g->nslots, CAP_TABLE_MAX);
	check_map(g);
	assert_int_equal(cap_alloc(g, p, RW), 202);
	/* Copies choose the same way. */
	assert_int_equal(cap_copy_at(g, CAP_SELF_GROUP, g, CAP_RIGHT_ALL, 900),
			 900);
	assert_int_equal(cap_copy_at(g, CAP_SELF_GROUP, g, CAP_RIGHT_ALL, 900),
			 -EEXIST);
	assert_int_equal(cap_copy(g, CAP_SELF_GROUP, g, CAP_RIGHT_ALL), 203);
	check_map(g);
	fx_group_end(g);
	assert_int_equal(obj_refcount(p), 1);
	obj_put(p);
}

/* The exit path empties slots itself (PMOs only the table holds). */
static void test_shed_memory_frees_its_slots(void **state)
{
	struct cap_group *g = fx_group("slots");
	struct pmo *kept = fx_pmo_page(), *alone = fx_pmo_page();
	int a, b, c;

	(void)state;
	a = cap_alloc(g, kept, RW);
	b = cap_alloc(g, alone, RW);
	c = cap_alloc(g, kept, RW);
	obj_put(alone); /* the slot's reference is its last */
	cap_group_shed_memory(g);
	check_map(g);
	assert_non_null(g->slots[a].obj);
	assert_null(g->slots[b].obj);
	assert_non_null(g->slots[c].obj);
	assert_int_equal(cap_alloc(g, kept, RW), b);
	check_map(g);
	cap_group_teardown(g);
	/* A dead table has no free slot. */
	assert_int_equal(g->free_words, 0);
	check_map(g);
	assert_int_equal(cap_alloc(g, kept, RW), -ESRCH);
	obj_put(g);
	assert_int_equal(obj_refcount(kept), 1);
	obj_put(kept);
}

/* xorshift64: the same sequence on every run. */
static u64 rng = 0x9e3779b97f4a7c15ull;

static u32 rnd(u32 n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (u32)(rng % n);
}

/* The model: a plain array and the first-free scan the bitmap replaces. */
static bool used[CAP_TABLE_MAX];
static u32 model_nslots;

static int model_lowest(void)
{
	for (u32 i = 0; i < model_nslots; i++)
		if (!used[i])
			return (int)i;
	return -1;
}

static void model_grow_to(u32 slot)
{
	while (slot >= model_nslots)
		model_nslots *= 2;
}

static void test_random_run_matches_first_free_scan(void **state)
{
	struct cap_group *g = fx_group("slots");
	struct pmo *p = fx_pmo_page();
	void *obj;

	(void)state;
	memset(used, 0, sizeof(used));
	used[0] = used[1] = true;
	model_nslots = 16;
	for (int step = 0; step < 40000; step++) {
		/* Mostly fills early, mostly frees late: full and empty. */
		u32 op = rnd(step < 20000 ? 10 : 12), s;
		int want, got;

		switch (op) {
		case 0 ... 3: /* the lowest free */
			want = model_lowest();
			if (want < 0 && model_nslots < CAP_TABLE_MAX) {
				want = (int)model_nslots;
				model_nslots *= 2;
			}
			got = op & 1 ? cap_copy(g, CAP_SELF_GROUP, g, RW)
				     : cap_alloc(g, p, RW);
			if (want < 0) {
				assert_int_equal(got, -ENOMEM);
				break;
			}
			assert_int_equal(got, want);
			used[want] = true;
			break;
		case 4: /* a chosen slot, sometimes out of range */
			s = rnd(CAP_TABLE_MAX + 8);
			got = cap_alloc_at(g, (int)s, p, RW);
			if (s >= CAP_TABLE_MAX) {
				assert_int_equal(got, -EINVAL);
			} else if (used[s]) {
				assert_int_equal(got, -EEXIST);
				model_grow_to(s);
			} else {
				assert_int_equal(got, (int)s);
				used[s] = true;
				model_grow_to(s);
			}
			break;
		default: /* empty one, never 0 or 1 */
			s = 2 + rnd(CAP_TABLE_MAX - 2);
			if (op == 5) {
				got = cap_take(g, (int)s, &obj);
				if (!got)
					cap_put(obj);
			} else {
				got = cap_remove(g, (int)s);
			}
			assert_int_equal(got, used[s] ? 0 : -ECAPBILITY);
			used[s] = false;
			break;
		}
		assert_int_equal(g->nslots, model_nslots);
		if (step % 64 == 0)
			check_map(g);
	}
	check_map(g);
	fx_group_end(g);
	assert_int_equal(obj_refcount(p), 1);
	obj_put(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		kenv_test(test_new_table_has_its_initial_slots_free),
		kenv_test(test_grows_when_full_and_only_then),
		kenv_test(test_full_table_then_each_word_edge_freed),
		kenv_test(test_reuse_is_lowest_first_in_any_free_order),
		kenv_test(test_alloc_at_keeps_the_map),
		kenv_test(test_shed_memory_frees_its_slots),
		kenv_test(test_random_run_matches_first_free_scan),
	};

	kenv_boot();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
