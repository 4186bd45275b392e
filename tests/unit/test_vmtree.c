/*
 * kernel/mm/vmtree.c: the AVL index of an address space's regions. Each
 * test drives the tree in a worst-case order (ascending, descending,
 * random, up to VMSPACE_MAX_REGIONS nodes) and checks it whole: search
 * order, parent links, balance, heights and every subtree's summaries,
 * recomputed by brute force; look-ups and free-range searches are
 * checked against a sorted array of the same ranges.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <mm/vmspace.h>
#include <mm/vmtree.h>
#include <uapi/ferry/errno.h>

#define PG 4096ul
#define TOP (1ul << 47)

static u64 rng = 88172645463325252ull;

static u64 rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static vaddr_t end_of(const struct vmregion *r)
{
	return r->start + r->size;
}

static struct vmregion *reg_of(struct vmtree_node *n)
{
	return container_of(n, struct vmregion, tn);
}

/* The end of the region before, in the in-order walk of check(). */
static vaddr_t prev_end;

/* Checks n's subtree whole (walked in order); its node count. */
static size_t check(struct vmtree_node *n, struct vmtree_node *parent,
		    vaddr_t lo, vaddr_t hi)
{
	struct vmregion *r;
	size_t cl, cr, gap;
	int hl, hr;

	if (!n)
		return 0;
	r = reg_of(n);
	assert_ptr_equal(n->parent, parent);
	assert_true(r->start >= lo && end_of(r) <= hi && r->size > 0);
	cl = check(n->left, n, lo, r->start);
	assert_int_equal(n->gap, r->start - prev_end);
	prev_end = end_of(r);
	cr = check(n->right, n, end_of(r), hi);
	hl = n->left ? n->left->height : 0;
	hr = n->right ? n->right->height : 0;
	assert_true(abs(hl - hr) <= 1);
	assert_int_equal(n->height, 1 + (hl > hr ? hl : hr));
	gap = n->gap;
	if (n->left && n->left->max_gap > gap)
		gap = n->left->max_gap;
	if (n->right && n->right->max_gap > gap)
		gap = n->right->max_gap;
	/* Invariant M: a bound, never below these (vmtree.c). */
	assert_true(n->max_gap >= gap);
	return 1 + cl + cr;
}

/* The model: pointers to the tree's regions, sorted by start. */
struct model {
	struct vmregion **r;
	size_t n;
};

static void check_all(struct vmtree *t, struct model *m)
{
	int h = t->root ? t->root->height : 0;
	size_t n = m->n;
	int bound = 0;

	prev_end = 0;
	assert_int_equal(check(t->root, NULL, 0, TOP), m->n);
	/* AVL: height < 1.4405 log2(n + 2); bound it by 1.5 log2. */
	while (n) {
		bound++;
		n >>= 1;
	}
	assert_true(h <= (3 * bound) / 2 + 2);
}

static void model_insert(struct model *m, struct vmregion *r)
{
	size_t i = 0;

	while (i < m->n && m->r[i]->start < r->start)
		i++;
	memmove(&m->r[i + 1], &m->r[i], (m->n - i) * sizeof(*m->r));
	m->r[i] = r;
	m->n++;
}

static void model_remove(struct model *m, size_t i)
{
	memmove(&m->r[i], &m->r[i + 1], (m->n - i - 1) * sizeof(*m->r));
	m->n--;
}

static struct vmregion *brute_first_ending_after(struct model *m, vaddr_t va)
{
	for (size_t i = 0; i < m->n; i++)
		if (end_of(m->r[i]) > va)
			return m->r[i];
	return NULL;
}

static vaddr_t brute_gap(struct model *m, vaddr_t at, size_t size)
{
	vaddr_t x = at;

	for (size_t i = 0; i < m->n; i++) {
		if (end_of(m->r[i]) <= x)
			continue;
		if (m->r[i]->start >= x && m->r[i]->start - x >= size)
			break;
		x = end_of(m->r[i]);
	}
	return size <= TOP && x <= TOP - size ? x : 0;
}

/* Look-ups at and around every region's ends, and random ones. */
static void check_lookups(struct vmtree *t, struct model *m, int samples)
{
	for (int i = 0; i < samples; i++) {
		vaddr_t va;
		size_t size = PG * (1 + rnd() % 8);

		if (m->n && (i & 1)) {
			struct vmregion *r = m->r[rnd() % m->n];

			va = (rnd() & 1 ? r->start : end_of(r)) +
			     PG * (rnd() % 3) - PG;
		} else {
			va = PG * (rnd() % (8 * m->n + 16));
		}
		if (!va)
			va = PG;
		assert_ptr_equal(vmtree_first_ending_after(t, va),
				 brute_first_ending_after(m, va));
		struct vmregion *above;
		vaddr_t x = vmtree_find_gap(t, va, size, TOP, &above);

		assert_int_equal(x, brute_gap(m, va, size));
		/* above: the region the hole ends at (none past the last). */
		assert_ptr_equal(above, brute_first_ending_after(m, x));
	}
}

static struct vmregion *regions(size_t n)
{
	struct vmregion *r = calloc(n, sizeof(*r));

	assert_non_null(r);
	return r;
}

/* n one-page regions a page apart, linked in the given order. */
static void fill(size_t n, int order)
{
	struct vmregion *r = regions(n);
	struct vmtree t;
	struct model m = {.r = calloc(n, sizeof(*m.r)), .n = 0};
	size_t *idx = calloc(n, sizeof(*idx));
	struct vmregion *next;

	vmtree_init(&t);
	for (size_t i = 0; i < n; i++)
		idx[i] = order < 0 ? n - 1 - i : i;
	if (order == 0) /* random: a shuffle */
		for (size_t i = n - 1; i > 0; i--) {
			size_t j = rnd() % (i + 1), x = idx[i];

			idx[i] = idx[j];
			idx[j] = x;
		}
	for (size_t i = 0; i < n; i++) {
		r[idx[i]].start = PG * (2 * idx[i] + 1);
		r[idx[i]].size = PG;
		assert_int_equal(vmtree_insert(&t, &r[idx[i]], &next), 0);
	}
	for (size_t i = 0; i < n; i++)
		m.r[i] = &r[i];
	m.n = n;
	check_all(&t, &m);
	check_lookups(&t, &m, 300);
	/* Full: the only hole of two pages is past the last. */
	assert_int_equal(vmtree_find_gap(&t, PG, 2 * PG, TOP, NULL),
			 PG * 2 * n);
	/* Half of them go, in the same order; every other one. */
	for (size_t i = 0; i < n; i++)
		if (idx[i] % 2)
			vmtree_remove(&t, &r[idx[i]]);
	for (size_t i = 0, k = 0; i < n; i += 2)
		m.r[k++] = &r[i];
	m.n = (n + 1) / 2;
	check_all(&t, &m);
	check_lookups(&t, &m, 300);
	free(idx);
	free(m.r);
	free(r);
}

static void test_ascending(void **state)
{
	(void)state;
	fill(VMSPACE_MAX_REGIONS, 1);
}

static void test_descending(void **state)
{
	(void)state;
	fill(VMSPACE_MAX_REGIONS, -1);
}

static void test_random_order(void **state)
{
	(void)state;
	fill(VMSPACE_MAX_REGIONS, 0);
}

/*
 * Random inserts into free ranges, removals, and regions trimmed or
 * grown in place (vmtree_update), checked whole after every step.
 */
static void test_random_ops(void **state)
{
	enum { N = 600, STEPS = 6000 };
	struct vmregion *r = regions(N);
	struct vmregion *freel[N];
	struct model m = {.r = calloc(N, sizeof(*m.r)), .n = 0};
	struct vmtree t;
	struct vmregion *next, spare;
	size_t nfree = N, k;

	(void)state;
	vmtree_init(&t);
	for (size_t i = 0; i < N; i++)
		freel[i] = &r[i];
	for (int step = 0; step < STEPS; step++) {
		unsigned op = rnd() % 4;

		if (op <= 1 && nfree) {
			/* Insert: a free range found by brute force. */
			size_t size = PG * (1 + rnd() % 4);
			vaddr_t hint = PG * (1 + rnd() % (4 * N));
			vaddr_t at = brute_gap(&m, hint, size);
			struct vmregion *x = freel[--nfree], *above;

			assert_int_equal(
				vmtree_find_gap(&t, hint, size, TOP, &above),
				at);
			x->start = at;
			x->size = size;
			/* Into the hole just found, without a descent, or
			 * the long way (also the only way past the last). */
			if (above && (rnd() & 1)) {
				assert_int_equal(
					vmtree_insert_below(&t, x, above), 0);
				next = above;
			} else {
				assert_int_equal(vmtree_insert(&t, x, &next),
						 0);
			}
			model_insert(&m, x);
			/* next: the region after it. */
			assert_ptr_equal(
				next, brute_first_ending_after(&m, end_of(x)));
			/* A range holding one of its pages, perhaps one
			 * below it too, is refused; nothing changes. */
			k = rnd() % 2;
			spare.start = x->start + (rnd() % (x->size / PG)) * PG -
				      k * PG;
			spare.size = (k + 1 + rnd() % 2) * PG;
			if (spare.start) {
				assert_int_equal(
					vmtree_insert(&t, &spare, &next),
					-EEXIST);
				/* Not inside the hole below x, nor below the
				 * region after it. */
				assert_int_equal(
					vmtree_insert_below(&t, &spare, x),
					-EEXIST);
				if (next)
					assert_int_equal(
						vmtree_insert_below(&t, &spare,
								    next),
						-EEXIST);
			}
		} else if (op == 2 && m.n) {
			size_t i = rnd() % m.n;

			vmtree_remove(&t, m.r[i]);
			freel[nfree++] = m.r[i];
			model_remove(&m, i);
		} else if (m.n) {
			/* Trim a page off a head or tail, grow into a hole,
			 * shift into the hole below, or take in the region
			 * after (grown up to it first if need be). */
			size_t i = rnd() % m.n;
			struct vmregion *x = m.r[i];
			vaddr_t next = i + 1 < m.n ? m.r[i + 1]->start : TOP;
			vaddr_t prev = i ? end_of(m.r[i - 1]) : PG;
			vaddr_t old_start = x->start, old_end = end_of(x);

			switch (rnd() % 6) {
			case 0:
				if (x->size > PG) {
					x->start += PG;
					x->size -= PG;
				}
				break;
			case 1:
				if (x->size > PG)
					x->size -= PG;
				break;
			case 2:
				if (prev < x->start) {
					x->start -= PG;
					x->size += PG;
				}
				break;
			case 3:
				if (prev < x->start) /* both ends move */
					x->start -= PG;
				break;
			case 4:
				if (i + 1 < m.n) {
					struct vmregion *y = m.r[i + 1];

					if (end_of(x) < y->start) {
						x->size = y->start - x->start;
						vmtree_update(&t, x, old_start,
							      old_end);
						check_all(&t, &m);
					}
					x->size += y->size;
					vmtree_remove_absorbed(&t, y);
					freel[nfree++] = y;
					model_remove(&m, i + 1);
					check_all(&t, &m);
					continue;
				}
				break;
			default:
				if (end_of(x) < next)
					x->size += PG;
			}
			vmtree_update(&t, x, old_start, old_end);
		}
		check_all(&t, &m);
		check_lookups(&t, &m, 8);
	}
	free(m.r);
	free(r);
}

/* The exact largest hole of n's subtree; *stale counts bounds above it. */
static size_t exact_max(struct vmtree_node *n, size_t *stale)
{
	size_t m, c;

	if (!n)
		return 0;
	m = n->gap;
	c = exact_max(n->left, stale);
	m = c > m ? c : m;
	c = exact_max(n->right, stale);
	m = c > m ? c : m;
	if (n->max_gap > m)
		(*stale)++;
	return m;
}

static size_t count_stale(struct vmtree_node *n)
{
	size_t stale = 0;

	exact_max(n, &stale);
	return stale;
}

/*
 * Bounds left stale by shrinking holes: the big hole below a far region
 * is filled from its bottom a page at a time (as maps placed from a hint
 * do), which raises nothing; a search for more than is left walks the
 * stale subtrees, finds the answer the brute-force model finds, and
 * leaves the bounds tight (the root's is then below the size). Emptied
 * again, the hole grows back and the bounds rise with it.
 */
static void test_stale_bounds(void **state)
{
	enum { N = 64, FILL = 200 };
	struct vmregion *r = regions(N + 1 + FILL);
	struct model m = {.r = calloc(N + 1 + FILL, sizeof(*m.r)), .n = 0};
	struct vmregion *next, *far = &r[N];
	struct vmtree t;

	(void)state;
	vmtree_init(&t);
	for (size_t i = 0; i < N; i++) {
		r[i].start = PG * (1 + 2 * i);
		r[i].size = PG;
		assert_int_equal(vmtree_insert(&t, &r[i], &next), 0);
		model_insert(&m, &r[i]);
	}
	far->start = PG * (2 * N + 2 * FILL + 8);
	far->size = PG;
	assert_int_equal(vmtree_insert(&t, far, &next), 0);
	model_insert(&m, far);
	for (size_t i = 0; i < FILL; i++) {
		struct vmregion *x = &r[N + 1 + i];
		size_t left;

		x->start = PG * (2 * N + 1 + i);
		x->size = PG;
		assert_int_equal(vmtree_insert(&t, x, &next), 0);
		assert_ptr_equal(next, far);
		model_insert(&m, x);
		check_all(&t, &m);
		left = far->start - end_of(x);
		for (size_t size = left - PG; size <= left + 2 * PG; size += PG)
			assert_int_equal(
				vmtree_find_gap(&t, PG, size, TOP, NULL),
				brute_gap(&m, PG, size));
		/* More than any hole: past far. The search tightened
		 * every subtree it looked into: only the ancestors of the
		 * region it started from may stay stale. */
		assert_int_equal(vmtree_find_gap(&t, PG, left + PG, TOP, NULL),
				 end_of(far));
		assert_true(count_stale(t.root) <= (size_t)t.root->height);
		check_all(&t, &m);
	}
	for (size_t i = FILL; i-- > 0;) {
		struct vmregion *x = &r[N + 1 + i];
		size_t hole;

		vmtree_remove(&t, x);
		model_remove(&m, N + i);
		check_all(&t, &m);
		hole = far->start - end_of(&r[i ? N + i : N - 1]);
		assert_true(t.root->max_gap >= hole);
		assert_int_equal(vmtree_find_gap(&t, PG, hole, TOP, NULL),
				 brute_gap(&m, PG, hole));
		check_lookups(&t, &m, 8);
	}
	free(m.r);
	free(r);
}

/* The free-range search's edges: the empty tree, at itself, the top. */
static void test_find_gap_edges(void **state)
{
	struct vmregion a = {.start = 4 * PG, .size = 2 * PG};
	struct vmregion b = {.start = TOP - PG, .size = PG};
	struct vmregion *next;
	struct vmtree t;

	(void)state;
	vmtree_init(&t);
	assert_null(vmtree_first_ending_after(&t, PG));
	assert_int_equal(vmtree_find_gap(&t, PG, PG, TOP, NULL), PG);
	assert_int_equal(vmtree_find_gap(&t, TOP - PG, PG, TOP, NULL),
			 TOP - PG);
	assert_int_equal(vmtree_find_gap(&t, TOP - PG, 2 * PG, TOP, NULL), 0);
	assert_int_equal(vmtree_insert(&t, &a, &next), 0);
	assert_int_equal(vmtree_find_gap(&t, PG, 3 * PG, TOP, NULL), PG);
	assert_int_equal(vmtree_find_gap(&t, PG, 4 * PG, TOP, NULL), 6 * PG);
	assert_int_equal(vmtree_find_gap(&t, 5 * PG, PG, TOP, NULL), 6 * PG);
	assert_int_equal(vmtree_insert(&t, &b, &next), 0);
	/* Only [6 pages, TOP - PG) is left above a: exactly fitting. */
	assert_int_equal(vmtree_find_gap(&t, 5 * PG, TOP - 7 * PG, TOP, NULL),
			 6 * PG);
	assert_int_equal(vmtree_find_gap(&t, 5 * PG, TOP - 6 * PG, TOP, NULL),
			 0);
	assert_ptr_equal(vmtree_first_ending_after(&t, 6 * PG), &b);
	assert_ptr_equal(vmtree_first_ending_after(&t, 6 * PG - 1), &a);
	assert_null(vmtree_first_ending_after(&t, TOP));
	vmtree_remove(&t, &a);
	vmtree_remove(&t, &b);
	assert_null(t.root);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ascending),
		cmocka_unit_test(test_descending),
		cmocka_unit_test(test_random_order),
		cmocka_unit_test(test_random_ops),
		cmocka_unit_test(test_stale_bounds),
		cmocka_unit_test(test_find_gap_edges),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
