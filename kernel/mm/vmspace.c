/*
 * Regions of an address space. Changes follow "check, then act": every
 * argument is validated and every region that a split needs is allocated
 * before the regions are touched, so no operation fails half way.
 *
 * Each region is in two places that change together under vs->lock: the
 * tree (vs->tree, mm/vmtree.c), through which every look-up by address
 * starts in O(log n), and the list in address order, along which a walk
 * over a range then goes region by region. Nothing walks the regions
 * from the lowest one (only teardown visits them all).
 *
 * Merging: two neighbours that map contiguous windows of the same PMO
 * alike (same rights, cap rights, pager and key, private copies, no tie,
 * neither mapped by SYS_pmo_map, which names a mapping by its start) are
 * one region, as Linux's vma_merge makes them: after a map next to
 * such a neighbour (brk's next window of its PMO extends the heap's
 * region), a MAP_FIXED replace, and an mprotect (one that splits a
 * region and one that gives the rights back leave one region again).
 * Tied regions never merge: their tie counts them (shm's nattch).
 */
#include <arch/arch.h>
#include <lib/printk.h>
#include <lib/string.h>
#include <mm/budget.h>
#include <mm/kmalloc.h>
#include <mm/pgtable.h>
#include <mm/vmspace.h>
#include <mm/vmtree.h>
#include <object/pmo.h>
#include <sched/sched.h>
#include <uapi/ferry/errno.h>

static bool range_ok(vaddr_t start, size_t size)
{
	return IS_ALIGNED(start, PAGE_SIZE) && IS_ALIGNED(size, PAGE_SIZE) &&
	       size > 0 && start >= PAGE_SIZE && start < USER_TOP &&
	       size <= USER_TOP - start;
}

static u64 perm_to_pte(u32 perm)
{
	u64 f = PTE_U;

	if (perm & VM_WRITE)
		f |= PTE_W;
	if (!(perm & VM_EXEC))
		f |= PTE_NX;
	return f;
}

int vmspace_create(struct budget *b, struct vmspace **out)
{
	struct vmspace *vs;

	if (budget_charge(b, kmalloc_size(sizeof(*vs))))
		return -ENOMEM;
	vs = obj_alloc(OBJ_TYPE_VMSPACE, sizeof(*vs));
	if (!vs) {
		budget_uncharge(b, kmalloc_size(sizeof(*vs)));
		return -ENOMEM;
	}
	budget_get(b);
	vs->budget = b;
	lock_init(&vs->lock);
	list_init(&vs->regions);
	vmtree_init(&vs->tree);
	vs->hint = NULL;
	vs->free_above = NULL;
	list_init(&vs->clearing);
	waitq_init(&vs->clear_wait);
	vs->pt_root = pt_create(b);
	if (!vs->pt_root) {
		obj_put(vs);
		return -ENOMEM;
	}
	*out = vs;
	return 0;
}

/* Region structs are charged to the vmspace's budget. */
static struct vmregion *region_alloc(struct vmspace *vs)
{
	return budget_kmalloc(vs->budget, sizeof(struct vmregion));
}

static void region_kfree(struct vmspace *vs, struct vmregion *r)
{
	budget_kfree(vs->budget, r, sizeof(struct vmregion));
}

/* A tied region goes: its tie hears it once. */
static void region_untie(struct vmregion *r)
{
	if (r->tie) {
		r->tie->ops->close(r->tie, r->tie_owner);
		r->tie = NULL;
	}
}

static void region_free(struct vmspace *vs, struct vmregion *r)
{
	region_untie(r);
	obj_put(r->pmo);
	if (r->pager)
		obj_put(r->pager);
	if (r->priv)
		obj_put(r->priv);
	region_kfree(vs, r);
}

static inline struct vmregion *first_ending_after(struct vmspace *vs,
						  vaddr_t va);
static inline struct vmregion *next_region(struct vmspace *vs,
					   struct vmregion *r);
static inline struct vmregion *prev_region(struct vmspace *vs,
					   struct vmregion *r);

/*
 * Links a region in if its range is free: 0, or -EEXIST (nothing done).
 * The tree's descent finds the region after it, before which it goes in
 * the list; a map into the hole vmspace_find_free found last needs no
 * descent (that region is the one after it).
 */
static int link_locked(struct vmspace *vs, struct vmregion *r)
{
	struct vmregion *next = vs->free_above;

	if ((!next || vmtree_insert_below(&vs->tree, r, next)) &&
	    vmtree_insert(&vs->tree, r, &next))
		return -EEXIST;
	list_append(next ? &next->node : &vs->regions, &r->node);
	vs->nregions++;
	return 0;
}

/* absorbed: the region before r has just grown over its range. */
static void unlink_locked(struct vmspace *vs, struct vmregion *r, bool absorbed)
{
	list_del(&r->node);
	if (absorbed)
		vmtree_remove_absorbed(&vs->tree, r);
	else
		vmtree_remove(&vs->tree, r);
	vs->nregions--;
	if (vs->hint == r)
		vs->hint = NULL;
	if (vs->free_above == r)
		vs->free_above = NULL;
}

/* May a, and b right after it, be one region? (vmspace.c, "Merging") */
static bool mergeable(const struct vmregion *a, const struct vmregion *b)
{
	return a->start + a->size == b->start && a->pmo == b->pmo &&
	       a->pmo_off + a->size == b->pmo_off && a->perm == b->perm &&
	       a->maxperm == b->maxperm && a->pager == b->pager &&
	       a->key == b->key && a->priv == b->priv && !a->tie && !b->tie &&
	       !a->named && !b->named;
}

/*
 * a takes b's range and b goes. a holds references to the same PMO,
 * pager and private copies: b's puts only count down, never destroy,
 * so this is safe under the lock.
 */
static void absorb_locked(struct vmspace *vs, struct vmregion *a,
			  struct vmregion *b)
{
	a->size += b->size;
	unlink_locked(vs, b, true);
	region_free(vs, b);
}

/* Merges r with whichever neighbours it may be one region with. */
static void merge_locked(struct vmspace *vs, struct vmregion *r)
{
	struct vmregion *prev = prev_region(vs, r), *next = next_region(vs, r);

	if (prev && mergeable(prev, r)) {
		absorb_locked(vs, prev, r);
		r = prev;
	}
	if (next && mergeable(r, next))
		absorb_locked(vs, r, next);
}

/*
 * Merges what may be merged among the regions meeting [start, end] (the
 * ones inside, and the neighbours just below and at end): after a change
 * of rights over the range.
 */
static void merge_range_locked(struct vmspace *vs, vaddr_t start, vaddr_t end)
{
	struct vmregion *r = first_ending_after(vs, start), *n;

	if (!r)
		return;
	if (prev_region(vs, r))
		r = prev_region(vs, r);
	while ((n = next_region(vs, r)) && n->start <= end) {
		if (mergeable(r, n))
			absorb_locked(vs, r, n);
		else
			r = n;
	}
}

void vmspace_destroy(void *obj)
{
	struct vmspace *vs = obj;
	struct vmregion *r;

	list_for_each_safe(r, tmp, &vs->regions, node)
	{
		list_del(&r->node);
		region_free(vs, r);
	}
	if (vs->pt_root)
		pt_destroy(vs->pt_root, vs->budget);
	budget_uncharge(vs->budget, kmalloc_size(sizeof(*vs)));
	budget_put(vs->budget);
}

/* The first region ending after `va`: the one holding it, or the next. */
/*
 * The first region ending above va: the hint if it holds va (a fault's
 * region, unmapped or changed next as often as not), else a descent.
 */
static inline struct vmregion *first_ending_after(struct vmspace *vs,
						  vaddr_t va)
{
	struct vmregion *r = vs->hint;

	if (r && va - r->start < r->size)
		return r;
	return vmtree_first_ending_after(&vs->tree, va);
}

struct vmregion *vmspace_find_locked(struct vmspace *vs, vaddr_t va)
{
	struct vmregion *r = vs->hint;

	if (r && va - r->start < r->size)
		return r; /* no descent: page_fault_512regions as flat as can be
			   */
	r = vmtree_first_ending_after(&vs->tree, va);
	if (!r || r->start > va)
		return NULL;
	vs->hint = r;
	return r;
}

/* The region after r in address order, or NULL. */
static inline struct vmregion *next_region(struct vmspace *vs,
					   struct vmregion *r)
{
	return r->node.next == &vs->regions
		       ? NULL
		       : list_entry(r->node.next, struct vmregion, node);
}

/* The region before r in address order, or NULL. */
static inline struct vmregion *prev_region(struct vmspace *vs,
					   struct vmregion *r)
{
	return r->node.prev == &vs->regions
		       ? NULL
		       : list_entry(r->node.prev, struct vmregion, node);
}

/* Does [start, end) overlap a range still being cleared? */
static bool clearing_overlaps_locked(struct vmspace *vs, vaddr_t start,
				     vaddr_t end)
{
	struct vm_clearing *c;

	list_for_each(c, &vs->clearing, node)
	{
		if (c->start < end && start < c->end)
			return true;
	}
	return false;
}

/*
 * A new region for [start, start + size) over pmo at pmo_off, checked
 * and allocated, not yet holding a reference to the PMO. 0, -EINVAL
 * (range, offset or perm), -ENOMEM. Inline: as a call it cost
 * ipc_register 128 instructions.
 */
static inline __attribute__((always_inline)) int
region_new(struct vmspace *vs, vaddr_t start, size_t size, u32 perm,
	   struct pmo *pmo, size_t pmo_off, struct vmregion **out)
{
	struct vmregion *r;

	if (!range_ok(start, size) || !IS_ALIGNED(pmo_off, PAGE_SIZE) ||
	    pmo_off > pmo->size || size > pmo->size - pmo_off ||
	    (perm & ~(VM_READ | VM_WRITE | VM_EXEC)))
		return -EINVAL;
	r = region_alloc(vs);
	if (!r)
		return -ENOMEM;
	r->start = start;
	r->size = size;
	r->perm = perm;
	r->maxperm = VM_READ | VM_WRITE | VM_EXEC;
	r->pmo = pmo;
	r->pmo_off = pmo_off;
	r->pager = NULL;
	r->key = 0;
	r->priv = NULL;
	r->tie = NULL;
	r->named = false;
	*out = r;
	return 0;
}

/*
 * Inserts the new region r (its PMO not yet referenced) if its range is
 * free; on failure r is freed with region_free's rules minus the PMO.
 */
static inline __attribute__((always_inline)) int map_insert(struct vmspace *vs,
							    struct vmregion *r)
{
	vaddr_t start = r->start;
	size_t size = r->size;
	int ret;

	lock(&vs->lock);
	/* Linux's do_mmap: map_count > max, before any other check. */
	if (vs->nregions > VMSPACE_MAX_REGIONS) {
		ret = -ENOMEM;
		goto out_free;
	}
	if (clearing_overlaps_locked(vs, start, start + size) ||
	    link_locked(vs, r)) {
		ret = -EEXIST;
		goto out_free;
	}
	obj_get(r->pmo);
	merge_locked(vs, r);
	unlock(&vs->lock);
	return 0;
out_free:
	unlock(&vs->lock);
	if (r->pager)
		obj_put(r->pager);
	if (r->priv)
		obj_put(r->priv);
	region_kfree(vs, r);
	return ret;
}

int vmspace_map(struct vmspace *vs, vaddr_t start, size_t size, u32 perm,
		struct pmo *pmo, size_t pmo_off)
{
	struct vmregion *r;
	int ret;

	ret = region_new(vs, start, size, perm, pmo, pmo_off, &r);
	if (ret)
		return ret;
	return map_insert(vs, r);
}

int vmspace_map_region(struct vmspace *vs, vaddr_t start, size_t size, u32 perm,
		       struct pmo *pmo, size_t pmo_off,
		       struct connection *pager, u64 key, u32 flags,
		       u32 maxperm)
{
	struct vmregion *r;
	int ret;

	if (flags & ~VM_MAP_COW)
		return -EINVAL;
	ret = region_new(vs, start, size, perm, pmo, pmo_off, &r);
	if (ret)
		return ret;
	if (flags & VM_MAP_COW) {
		/* Lazy: as large as the source, a frame only per copied page.
		 */
		/* The private copies are the address space owner's memory. */
		ret = pmo_create(pmo->size, PMO_ANONYMOUS, vs->budget,
				 &r->priv);
		if (ret) {
			region_kfree(vs, r);
			return ret;
		}
	}
	/* A private region's writes are its own: never the source's. */
	r->maxperm = (maxperm | perm | ((flags & VM_MAP_COW) ? VM_WRITE : 0)) &
		     (VM_READ | VM_WRITE | VM_EXEC);
	if (pager)
		obj_get(pager);
	r->pager = pager;
	r->key = key;
	r->named = true;
	return map_insert(vs, r);
}

/* Drops the PTEs of [start, end): only a region's pages can have any. */
static void unmap_pages_locked(struct vmspace *vs, vaddr_t start, vaddr_t end)
{
	pt_unmap_range(vs->pt_root, start, end);
}

/*
 * Cuts r at `at` (strictly inside it): `spare` becomes the part from at
 * up, inserted after r, and r keeps [r->start, keep) (keep <= at: an
 * unmap cuts a hole out of r's middle in the same step). The insert
 * sets the holes on both sides of spare.
 */
static void split_locked(struct vmspace *vs, struct vmregion *r, vaddr_t at,
			 vaddr_t keep, struct vmregion *spare)
{
	size_t low = at - r->start;

	*spare = *r;
	spare->start = at;
	spare->size = r->size - low;
	spare->pmo_off = r->pmo_off + low;
	obj_get(spare->pmo);
	if (spare->pager)
		obj_get(spare->pager);
	if (spare->priv)
		obj_get(spare->priv); /* both parts index it as pmo */
	if (spare->tie) /* one more region of it (Linux's vm_ops->open) */
		spare->tie->ops->open(spare->tie, spare->tie_owner);
	r->size = keep - r->start;    /* r's own hole is as it was */
	(void)link_locked(vs, spare); /* r now ends at or below its start */
}

/* Page-table steps between two preemption points. */
#define UNMAP_STEPS 512

/* Clears the PTEs of [start, end), a chunk per preemption point. */
static void unmap_pages_preemptible(struct vmspace *vs, vaddr_t start,
				    vaddr_t end)
{
	while (start < end) {
		lock(&vs->lock);
		start = pt_unmap_some(vs->pt_root, start, end, UNMAP_STEPS);
		unlock(&vs->lock);
		if (start < end)
			(void)sched_preempt_point(); /* killed: finish anyway */
	}
}

/* Frees unlinked regions; a PMO only they held is emptied preemptibly. */
static void free_regions_preemptible(struct vmspace *vs, struct list_head *dead)
{
	struct vmregion *r;

	list_for_each_safe(r, tmp, dead, node)
	{
		list_del(&r->node);
		region_untie(r); /* may drop the tie's own PMO reference */
		if (obj_refcount(r->pmo) == 1)
			pmo_drain(r->pmo);
		region_free(vs, r);
	}
}

int vmspace_wait_clear(struct vmspace *vs, vaddr_t start, size_t size)
{
	vaddr_t end = start > USER_TOP || size > USER_TOP - start
			      ? USER_TOP
			      : start + size;
	int waited = 0;

	lock(&vs->lock);
	while (clearing_overlaps_locked(vs, start, end)) {
		long r;

		unlock(&vs->lock);
		r = sched_block(&vs->clear_wait);
		if (r < 0)
			return (int)r;
		waited = 1;
		lock(&vs->lock);
	}
	unlock(&vs->lock);
	return waited;
}

/*
 * Cuts [start, start+size) out of the regions. With `dead`, the cut
 * regions go there and the PTEs stay (the caller clears them); with `c`
 * too, the range is registered as being cleared, after waiting for any
 * other clearing of it to end (-EINTR if killed meanwhile).
 */
static int unmap(struct vmspace *vs, vaddr_t start, size_t size,
		 struct list_head *dead, struct vm_clearing *c)
{
	struct vmregion *r, *next, *spare;
	vaddr_t end = start + size;
	bool split;

	if (!range_ok(start, size))
		return -EINVAL;
	/*
	 * Only a range strictly inside one region needs a new region; any
	 * other unmap cannot fail, so callers may undo a map with it. r, the
	 * first region ending above start, is looked up once per look.
	 */
	spare = NULL;
	lock(&vs->lock);
	for (;;) {
		if (c && clearing_overlaps_locked(vs, start, end)) {
			long w;

			unlock(&vs->lock);
			w = sched_block(&vs->clear_wait);
			if (w < 0) {
				region_kfree(vs, spare);
				return (int)w;
			}
			lock(&vs->lock);
			continue; /* look again: the list may have changed */
		}
		r = first_ending_after(vs, start);
		split = r && r->start < start && r->start + r->size > end;
		if (!split || spare)
			break;
		if (vs->nregions >= VMSPACE_MAX_REGIONS) {
			unlock(&vs->lock);
			return -ENOMEM;
		}
		unlock(&vs->lock);
		spare = region_alloc(vs);
		if (!spare)
			return -ENOMEM;
		lock(&vs->lock); /* look again: the list may have changed */
	}
	if (split && vs->nregions >= VMSPACE_MAX_REGIONS) {
		unlock(&vs->lock);
		region_kfree(vs, spare);
		return -ENOMEM;
	}
	for (; r && r->start < end; r = next) {
		vaddr_t rend = r->start + r->size;

		next = next_region(vs, r);
		if (!dead)
			unmap_pages_locked(vs, MAX(start, r->start),
					   MIN(end, rend));
		if (r->tie && (r->start < start || rend > end)) {
			/* Linux splits a VMA and closes the part cut away:
			 * the tie sees an open and a close (times, pid). */
			r->tie->ops->open(r->tie, r->tie_owner);
			r->tie->ops->close(r->tie, r->tie_owner);
		}
		if (r->start < start && rend > end) {
			split_locked(vs, r, end, start, spare);
			spare = NULL;
		} else if (r->start < start) {
			r->size = start - r->start;
			vmtree_update(&vs->tree, r, r->start, rend);
		} else if (rend > end) {
			vaddr_t old = r->start;

			r->pmo_off += end - r->start;
			r->size = rend - end;
			r->start =
				end; /* still above its neighbour: order kept */
			vmtree_update(&vs->tree, r, old, rend);
		} else {
			unlink_locked(vs, r, false);
			if (dead)
				list_append(dead, &r->node);
			else
				region_free(vs, r);
		}
	}
	if (c) {
		c->start = start;
		c->end = end;
		list_append(&vs->clearing, &c->node);
	}
	unlock(&vs->lock);
	region_kfree(vs, spare);
	return 0;
}

int vmspace_unmap(struct vmspace *vs, vaddr_t start, size_t size)
{
	return unmap(vs, start, size, NULL, NULL);
}

/* Puts a filled region (holding its pmo reference) in its free place. */
static void insert_locked(struct vmspace *vs, struct vmregion *r)
{
	(void)link_locked(vs, r); /* the range is reserved for it */
	merge_locked(vs, r);
}

/*
 * Cuts the range, drops its PTEs and frees what only it held, all
 * preemptibly; the range stays reserved (struct vm_clearing) until its
 * PTEs are gone and `newr`, if given, is in its place. -ENOMEM only if
 * newr found no room (the range is unmapped then); newr stays the
 * caller's whenever the result is not 0.
 */
static int replace(struct vmspace *vs, vaddr_t start, size_t size,
		   struct vmregion *newr)
{
	struct vm_clearing c;
	struct list_head dead;
	int ret;

	list_init(&dead);
	/*
	 * A plain unmap that one chunk of PTE steps covers has no point
	 * before its PTEs are gone: nobody can see it half done, and it
	 * needs no reservation (the common small munmap stays as cheap).
	 */
	if (!newr && size / PAGE_SIZE <= UNMAP_STEPS) {
		ret = unmap(vs, start, size, &dead, NULL);
		if (ret)
			return ret;
		unmap_pages_preemptible(vs, start, start + size);
		free_regions_preemptible(vs, &dead);
		return 0;
	}
	/* Linux's do_mmap refuses a map past the limit before unmapping. */
	if (newr) {
		lock(&vs->lock);
		ret = vs->nregions > VMSPACE_MAX_REGIONS ? -ENOMEM : 0;
		unlock(&vs->lock);
		if (ret)
			return ret;
	}
	ret = unmap(vs, start, size, &dead, &c);
	if (ret)
		return ret;
	unmap_pages_preemptible(vs, start, start + size);
	lock(&vs->lock);
	if (newr && vs->nregions > VMSPACE_MAX_REGIONS)
		ret = -ENOMEM;
	else if (newr)
		insert_locked(vs, newr);
	list_del(&c.node);
	unlock(&vs->lock);
	waitq_wake_all(&vs->clear_wait, 0);
	free_regions_preemptible(vs, &dead);
	return ret;
}

int vmspace_unmap_preemptible(struct vmspace *vs, vaddr_t start, size_t size)
{
	return replace(vs, start, size, NULL);
}

void vmspace_unmap_all_preemptible(struct vmspace *vs)
{
	vaddr_t at = 0;

	for (;;) {
		struct vmregion *r;
		vaddr_t start;
		size_t size;

		lock(&vs->lock);
		/* The lowest region is the one, unless a map went in below
		 * at meanwhile: no descent then, nor in the unmap (hint). */
		r = list_empty(&vs->regions)
			    ? NULL
			    : list_entry(vs->regions.next, struct vmregion,
					 node);
		if (r && r->start + r->size <= at)
			r = first_ending_after(vs, at);
		if (!r) {
			unlock(&vs->lock);
			return;
		}
		vs->hint = r;
		start = MAX(r->start, at);
		size = r->start + r->size - start;
		unlock(&vs->lock);
		/* -EINTR: another unmap is clearing it, and finishes it. */
		(void)vmspace_unmap_preemptible(vs, start, size);
		at = start + size; /* upwards only: a bounded walk */
	}
}

int vmspace_map_replace(struct vmspace *vs, vaddr_t start, size_t size,
			u32 perm, struct pmo *pmo, size_t pmo_off)
{
	struct vmregion *r;
	int ret;

	ret = region_new(vs, start, size, perm, pmo, pmo_off, &r);
	if (ret)
		return ret;
	obj_get(pmo);
	ret = replace(vs, start, size, r);
	if (ret)
		region_free(vs, r);
	return ret;
}

static bool fully_mapped_locked(struct vmspace *vs, vaddr_t start, vaddr_t end)
{
	struct vmregion *r = first_ending_after(vs, start);
	vaddr_t at = start;

	for (; r && at < end; r = next_region(vs, r)) {
		if (r->start > at)
			return false;
		at = r->start + r->size;
	}
	return at >= end;
}

/*
 * Linux 6.1's mprotect_fixup tries vma_merge before split_vma: a part
 * cut off a region that joins the neighbour it touches makes no new
 * region, so the region limit does not refuse it. r's part from `start`
 * to its end (the range [start, end) reaches it), given perm: does it
 * join the region after r as that one is (a neighbour Linux has not
 * changed yet when it looks)? A part ending inside r joins nothing.
 */
static bool head_cut_joins_next(struct vmspace *vs, const struct vmregion *r,
				vaddr_t start, vaddr_t end, u32 perm)
{
	struct vmregion *next = next_region(vs, (struct vmregion *)r);
	struct vmregion part = *r;

	if (r->start + r->size > end)
		return false;
	part.start = start;
	part.size = r->start + r->size - start;
	part.pmo_off = r->pmo_off + (start - r->start);
	part.perm = perm;
	return next && mergeable(&part, next);
}

/*
 * r's part below the range's end, given perm (r starts at or above
 * `start`): does it join the region before r, as that one is after the
 * change (perm if it lies in the range, vma_merge's prev then)?
 */
static bool tail_cut_joins_prev(struct vmspace *vs, const struct vmregion *r,
				vaddr_t start, u32 perm)
{
	struct vmregion *prev = prev_region(vs, (struct vmregion *)r);
	struct vmregion part = *r, before;

	if (r->start < start || !prev)
		return false;
	before = *prev;
	if (prev->start + prev->size > start)
		before.perm = perm;
	part.perm = perm;
	return mergeable(&before, &part);
}

int vmspace_protect(struct vmspace *vs, vaddr_t start, size_t size, u32 perm)
{
	struct vmregion *r, *spare[2];
	vaddr_t end = start + size;
	int used = 0, ret = 0;

	if (!range_ok(start, size) || (perm & ~(VM_READ | VM_WRITE | VM_EXEC)))
		return -EINVAL;
	spare[0] = region_alloc(vs);
	spare[1] = region_alloc(vs);
	if (!spare[0] || !spare[1]) {
		ret = -ENOMEM;
		goto out_free;
	}
	lock(&vs->lock);
	if (!fully_mapped_locked(vs, start, end)) {
		ret = -ENOMEM; /* Linux's answer for unmapped pages */
		goto out_unlock;
	}
	/* No region may get rights beyond its cap's (checked before any
	 * split: nothing changes on -EACCES). */
	for (r = first_ending_after(vs, start); r && r->start < end;
	     r = next_region(vs, r)) {
		if (perm & ~r->maxperm) {
			ret = -EACCES;
			goto out_unlock;
		}
	}
	/*
	 * Each end of the range that falls inside a region whose rights
	 * change splits it (one that keeps its rights is skipped below,
	 * so it needs no room: a full list must not refuse it), unless the
	 * part cut off joins its neighbour (merge_range_locked below), as
	 * Linux merges instead of splitting. Such a split still takes its
	 * spare for a moment: the count passes the limit by at most two
	 * until the merge, never at the end.
	 */
	{
		struct vmregion *first = first_ending_after(vs, start);
		struct vmregion *last = first_ending_after(vs, end - 1);
		size_t splits =
			(first->start < start && first->perm != perm &&
			 !head_cut_joins_next(vs, first, start, end, perm)) +
			(last->start + last->size > end && last->perm != perm &&
			 !tail_cut_joins_prev(vs, last, start, perm));

		/* split_vma's map_count >= max, only where one splits. */
		if (splits && vs->nregions + splits > VMSPACE_MAX_REGIONS) {
			ret = -ENOMEM;
			goto out_unlock;
		}
	}
	for (r = first_ending_after(vs, start); r && r->start < end;
	     r = next_region(vs, r)) {
		if (r->perm == perm)
			continue; /* as Linux's mprotect_fixup: no split */
		if (r->start < start) {
			split_locked(vs, r, start, start, spare[used++]);
			continue; /* the high part comes next */
		}
		if (r->start + r->size > end)
			split_locked(vs, r, end, end, spare[used++]);
		r->perm = perm;
	}
	merge_range_locked(vs, start, end);
	unlock(&vs->lock);
	for (int i = used; i < 2; i++)
		region_kfree(vs, spare[i]);
	/*
	 * Drop the old PTEs; faults map the pages again with the new rights.
	 * In chunks: a large range must not hold the CPU (a thread racing
	 * the call may use the old rights until it returns, as if first).
	 */
	unmap_pages_preemptible(vs, start, end);
	return 0;
out_unlock:
	unlock(&vs->lock);
out_free:
	for (int i = used; i < 2; i++)
		region_kfree(vs, spare[i]);
	return ret;
}

vaddr_t vmspace_find_free(struct vmspace *vs, vaddr_t hint, size_t size)
{
	vaddr_t at;

	if (size == 0 || size > USER_TOP || hint >= USER_TOP)
		return 0;
	at = MAX(ALIGN_UP(hint, PAGE_SIZE), PAGE_SIZE);
	lock(&vs->lock);
	for (;;) {
		struct vm_clearing *c, *hit = NULL;

		if (at >= USER_TOP)
			at = 0;
		else
			at = vmtree_find_gap(&vs->tree, at, size, USER_TOP,
					     &vs->free_above);
		if (!at)
			break;
		/* A range being cleared is not free yet: look past it. */
		list_for_each(c, &vs->clearing, node)
		{
			if (c->start < at + size && at < c->end)
				hit = c;
		}
		if (!hit)
			break;
		at = hit->end;
	}
	unlock(&vs->lock);
	return at;
}

vaddr_t vmspace_place(struct vmspace *vs, vaddr_t hint, size_t size,
		      vaddr_t base, vaddr_t min)
{
	vaddr_t at = ALIGN_DOWN(hint, PAGE_SIZE);

	min = ALIGN_UP(MAX(min, PAGE_SIZE), PAGE_SIZE);
	if (hint && at < min)
		at = min; /* Linux's round_hint_to_min() */
	if (hint && size <= USER_TOP && at <= USER_TOP - size &&
	    vmspace_find_free(vs, at, size) == at)
		return at;
	at = vmspace_find_free(vs, MAX(base, min), size);
	return at ? at : vmspace_find_free(vs, min, size);
}

size_t vmspace_mapped_run(struct vmspace *vs, vaddr_t start, vaddr_t end)
{
	struct vmregion *r;
	vaddr_t at = start;

	lock(&vs->lock);
	/* The list is sorted: follow it while each region starts where the
	 * last one ended. */
	r = vmspace_find_locked(vs, start);
	while (r) {
		at = r->start + r->size;
		if (at >= end)
			break;
		r = next_region(vs, r);
		if (r && r->start != at)
			break;
	}
	unlock(&vs->lock);
	return MIN(at, end) - start;
}

/*
 * The frame for page `index` of a copy-on-write region r and the PTE
 * rights to map it with: the region's own copy if it has one; else for
 * a write a new copy of the source page; else the source page itself,
 * read-only (a later write copies it). A source page never touched (of
 * an anonymous PMO) is zeros: the region takes a zeroed page of its own
 * and never makes the source allocate one, which would be charged to
 * the source's creator (a mapper holding only READ could spend another
 * process's budget). -ENOENT: the source page is an absent page of a
 * PMO_PAGED.
 */
static int cow_page_locked(struct vmregion *r, size_t index, u32 access,
			   paddr_t *pa, u32 *perm)
{
	paddr_t src;
	int ret;

	if (pmo_get_page(r->priv, index, false, pa) == 0)
		return 0;
	ret = pmo_get_page(r->pmo, index, false, &src);
	if (ret == -ENOENT && r->pmo->type != PMO_PAGED)
		return pmo_get_page(r->priv, index, true, pa); /* zeroed */
	if (ret)
		return ret;
	if (!(access & FAULT_WRITE)) {
		*perm &= ~VM_WRITE;
		*pa = src;
		return 0;
	}
	/* Copied into a fresh frame, not zeroed first and then copied over. */
	return pmo_get_page_copy(r->priv, index, src, pa);
}

int vmspace_fault_paged(struct vmspace *vs, vaddr_t va, u32 access,
			struct vm_pager_req *req)
{
	struct vmregion *r;
	paddr_t pa;
	size_t index;
	u32 perm;
	int ret = -EFAULT, got;

	lock(&vs->lock);
	r = vmspace_find_locked(vs, va);
	if (!r || !(r->perm & VM_READ))
		goto out_unlock;
	if ((access & FAULT_WRITE) && !(r->perm & VM_WRITE))
		goto out_unlock;
	if ((access & FAULT_EXEC) && !(r->perm & VM_EXEC))
		goto out_unlock;
	va = ALIGN_DOWN(va, PAGE_SIZE);
	index = (va - r->start + r->pmo_off) / PAGE_SIZE;
	perm = r->perm;
	if (likely(!r->priv)) {
		got = pmo_get_page(r->pmo, index, r->pmo->type != PMO_PAGED,
				   &pa);
		if (likely(!got))
			goto map;
	} else {
		got = cow_page_locked(r, index, access, &pa, &perm);
		if (!got) {
			/* A read-only source page a write replaces: drop it. */
			pt_unmap(vs->pt_root, va);
			goto map;
		}
	}
	if (got == -ENOENT && req) {
		/* Absent from a paged PMO: only its pager can supply it. */
		req->pager = r->pager;
		req->pmo = r->pmo;
		req->key = r->key;
		req->offset = index * PAGE_SIZE;
		if (req->pager)
			obj_get(req->pager);
		obj_get(req->pmo);
		ret = VM_FAULT_PAGER;
		goto out_unlock;
	}
	/* Out of memory (no frame, or a budget spent): -ENOMEM; no pager. */
	if (got == -ENOMEM)
		ret = -ENOMEM;
	goto out_unlock;
map:
	ret = pt_map(vs->pt_root, va, pa, perm_to_pte(perm), vs->budget);
out_unlock:
	unlock(&vs->lock);
	return ret;
}

int vmspace_fault(struct vmspace *vs, vaddr_t va, u32 access)
{
	return vmspace_fault_paged(vs, va, access, NULL);
}

void vm_pager_req_put(struct vm_pager_req *req)
{
	if (req->pager)
		obj_put(req->pager);
	obj_put(req->pmo);
}

bool vmspace_range_ok(struct vmspace *vs, vaddr_t va, size_t len, u32 perm)
{
	struct vmregion *r;
	vaddr_t end = va + len;
	bool ok = true;

	if (len == 0)
		return true;
	if (va >= USER_TOP || len > USER_TOP - va)
		return false;
	lock(&vs->lock);
	while (ok && va < end) {
		r = vmspace_find_locked(vs, va);
		ok = r && (r->perm & perm) == perm && (r->perm & VM_READ);
		if (ok)
			va = r->start + r->size;
	}
	unlock(&vs->lock);
	return ok;
}

vaddr_t vmspace_end_below(struct vmspace *vs, vaddr_t limit)
{
	struct vmregion *r;
	vaddr_t end = 0;

	lock(&vs->lock);
	r = first_ending_after(vs, limit);
	if (r)
		r = prev_region(vs, r);
	else if (!list_empty(&vs->regions))
		r = list_entry(vs->regions.prev, struct vmregion, node);
	if (r)
		end = r->start + r->size;
	unlock(&vs->lock);
	return end;
}

int vmspace_map_tied(struct vmspace *vs, vaddr_t start, u32 perm, u32 maxperm,
		     struct pmo *pmo, struct vm_tie *t, u32 owner,
		     bool replace_range)
{
	struct vmregion *r;
	int ret;

	ret = region_new(vs, start, pmo->size, perm, pmo, 0, &r);
	if (ret)
		return ret;
	r->maxperm = (maxperm | perm) & (VM_READ | VM_WRITE | VM_EXEC);
	r->tie = t;
	r->tie_owner = owner;
	if (!replace_range)
		return map_insert(vs, r); /* frees r without a close */
	obj_get(pmo);
	ret = replace(vs, start, pmo->size, r);
	if (ret) {
		r->tie = NULL; /* never was t's */
		region_free(vs, r);
	}
	return ret;
}

bool vmspace_find_tied(struct vmspace *vs, vaddr_t addr, vaddr_t from,
		       size_t limit, const struct vm_tie_ops *ops,
		       struct vm_tie **t, vaddr_t *start, size_t *size,
		       size_t *whole)
{
	struct vmregion *r;
	bool found = false;

	lock(&vs->lock);
	for (r = first_ending_after(vs, from); r; r = next_region(vs, r)) {
		if (*t && r->start + r->size - addr > limit)
			break;
		if (!r->tie || r->tie->ops != ops || r->start < addr ||
		    r->start - addr != r->pmo_off || (*t && r->tie != *t))
			continue;
		*t = r->tie;
		*start = r->start;
		*size = r->size;
		if (whole)
			*whole = r->pmo->size;
		found = true;
		break;
	}
	unlock(&vs->lock);
	return found;
}

bool vmspace_overlaps(struct vmspace *vs, vaddr_t start, vaddr_t end)
{
	struct vmregion *r;
	bool hit;

	lock(&vs->lock);
	r = first_ending_after(vs, start);
	hit = r && r->start < end;
	unlock(&vs->lock);
	return hit;
}
