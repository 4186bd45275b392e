/*
 * The AVL tree of regions (vmtree.h). Every change that moves nodes ends
 * with fix_up from the lowest node it touched upwards: each node on the
 * way gets its height recomputed and is rotated back into balance
 * (heights of siblings differ by at most one, so the height stays below
 * 1.45 log2(n + 2): 23 for 65,531 regions), and it stops where a
 * subtree's height comes out as it was (as AVL rebalancing stops).
 * Rotations recompute the two nodes they move, lower one first.
 *
 * Each node keeps the hole below its own region (down to the end of the
 * region before it, or to 0), exact: a region's change touches its own
 * hole and its successor's, nothing else. Its max_gap is an upper bound
 * of the holes in its subtree, never below its own hole nor its
 * children's bounds (invariant M). A hole that grows raises the bounds
 * above it until one is already as high (raise: a compare a level); a
 * hole that shrinks changes no bound. So a map at the bottom of the big
 * free range (it shrinks the hole below the region above) and its unmap
 * (the hole grows back to the bound its ancestors still hold) stop at
 * once, where exact maxima changed all the way to the root each time.
 * The free-range search pays instead: a subtree whose bound promised a
 * hole it has not got is walked and its bounds tightened on the way
 * back (lowest_hole); the walk enters only subtrees whose bound was
 * stale for that size and leaves each below it, so a search costs more
 * than a descent only after changes left bounds high, and once per
 * bound left so (tests/unit/test_vmtree.c, test_stale_bounds).
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

/* n's height and bound from its own hole and its children's. */
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
 * The bound of n's subtree from its own hole and its children's bounds
 * (the least value invariant M allows).
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

/* n's hole grew: the bounds from n up learn, as far as they are lower. */
static inline void raise(struct vmtree_node *n)
{
	size_t v = n->gap;

	for (; n && n->max_gap < v; n = n->parent)
		n->max_gap = v;
}

/*
 * Rebalances the nodes from n up towards the root, n's children having
 * changed, and gives them their heights; it stops at the first subtree
 * whose height comes out as it was, but never at or below `moved` (a
 * node that has just taken another's place, whose old height is not
 * worth comparing; NULL: none). Heights only, ~15 instructions a level:
 * bounds stay valid (invariant M) where nothing moved, as a subtree
 * that lost a node may keep a bound higher than it needs. The nodes a
 * rotation moves and `moved` get theirs recomputed from their children
 * (no higher than the old subtree's bound, so the parent's still holds
 * it); a new leaf's hole is raised before, a grown hole after.
 */
static void fix_up(struct vmtree *t, struct vmtree_node *n,
		   const struct vmtree_node *moved)
{
	bool passed = !moved;

	while (n) {
		struct vmtree_node *l = n->left, *r = n->right;
		int hl = height(l), hr = height(r), h = n->height;
		bool at_moved = n == moved;

		if (hl > hr + 1) {
			if (height(l->left) < height(l->right))
				rotate_left(t, l);
			n = rotate_right(t, n);
		} else if (hr > hl + 1) {
			if (height(r->right) < height(r->left))
				rotate_right(t, r);
			n = rotate_left(t, n);
		} else {
			n->height = 1 + MAX(hl, hr);
			if (at_moved)
				n->max_gap = subtree_max(n);
		}
		if (at_moved)
			passed = true;
		else if (passed && n->height == h)
			return;
		n = n->parent;
	}
}

/*
 * Hangs n (start and size set) at *link below parent, in the hole that
 * starts at floor (the end of the region before, or 0) below `after`
 * (NULL: none): the hole splits into n's and after's.
 */
static inline __attribute__((always_inline)) void
link_leaf(struct vmtree *t, struct vmtree_node *n, struct vmtree_node *parent,
	  struct vmtree_node **link, vaddr_t floor, struct vmtree_node *after)
{
	n->left = n->right = NULL;
	n->parent = parent;
	*link = n;
	n->gap = node_start(n) - floor;
	n->height = 1;
	n->max_gap = 0; /* raise() sets it, and its parents' as needed */
	if (after)
		after->gap = node_start(after) - node_end(n);
	raise(n); /* first: a rotation's bounds must stay below the old */
	fix_up(t, parent, NULL);
}

/*
 * Links r as a leaf. Its neighbours are ancestors of a leaf: the last
 * nodes the descent left going right (before) and going left (after),
 * so both holes are known without a walk. after's hole shrinks (no
 * bound changes); the leaf's is part of what after's was, but the nodes
 * between them may not have counted it: fix_up's pass raises them.
 */
int vmtree_insert(struct vmtree *t, struct vmregion *r, struct vmregion **next)
{
	struct vmtree_node *n = &r->tn, *parent = NULL, **link = &t->root;
	struct vmtree_node *before = NULL, *after = NULL;

	t->gen++;
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
	link_leaf(t, n, parent, link, before ? node_end(before) : 0, after);
	*next = after ? region_of(after) : NULL;
	return 0;
}

/*
 * The leaf's place below `above`: its left child's place if it has
 * none, else right of the last node of its left subtree (its
 * predecessor), a walk down that subtree's right edge.
 */
int vmtree_insert_below(struct vmtree *t, struct vmregion *r,
			struct vmregion *above)
{
	struct vmtree_node *a = &above->tn, *parent = a, **link = &a->left;
	vaddr_t floor = node_start(a) - a->gap;

	t->gen++;
	if (r->start < floor || r->start + r->size > node_start(a))
		return -EEXIST;
	if (a->left) {
		for (parent = a->left; parent->right;)
			parent = parent->right;
		link = &parent->right;
	}
	link_leaf(t, &r->tn, parent, link, floor, a);
	return 0;
}

/*
 * Unlinks r; its successor s's hole grows by `grow`. One structural pass
 * from the lowest node whose children changed, then s's hole raises the
 * bounds above it.
 */
static void unlink(struct vmtree *t, struct vmtree_node *n, size_t grow)
{
	struct vmtree_node *s = succ(n), *from;

	t->gen++;
	if (!n->left || !n->right) {
		from = n->parent;
		replace_child(t, from, n, n->left ? n->left : n->right);
		fix_up(t, from, NULL);
	} else {
		/* Two children: its successor s (no left child) takes its
		 * place. */
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
		fix_up(t, from, s); /* s in its new place: up to it at least */
	}
	if (s && grow) {
		s->gap += grow;
		raise(s);
	}
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
 * as much as its end moved: no neighbour is read, no node moves, and
 * only a hole that grew raises bounds.
 */
void vmtree_update(struct vmtree *t, struct vmregion *r, vaddr_t old_start,
		   vaddr_t old_end)
{
	struct vmtree_node *n = &r->tn, *s;
	vaddr_t end = r->start + r->size;

	t->gen++;
	n->gap += r->start - old_start; /* modulo 2^64: down is fine */
	if (r->start > old_start)
		raise(n);
	if (end != old_end && (s = succ(n))) {
		s->gap += old_end - end;
		if (end < old_end)
			raise(s);
	}
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
 * The first node of top's subtree (in address order) with a hole of at
 * least `size` below it, or NULL. A subtree whose bound is below size is
 * skipped; one whose bound promised too much is walked, and its bound is
 * tightened on the way back up (below size then: its children's are, and
 * so is its own hole), so no search walks it again for that size. With
 * exact bounds this is one descent. A loop over parent links, not a
 * recursion: a call per level cost as much as the level.
 */
static struct vmtree_node *lowest_hole(struct vmtree_node *top, size_t size)
{
	struct vmtree_node *n = top, *p;

	if (!n || n->max_gap < size)
		return NULL;
	for (;;) {
		/* n's bound is at least size: its left first, then itself. */
		if (n->left && n->left->max_gap >= size) {
			n = n->left;
			continue;
		}
		if (n->gap >= size)
			return n;
		if (n->right && n->right->max_gap >= size) {
			n = n->right;
			continue;
		}
		/* Nothing in n's subtree: tighten, back up to the next try. */
		for (;;) {
			n->max_gap = subtree_max(n);
			if (n == top)
				return NULL;
			p = n->parent;
			if (n == p->left) {
				if (p->gap >= size)
					return p;
				if (p->right && p->right->max_gap >= size) {
					n = p->right;
					break;
				}
			}
			n = p;
		}
	}
}

/*
 * The first node after n in address order with a hole of at least `size`
 * below it; NULL if none. Up from n, looking at each ancestor that
 * follows it and the subtree after that: as few steps as the answer is
 * near.
 */
static struct vmtree_node *hole_after(struct vmtree_node *n, size_t size)
{
	struct vmtree_node *b;

	if ((b = lowest_hole(n->right, size)))
		return b;
	for (; n->parent; n = n->parent) {
		struct vmtree_node *p = n->parent;

		if (n != p->left)
			continue;
		if (p->gap >= size)
			return p;
		if ((b = lowest_hole(p->right, size)))
			return b;
	}
	return NULL;
}

vaddr_t vmtree_find_gap(struct vmtree *t, vaddr_t at, size_t size, vaddr_t top,
			struct vmregion **above)
{
	struct vmregion *first = vmtree_first_ending_after(t, at);
	const struct vmtree_node *b;
	vaddr_t x;

	if (above)
		*above = NULL;
	if (!first || (first->start >= at && first->start - at >= size)) {
		x = at; /* at itself is free far enough */
		if (above)
			*above = first;
	} else if ((b = hole_after(&first->tn, size))) {
		x = node_start(b) - b->gap; /* its predecessor's end */
		if (above)
			*above = region_of(b);
	} else {
		for (b = t->root; b->right;)
			b = b->right;
		x = node_end(b); /* past the last region */
	}
	return size <= top && x <= top - size ? x : 0;
}
