/*
 * The AVL tree of regions (vmtree.h). Every change ends with fix_up from
 * the lowest node it touched upwards: each node on the way gets its
 * height and largest hole recomputed and is rotated back into balance
 * (heights of siblings differ by at most one, so the height stays below
 * 1.45 log2(n + 2): 23 for 65,531 regions). Rotations recompute the two
 * nodes they move, lower one first. fix_up stops where a subtree's
 * height and largest hole come out as they were: nothing above depends
 * on more, so an insert or a removal usually touches a few levels only
 * (as AVL rebalancing stops), not the whole path.
 *
 * Each node keeps the hole below its own region (down to the end of the
 * region before it, or to 0): a region's change touches its own hole and
 * its successor's, nothing else.
 */
#include <mm/vmspace.h>
#include <mm/vmtree.h>
#include <uapi/ferry/errno.h>

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

static inline size_t max_gap(const struct vmtree_node *n)
{
	return n ? n->max_gap : 0;
}

/* n's height and largest hole from its own and its children's. */
static inline __attribute__((always_inline)) void
recompute(struct vmtree_node *n)
{
	size_t gap = MAX(max_gap(n->left), max_gap(n->right));

	n->height = 1 + MAX(height(n->left), height(n->right));
	n->max_gap = MAX(gap, n->gap);
}

/* The node after n in address order, or NULL. */
static struct vmtree_node *succ(struct vmtree_node *n)
{
	if (n->right) {
		for (n = n->right; n->left;)
			n = n->left;
		return n;
	}
	while (n->parent && n == n->parent->right)
		n = n->parent;
	return n->parent;
}

/* The hole below n: down to its predecessor p's end (or to 0). */
static inline size_t gap_below(struct vmtree_node *n, struct vmtree_node *p)
{
	return node_start(n) - (p ? node_end(p) : 0);
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

/*
 * The largest hole of n's subtree from its own hole and its children's:
 * the fix-up's step once heights have settled (a load, a compare and a
 * move per child).
 */
static inline __attribute__((always_inline)) size_t
subtree_max(const struct vmtree_node *n)
{
	size_t m = n->gap;

	if (n->left && n->left->max_gap > m)
		m = n->left->max_gap;
	if (n->right && n->right->max_gap > m)
		m = n->right->max_gap;
	return m;
}

/*
 * Recomputes and rebalances the nodes from n up towards the root, n's
 * own hole or a child having changed. It stops at the first subtree
 * whose height and largest hole come out as they were, but not below
 * `until` (an ancestor of n whose own hole changed too; NULL: none).
 * `moved`: until has just taken another node's place, or one of its
 * children has been replaced, so it needs the full step whatever
 * happens below, and its old values are not worth comparing: the pass
 * goes on above it.
 *
 * Two phases: while heights may change, the full step (height, balance,
 * rotations, ~35 instructions); once a subtree's height comes out as it
 * was (past `until`), nothing above can need a rotation or a new height,
 * and only largest holes are carried up (subtree_max, ~12 instructions a
 * level), stopping at the first that comes out as it was. A map at the
 * bottom of the big free range changes the largest hole of every
 * ancestor of the region above it: that walk to the root is the second
 * phase.
 */
static void fix_up(struct vmtree *t, struct vmtree_node *n,
		   const struct vmtree_node *until, bool moved)
{
	size_t m;

	while (n) {
		int h = n->height, bal;
		size_t gap = n->max_gap;
		bool below = until && n != until;
		bool settled = !(moved && until);

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
		if (!below)
			until = NULL;
		if (settled && n->height == h) {
			if (!below && n->max_gap == gap)
				return;
			n = n->parent;
			goto holes;
		}
		n = n->parent;
	}
	return;
holes:
	for (; n; n = n->parent) {
		bool below = until && n != until;

		m = subtree_max(n);
		if (!below) {
			if (m == n->max_gap)
				return;
			until = NULL;
		}
		n->max_gap = m;
	}
}

/*
 * Links r as a leaf. Its neighbours are ancestors of a leaf: the last
 * nodes the descent left going right (before) and going left (after),
 * so both holes are known without a walk, and one pass up from the leaf
 * past its successor fixes everything.
 */
int vmtree_insert(struct vmtree *t, struct vmregion *r, struct vmregion **next)
{
	struct vmtree_node *n = &r->tn, *parent = NULL, **link = &t->root;
	struct vmtree_node *before = NULL, *after = NULL;

	while (*link) {
		parent = *link;
		if (r->start < node_start(parent)) {
			after = parent;
			link = &parent->left;
		} else {
			before = parent;
			link = &parent->right;
		}
	}
	/* Regions never overlap: r overlaps one iff it overlaps these. */
	if ((before && node_end(before) > r->start) ||
	    (after && node_start(after) < r->start + r->size))
		return -EEXIST;
	n->left = n->right = NULL;
	n->parent = parent;
	*link = n;
	n->gap = gap_below(n, before);
	n->height = 1;
	n->max_gap = n->gap;
	if (after)
		after->gap = gap_below(after, n);
	fix_up(t, parent, after, false);
	*next = after ? region_of(after) : NULL;
	return 0;
}

/*
 * Unlinks r; its successor s's hole grows by `grow`. s lies below r (r
 * has a right child) or above it; one pass up from the lowest node
 * changed, past the highest, fixes everything.
 */
static void unlink(struct vmtree *t, struct vmtree_node *n, size_t grow)
{
	struct vmtree_node *s = succ(n), *from;

	if (s)
		s->gap += grow;
	if (!n->left || !n->right) {
		from = n->parent;
		replace_child(t, from, n, n->left ? n->left : n->right);
		if (n->right) /* s is in the subtree that moved up, under
			       * from, whose height may change: full step */
			fix_up(t, s, from, true);
		else if (from)
			fix_up(t, from, s, false);
		return;
	}
	/* Two children: its successor s (no left child) takes its place. */
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
	fix_up(t, from, s, true); /* s in its new place, new hole: up to it */
}

/* Its range becomes hole: the successor's hole takes r's and r's own. */
void vmtree_remove(struct vmtree *t, struct vmregion *r)
{
	unlink(t, &r->tn, r->tn.gap + r->size);
}

void vmtree_remove_absorbed(struct vmtree *t, struct vmregion *r)
{
	unlink(t, &r->tn, 0);
}

/*
 * r's own hole changes by as much as its start moved, its successor's by
 * as much as its end moved: no neighbour is read. One pass: from the
 * lower of r and its successor past the higher.
 */
void vmtree_update(struct vmtree *t, struct vmregion *r, vaddr_t old_start,
		   vaddr_t old_end)
{
	struct vmtree_node *n = &r->tn, *s = NULL;
	vaddr_t end = r->start + r->size;

	n->gap += r->start - old_start; /* modulo 2^64: down is fine */
	if (end != old_end && (s = succ(n)))
		s->gap += old_end - end;
	if (!s)
		fix_up(t, n, NULL, false);
	else if (r->start == old_start)
		fix_up(t, s, NULL, false);
	else if (n->right)
		fix_up(t, s, n, false);
	else
		fix_up(t, n, s, false);
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

/* The first node of n's subtree with a hole of `size` below it; there is one.
 */
static const struct vmtree_node *first_hole(const struct vmtree_node *n,
					    size_t size)
{
	for (;;) {
		if (n->left && n->left->max_gap >= size)
			n = n->left;
		else if (n->gap >= size)
			return n;
		else
			n = n->right;
	}
}

/*
 * The first node after n in address order with a hole of at least `size`
 * below it; NULL if none. Up from n, looking at each ancestor that
 * follows it and the subtree after that, then down into the first
 * subtree that has such a hole: at most twice the height, and as few
 * steps as the answer is near.
 */
static const struct vmtree_node *hole_after(const struct vmtree_node *n,
					    size_t size)
{
	if (n->right && n->right->max_gap >= size)
		return first_hole(n->right, size);
	for (; n->parent; n = n->parent) {
		const struct vmtree_node *p = n->parent;

		if (n != p->left)
			continue;
		if (p->gap >= size)
			return p;
		if (p->right && p->right->max_gap >= size)
			return first_hole(p->right, size);
	}
	return NULL;
}

vaddr_t vmtree_find_gap(const struct vmtree *t, vaddr_t at, size_t size,
			vaddr_t top)
{
	struct vmregion *first = vmtree_first_ending_after(t, at);
	const struct vmtree_node *b;
	vaddr_t x;

	if (!first || (first->start >= at && first->start - at >= size)) {
		x = at; /* at itself is free far enough */
	} else if ((b = hole_after(&first->tn, size))) {
		x = node_start(b) - b->gap; /* its predecessor's end */
	} else {
		for (b = t->root; b->right;)
			b = b->right;
		x = node_end(b); /* past the last region */
	}
	return size <= top && x <= top - size ? x : 0;
}
