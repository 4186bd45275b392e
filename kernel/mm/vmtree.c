/*
 * The AVL tree of regions (vmtree.h). Every change ends with fix_up from
 * the lowest node it touched to the root: each node on the way gets its
 * height and summaries recomputed and is rotated back into balance
 * (heights of siblings differ by at most one, so the height stays below
 * 1.45 log2(n + 2): 23 for 65,531 regions). Rotations recompute the two
 * nodes they move, lower one first.
 */
#include <mm/vmspace.h>
#include <mm/vmtree.h>

static inline struct vmregion *region_of(const struct vmtree_node *n)
{
	return container_of(n, struct vmregion, tn);
}

static inline vaddr_t node_start(const struct vmtree_node *n)
{
	return region_of(n)->start;
}

static inline vaddr_t node_end(const struct vmtree_node *n)
{
	const struct vmregion *r = region_of(n);

	return r->start + r->size;
}

static inline int height(const struct vmtree_node *n)
{
	return n ? n->height : 0;
}

/* n's summaries from its own range and its children's. */
static inline __attribute__((always_inline)) void
recompute(struct vmtree_node *n)
{
	struct vmtree_node *l = n->left, *r = n->right;
	vaddr_t start = node_start(n), end = node_end(n);
	size_t gap = 0;

	n->height = 1 + MAX(height(l), height(r));
	n->min_start = l ? l->min_start : start;
	n->max_end = r ? r->max_end : end;
	if (l) {
		gap = MAX(l->max_gap, start - l->max_end);
	}
	if (r) {
		gap = MAX(gap, r->max_gap);
		gap = MAX(gap, r->min_start - end);
	}
	n->max_gap = gap;
}

/* Puts `to` where `from` hung below parent (or at the root). */
static void replace_child(struct vmtree *t, struct vmtree_node *parent,
			  struct vmtree_node *from, struct vmtree_node *to)
{
	if (!parent)
		t->root = to;
	else if (parent->left == from)
		parent->left = to;
	else
		parent->right = to;
	if (to)
		to->parent = parent;
}

/* x's right child takes its place; x becomes its left child. */
static struct vmtree_node *rotate_left(struct vmtree *t, struct vmtree_node *x)
{
	struct vmtree_node *y = x->right;

	replace_child(t, x->parent, x, y);
	x->right = y->left;
	if (x->right)
		x->right->parent = x;
	y->left = x;
	x->parent = y;
	recompute(x);
	recompute(y);
	return y;
}

/* x's left child takes its place; x becomes its right child. */
static struct vmtree_node *rotate_right(struct vmtree *t, struct vmtree_node *x)
{
	struct vmtree_node *y = x->left;

	replace_child(t, x->parent, x, y);
	x->left = y->right;
	if (x->left)
		x->left->parent = x;
	y->right = x;
	x->parent = y;
	recompute(x);
	recompute(y);
	return y;
}

/* Recomputes and rebalances every node from n up to the root. */
static void fix_up(struct vmtree *t, struct vmtree_node *n)
{
	while (n) {
		int bal;

		recompute(n);
		bal = height(n->left) - height(n->right);
		if (bal > 1) {
			if (height(n->left->left) < height(n->left->right))
				rotate_left(t, n->left);
			n = rotate_right(t, n);
		} else if (bal < -1) {
			if (height(n->right->right) < height(n->right->left))
				rotate_right(t, n->right);
			n = rotate_left(t, n);
		}
		n = n->parent;
	}
}

void vmtree_insert(struct vmtree *t, struct vmregion *r)
{
	struct vmtree_node *n = &r->tn, *parent = NULL, **link = &t->root;

	while (*link) {
		parent = *link;
		link = r->start < node_start(parent) ? &parent->left
						     : &parent->right;
	}
	n->left = n->right = NULL;
	n->parent = parent;
	*link = n;
	fix_up(t, n);
}

void vmtree_remove(struct vmtree *t, struct vmregion *r)
{
	struct vmtree_node *n = &r->tn, *s, *from;

	if (!n->left || !n->right) {
		from = n->parent;
		replace_child(t, from, n, n->left ? n->left : n->right);
		fix_up(t, from);
		return;
	}
	/* Two children: its successor s (no left child) takes its place. */
	s = n->right;
	while (s->left)
		s = s->left;
	if (s->parent == n) {
		from = s;
	} else {
		from = s->parent;
		from->left = s->right;
		if (s->right)
			s->right->parent = from;
		s->right = n->right;
		s->right->parent = s;
	}
	s->left = n->left;
	s->left->parent = s;
	replace_child(t, n->parent, n, s);
	fix_up(t, from);
}

void vmtree_update(struct vmtree *t, struct vmregion *r)
{
	(void)t;
	for (struct vmtree_node *n = &r->tn; n; n = n->parent)
		recompute(n);
}

struct vmregion *vmtree_first_ending_after(const struct vmtree *t, vaddr_t va)
{
	const struct vmtree_node *n = t->root, *best = NULL;

	while (n) {
		if (node_end(n) > va) {
			best = n;
			n = n->left;
		} else {
			n = n->right;
		}
	}
	return best ? region_of(best) : NULL;
}

/*
 * The end of the lowest region of n's subtree that ends above `at` and
 * is followed inside the subtree by a hole of at least `size`; 0 if
 * none. A subtree lying below at, or without such a hole, is skipped
 * whole: only the O(log n) subtrees straddling `at` are entered without
 * holding an answer, so the walk is O(log n).
 */
static vaddr_t gap_in(const struct vmtree_node *n, vaddr_t at, size_t size)
{
	while (n && n->max_gap >= size && n->max_end > at) {
		const struct vmtree_node *l = n->left, *r = n->right;
		vaddr_t x = gap_in(l, at, size);

		if (x)
			return x;
		if (l && l->max_end > at && node_start(n) - l->max_end >= size)
			return l->max_end;
		if (r && node_end(n) > at && r->min_start - node_end(n) >= size)
			return node_end(n);
		n = r;
	}
	return 0;
}

vaddr_t vmtree_find_gap(const struct vmtree *t, vaddr_t at, size_t size,
			vaddr_t top)
{
	struct vmregion *first = vmtree_first_ending_after(t, at);
	vaddr_t x;

	if (!first || (first->start >= at && first->start - at >= size))
		x = at; /* at itself is free far enough */
	else
		x = gap_in(t->root, at, size);
	if (!x)
		x = t->root->max_end; /* past the last region */
	return size <= top && x <= top - size ? x : 0;
}
