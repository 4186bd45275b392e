/*
 * Physical memory objects: a run of pages that can be mapped into any
 * number of vmspaces. Anonymous PMOs get zeroed frames on first touch;
 * data PMOs have all of theirs from creation; paged PMOs get theirs only
 * from whoever writes them (their pager, mm/pager.c). Frames are found
 * through a radix of 1 to 4 levels of up to 512 slots (9 bits of the page
 * index each), as deep as the size needs: a PMO may be as large as the
 * user address space (PMO_MAX_SIZE, 128 TiB), and every node is
 * allocated on first use and sized to the part of the PMO below it, so
 * a terabyte PMO_ANONYMOUS costs only its struct until touched, and
 * walks (destroy, drain, decommit) visit only the nodes present.
 *
 * Locking: pmo->lock guards the radix.
 */
#ifndef KERNEL_OBJECT_PMO_H
#define KERNEL_OBJECT_PMO_H

#include <lib/lock.h>
#include <object/object.h>

struct budget;

#define PMO_RADIX_SHIFT 9
#define PMO_RADIX (1ul << PMO_RADIX_SHIFT) /* slots per node */
#define PMO_MAX_LEVELS 4		   /* 36 bits of page index */
/* The whole user half (USER_TOP rounded up): any Linux mapping fits. */
#define PMO_MAX_SIZE (1ul << 47) /* 128 TiB */
#define PMO_MAX_PAGES (PMO_MAX_SIZE / PAGE_SIZE)

/* struct pmo's lx_kind. */
#define PMO_LX_ANON 1
#define PMO_LX_SHMEM 2

struct pmo {
	struct object obj;
	struct spinlock lock;
	size_t size; /* bytes, page-aligned */
	int type;    /* PMO_ANONYMOUS, PMO_DATA or PMO_PAGED */
	int levels;  /* of the radix, 1..PMO_MAX_LEVELS, from the size */
	/*
	 * The top node, NULL until the first page. A node of level l (0:
	 * leaves, holding frame addresses; above: node pointers) covering
	 * pages from `base` has min(512, ceil((pages - base) / 512^l))
	 * slots; an absent slot is a page or subtree never touched.
	 */
	u64 *root;
	/* Its creator's budget (a reference), charged for the struct, the
	 * radix and every frame until they are freed; NULL: nobody's. */
	struct budget *budget;
	/*
	 * What Linux would call this memory, for madvise (mm/vm_advise.c):
	 * PMO_LX_ANON private anonymous (mmap MAP_PRIVATE|MAP_ANONYMOUS, the
	 * heap), whose pages advice may discard (they read zeros after);
	 * PMO_LX_SHMEM shmem (MAP_SHARED|MAP_ANONYMOUS, SysV shm), whose
	 * data stays but MADV_REMOVE may punch; 0 anything else (ELF
	 * segments, Ferry's own PMOs): the data stays. Set by its creator.
	 */
	u8 lx_kind;
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
 * Frees every frame and radix node of a PMO that only the caller can
 * reach (it holds the one reference and the PMO is in no region): the
 * decommit of all of it, with a preemption point every 256 steps; the
 * PMO stays valid and reads as zeros.
 */
void pmo_drain(struct pmo *p);
/*
 * Frees the frames of the pages in [off, off + len) (bytes, page-aligned)
 * and the radix nodes that only they used: those pages read as zeros
 * again and are charged to nobody. The caller makes sure no page table
 * maps any of them (it unmapped the range first, and nothing can map it
 * again meanwhile: brk(2)'s shrink). Takes p->lock a chunk at a time
 * with preemption points between, so the caller holds no lock; once
 * started it finishes even if the thread is killed. 0, or -EINVAL for a
 * range outside p or not page-aligned (nothing freed).
 */
int pmo_decommit(struct pmo *p, size_t off, size_t len);
/*
 * One bounded piece of pmo_decommit for a caller holding a spinlock: at
 * most `steps` steps (a frame freed, a radix slot looked at, an absent
 * subtree skipped; PMO-sized ranges of absent pages cost a few), never
 * preempting. madvise(2) frees pages in the same vs->lock hold as it
 * drops their PTEs, so no fault can map a page in between (mm/vm_advise.c).
 * Returns the byte offset reached: off + len when done; past off unless
 * the range is empty or bad (off returned, nothing freed).
 */
size_t pmo_decommit_some(struct pmo *p, size_t off, size_t len, size_t steps);
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
