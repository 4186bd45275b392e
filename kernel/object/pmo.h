/*
 * Physical memory objects: a run of pages that can be mapped into any
 * number of vmspaces. Anonymous PMOs get zeroed frames on first touch;
 * data PMOs have all of theirs from creation; paged PMOs get theirs only
 * from whoever writes them (their pager, mm/pager.c). Frames are found
 * through a two-level radix (a directory of up to 512 leaves of up to 512
 * frame addresses each, both sized to the PMO), so a PMO is at most
 * PMO_MAX_SIZE.
 *
 * Locking: pmo->lock guards the radix.
 */
#ifndef KERNEL_OBJECT_PMO_H
#define KERNEL_OBJECT_PMO_H

#include <lib/lock.h>
#include <object/object.h>

struct budget;

#define PMO_RADIX 512
#define PMO_MAX_PAGES ((size_t)PMO_RADIX * PMO_RADIX)
#define PMO_MAX_SIZE (PMO_MAX_PAGES * PAGE_SIZE) /* 1 GiB */

struct pmo {
	struct object obj;
	struct spinlock lock;
	size_t size;   /* bytes, page-aligned */
	int type;      /* PMO_ANONYMOUS, PMO_DATA or PMO_PAGED */
	paddr_t **dir; /* PMO_RADIX leaf pointers, allocated lazily */
	/* Its creator's budget (a reference), charged for the struct, the
	 * radix and every frame until they are freed; NULL: nobody's. */
	struct budget *budget;
};

/*
 * 0 and a new pmo (ref 1) in *out, charged to `budget` (its creator's;
 * NULL for nobody) now and for every frame it commits later; -EINVAL bad
 * size/type, -ENOMEM (a data PMO larger than the free frames or the
 * budget's room fails at once), -EINTR if the
 * caller was killed while a data PMO's frames were being zeroed (it has
 * preemption points).
 */
int pmo_create(size_t size, int type, struct budget *budget, struct pmo **out);
void pmo_destroy(void *obj);
/*
 * Gives every page of p its frame now (charged to p's budget), with a
 * preemption point every 16 pages: 0; -ENOMEM (the budget or the free
 * frames cannot hold all that is missing: checked first, so nothing is
 * taken unless another allocation races with it; what was taken stays
 * with p); -EINTR if the caller was killed meanwhile.
 */
int pmo_commit(struct pmo *p);
/*
 * The frame backing page `index`; allocates a zeroed one when `alloc`,
 * charged to the PMO's budget. 0 and *pa, -EINVAL past the end, -ENOENT
 * absent, -ENOMEM (no frame, or the budget is spent).
 */
int pmo_get_page(struct pmo *p, size_t index, bool alloc, paddr_t *pa);
/*
 * The same, allocating: an absent page gets a new frame holding a copy of
 * frame `from` (a copy-on-write fault's), not zeroed first; a present one
 * is returned as it is. 0 and *pa, -EINVAL past the end, -ENOMEM.
 */
int pmo_get_page_copy(struct pmo *p, size_t index, paddr_t from, paddr_t *pa);
/*
 * Frees every frame of a PMO that only the caller can reach (it holds
 * the one reference and the PMO is in no region), with a preemption
 * point every 256 frames; the PMO stays valid and reads as zeros.
 */
void pmo_drain(struct pmo *p);
/* Below this size freeing at once is shorter than a drain pass (bytes). */
#define PMO_DRAIN_MIN (256 * PAGE_SIZE)
/*
 * Copies between kernel memory and the PMO's contents; writing commits
 * frames. Reading an absent page of a PMO_PAGED gives zeros and commits
 * nothing. 0, -EINVAL (range), -ENOMEM.
 */
int pmo_write(struct pmo *p, size_t off, const void *src, size_t len);
int pmo_read(struct pmo *p, size_t off, void *dst, size_t len);
/* Frames the PMO holds now (for tests). */
size_t pmo_resident_pages(struct pmo *p);

#endif
