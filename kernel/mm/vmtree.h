/*
 * The index of an address space's regions: an AVL tree keyed by start,
 * augmented so that each node knows the hole below its region (down to
 * the region before) and a bound of the largest such hole in its
 * subtree (never below it; a shrinking hole leaves it stale). Find,
 * insert, remove, the first region ending after an address and the
 * lowest free range of a size (once stale bounds are paid for, see
 * vmtree.c) all take O(log n) steps, n regions (up to
 * Linux's vm.max_map_count), where a sorted list took O(n).
 *
 * The regions never overlap, so ends are sorted as starts are: the
 * first region ending above an address is one descent, and the lowest
 * hole of a size above it a descent that skips every subtree whose
 * bound is too small (and tightens those it finds wanting).
 *
 * Locking: the owner's (vs->lock); nothing here allocates or fails.
 */
#ifndef KERNEL_MM_VMTREE_H
#define KERNEL_MM_VMTREE_H

#include <lib/types.h>

struct vmregion;

struct vmtree_node {
	struct vmtree_node *left, *right, *parent;
	size_t gap; /* the hole below its region, to the one before (or 0) */
	/*
	 * At least the largest gap in this subtree: never below its own gap
	 * nor its children's max_gap; lowered by searches (vmtree.c).
	 */
	size_t max_gap;
	int height; /* 1 for a leaf */
};

struct vmtree {
	struct vmtree_node *root;
	/*
	 * Bumped by every insert, removal and update: a caller that
	 * learned something from the regions (vm_advise.c's count of a
	 * PMO's regions) knows it still holds while gen has not moved.
	 */
	u64 gen;
};

static inline void vmtree_init(struct vmtree *t)
{
	t->root = NULL;
	t->gen = 0;
}

/*
 * Links r (start and size set) into t if it overlaps no region there:
 * 0, with the region after it in *next (NULL: none); -EEXIST (nothing
 * done) if it overlaps one. One descent does both.
 */
int vmtree_insert(struct vmtree *t, struct vmregion *r, struct vmregion **next);
/*
 * Links r into the hole below `above` (a linked region) if it lies
 * there: 0; -EEXIST (nothing done) if not. Needs no descent from the
 * root: for a map into a hole vmtree_find_gap has just named.
 */
int vmtree_insert_below(struct vmtree *t, struct vmregion *r,
			struct vmregion *above);
/* Unlinks r from t (start and size as linked): its range becomes hole. */
void vmtree_remove(struct vmtree *t, struct vmregion *r);
/*
 * Unlinks r, whose range the region before it (touching it) has just
 * grown over: vmtree_update for that one is not needed.
 */
void vmtree_remove_absorbed(struct vmtree *t, struct vmregion *r);
/*
 * After r's range moved from [old_start, old_end) to where its start and
 * size say now, overlapping no neighbour (a region trimmed, grown into a
 * hole or by a merge): its ancestors learn. Neither neighbour is read.
 */
void vmtree_update(struct vmtree *t, struct vmregion *r, vaddr_t old_start,
		   vaddr_t old_end);
/* The first region ending above va (the one holding va, or the next); NULL. */
struct vmregion *vmtree_first_ending_after(const struct vmtree *t, vaddr_t va);
/*
 * The lowest x >= at with [x, x + size) holding no region and
 * x + size <= top; 0 if none. size > 0, at < top. *above (if above is
 * not NULL): the region above that hole, NULL if none or past the last.
 * It may tighten bounds (vmtree.c): the tree is the caller's to write.
 */
vaddr_t vmtree_find_gap(struct vmtree *t, vaddr_t at, size_t size, vaddr_t top,
			struct vmregion **above);

#endif
