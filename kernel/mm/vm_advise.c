/*
 * madvise(2)'s work on an address space's regions.
 *
 * The walk (Linux 6.1's madvise_walk_vmas): from the first region ending
 * above start, each region's part of the range is visited in address
 * order; a hole is remembered (-ENOMEM at the end) and skipped; a region
 * refusing the advice ends the walk with its error. The lock is dropped
 * between chunks, so each chunk looks its region up again by address.
 *
 * MADV_DONTNEED on a region, by what its pages are:
 *  - a copy-on-write region (r->priv): the pages it copied are freed, the
 *    source shows through again, as a private file mapping on Linux;
 *  - Linux private anonymous memory (pmo->anon_private) that only this
 *    address space's regions (and `own`, the heap's holder) reach: the
 *    frames are freed, the pages read zeros again;
 *  - anything else (shared memory, ELF segments, a PMO somebody else
 *    holds): only the PTEs go, the data stays, as on a shared mapping.
 * MADV_REMOVE frees shmem's pages the same way, when only this address
 * space maps it (a MAP_SHARED|MAP_ANONYMOUS mapping: Ferry has no fork);
 * a SysV segment's frames may be mapped elsewhere, and without a reverse
 * map their PTEs there cannot be found: -EOPNOTSUPP, Linux's answer for
 * a file system that cannot punch holes.
 * A frame is freed in the same vs->lock hold as its PTE is dropped: a
 * fault (which takes vs->lock) can never map a page in between and keep
 * a freed frame mapped.
 */
#include <mm/pgtable.h>
#include <mm/vm_advise.h>
#include <mm/vmspace.h>
#include <object/pmo.h>
#include <sched/sched.h>
#include <uapi/ferry/errno.h>

/* PTEs dropped or radix steps taken per lock hold (as vmspace's unmap). */
#define ADVISE_STEPS 512
/* x86's PMD-sized page (MADV_COLLAPSE's unit). */
#define HUGE_SIZE (2ul << 20)
/* Pages faulted in between two preemption points. */
#define POPULATE_PAGES 16

/* Is r Linux's anonymous memory (vma_is_anonymous, not VM_SHARED)? */
static bool region_anon(const struct vmregion *r)
{
	return !r->priv && r->pmo->lx_kind == PMO_LX_ANON;
}

/* Is r Linux's shmem (MAP_SHARED|MAP_ANONYMOUS, SysV shm)? */
static bool region_shmem(const struct vmregion *r)
{
	return !r->priv && r->pmo->lx_kind == PMO_LX_SHMEM;
}

/*
 * Would Linux 6.1 try MADV_COLLAPSE on r (hugepage_vma_check)? Private
 * anonymous memory already faulted in somewhere (an anon_vma: here, a
 * PMO whose radix has grown, which stays so after DONTNEED as an
 * anon_vma does), or shmem (MAP_SHARED anonymous memory, System V
 * segments: measured on linux-ref), holding a 2 MiB-
 * aligned 2 MiB below its end (transhuge_vma_suitable). MADV_NOHUGEPAGE,
 * which would make it -EINVAL, is not remembered.
 */
static bool collapse_vma_ok(const struct vmregion *r)
{
	vaddr_t end = r->start + r->size;

	if (!(region_anon(r) && r->pmo->root) && !region_shmem(r))
		return false;
	return end >= HUGE_SIZE &&
	       ALIGN_DOWN(end - HUGE_SIZE, HUGE_SIZE) >= r->start;
}

/*
 * MADV_COLLAPSE over [at, end) of r, as madvise_collapse answers it:
 * each aligned 2 MiB inside the range is collapsed only where a page
 * was faulted in (else SCAN_PMD_NULL: -EINVAL); a range holding none
 * is 0 if its ends round to the same 2 MiB boundary and -EINVAL if they
 * cross (Linux's count of chunks goes negative). Ferry has no huge page
 * to make: this only finds Linux's answer, the memory stays as it is.
 */
static int collapse_locked(struct vmspace *vs, struct vmregion *r, vaddr_t at,
			   vaddr_t end)
{
	vaddr_t hs = ALIGN_UP(at, HUGE_SIZE), he = ALIGN_DOWN(end, HUGE_SIZE);

	if (!collapse_vma_ok(r) || hs > he)
		return -EINVAL;
	for (; hs < he; hs += HUGE_SIZE) {
		vaddr_t va = hs;

		while (va < hs + HUGE_SIZE &&
		       pt_query(vs->pt_root, va, NULL, NULL) != 0)
			va += PAGE_SIZE;
		if (va == hs + HUGE_SIZE)
			return -EINVAL;
	}
	return 0;
}

/* pmo_ours_locked's last answer (one madvise call's), and what it rested on. */
struct ours_cache {
	struct pmo *p; /* NULL: none yet; compared, never dereferenced */
	u64 gen;
	u32 refs;
	bool ours;
};

u64 vm_advise_walks;

/*
 * Do only this vmspace's regions (and one reference held for it, `own`)
 * reach r's PMO? A PMO of Linux's lies in one window of the address
 * space (mapped once, then maybe cut): its regions are those inside it.
 * Every region counted holds a reference, so the count is never above
 * the refcount; counting fewer only makes the answer "no" (safe, but
 * DONTNEED then keeps data Linux would zero). A region of another PMO
 * may start below the window and cover its head (MAP_FIXED from below):
 * the walk goes past it rather than stopping there.
 */
static bool pmo_ours_locked(struct vmspace *vs, struct vmregion *r,
			    struct pmo *own, struct ours_cache *c)
{
	struct pmo *p = r->pmo;
	vaddr_t base = r->start >= r->pmo_off ? r->start - r->pmo_off : 0;
	vaddr_t top = base + p->size;
	u32 n = p == own;

	/*
	 * The answer depends only on p's references and this space's
	 * regions: while neither moved, the last count stands. Without
	 * this a DONTNEED over one PMO cut into k regions walked the k
	 * regions at each of its k chunks or more.
	 */
	if (c->p == p && c->gen == vs->tree.gen && c->refs == obj_refcount(p))
		return c->ours;
	vm_advise_walks++;
	for (struct vmregion *q = vmtree_first_ending_after(&vs->tree, base);
	     q && q->start < top;
	     q = q->node.next == &vs->regions
			 ? NULL
			 : list_entry(q->node.next, struct vmregion, node))
		n += q->pmo == p;
	c->p = p;
	c->gen = vs->tree.gen;
	c->refs = obj_refcount(p);
	c->ours = c->refs == n;
	return c->ours;
}

/*
 * One chunk of DONTNEED (or of REMOVE, checked) over [at, end) inside
 * r: the PTEs, and the frames of the pages whose PTEs went, if they may
 * go. Returns where it stopped (past at).
 */
static vaddr_t dontneed_chunk_locked(struct vmspace *vs, struct vmregion *r,
				     vaddr_t at, vaddr_t end, struct pmo *own,
				     bool remove, struct ours_cache *c)
{
	struct pmo *from = NULL;
	vaddr_t stop = pt_unmap_some(vs->pt_root, at, end, ADVISE_STEPS);
	size_t off = at - r->start + r->pmo_off, done;

	if (r->priv)
		from = r->priv; /* indexed as pmo; this region's alone */
	else if ((region_anon(r) || remove) && pmo_ours_locked(vs, r, own, c))
		from = r->pmo;
	if (!from)
		return stop;
	/* ADVISE_STEPS >= radix levels: it always frees or skips a page. */
	done = pmo_decommit_some(from, off, stop - at, ADVISE_STEPS);
	return at + (done - off);
}

int vmspace_advise(struct vmspace *vs, vaddr_t start, vaddr_t end,
		   enum vm_advice adv, struct pmo *own)
{
	struct ours_cache cache = {0};
	vaddr_t at = start;
	int hole = 0, ret;

	while (at < end) {
		bool populate = adv == VM_ADVISE_POPULATE_READ ||
				adv == VM_ADVISE_POPULATE_WRITE;
		struct vmregion *r;
		vaddr_t cend;

		lock(&vs->lock);
		r = vmtree_first_ending_after(&vs->tree, at);
		if (!r || r->start >= end) {
			unlock(&vs->lock);
			return -ENOMEM; /* nothing more is mapped */
		}
		if (r->start > at) {
			hole = -ENOMEM; /* done after the rest, as Linux */
			at = r->start;
		}
		cend = MIN(end, r->start + r->size);
		ret = -EINVAL;
		if ((adv == VM_ADVISE_ANON_ONLY || adv == VM_ADVISE_FREE) &&
		    !region_anon(r))
			goto out_err;
		if (adv == VM_ADVISE_COLLAPSE &&
		    (ret = collapse_locked(vs, r, at, cend)))
			goto out_err;
		ret = -EINVAL;
		if (adv == VM_ADVISE_POPULATE_READ && !(r->perm & VM_READ))
			goto out_err;
		if (adv == VM_ADVISE_POPULATE_WRITE && !(r->perm & VM_WRITE))
			goto out_err;
		if (adv == VM_ADVISE_REMOVE) {
			/* madvise_remove: a file (shmem) to punch, written */
			if (region_anon(r))
				goto out_err;
			ret = -EACCES;
			if (!region_shmem(r))
				goto out_err;
			ret = -EOPNOTSUPP;
			if (!pmo_ours_locked(vs, r, own, &cache))
				goto out_err;
		}
		if (adv == VM_ADVISE_DONTNEED || adv == VM_ADVISE_FREE ||
		    adv == VM_ADVISE_REMOVE)
			cend = dontneed_chunk_locked(vs, r, at, cend, own,
						     adv == VM_ADVISE_REMOVE,
						     &cache);
		unlock(&vs->lock);
		if (populate) {
			u32 access = adv == VM_ADVISE_POPULATE_WRITE
					     ? FAULT_WRITE
					     : 0;

			cend = MIN(cend, at + POPULATE_PAGES * PAGE_SIZE);
			for (; at < cend; at += PAGE_SIZE) {
				ret = vmspace_fault(vs, at, access);
				if (ret)
					return ret;
			}
		}
		at = cend;
		if (at < end && (ret = sched_preempt_point()) < 0)
			return ret;
	}
	return hole;
out_err:
	unlock(&vs->lock);
	return ret;
}
