/*
 * Advice on a range of an address space (madvise(2), served for Linux
 * programs by syscall/linux/madvise.c): the walk over the regions with
 * Linux 6.1's rules for holes, and what each kind of advice does to a
 * region's pages. Uses vmspace's lock and index; changes no region.
 */
#ifndef KERNEL_MM_VM_ADVISE_H
#define KERNEL_MM_VM_ADVISE_H

#include <lib/types.h>

struct pmo;
struct vmspace;

enum vm_advice {
	VM_ADVISE_HINT,		  /* nothing to do: only holes are errors */
	VM_ADVISE_ANON_ONLY,	  /* the same, -EINVAL on non-anonymous */
	VM_ADVISE_DONTNEED,	  /* the pages go (see vm_advise.c) */
	VM_ADVISE_FREE,		  /* the same, -EINVAL on non-anonymous */
	VM_ADVISE_REMOVE,	  /* shmem's pages freed: they read zeros */
	VM_ADVISE_COLLAPSE,	  /* Linux's answer; nothing done */
	VM_ADVISE_POPULATE_READ,  /* fault every page in for reading */
	VM_ADVISE_POPULATE_WRITE, /* ... for writing */
};

/*
 * Applies `adv` to [start, end) (page-aligned, start < end), region by
 * region from the lowest, as Linux 6.1's madvise_walk_vmas: 0; -ENOMEM
 * when part of the range is unmapped (after the mapped parts were done,
 * or at once when nothing is mapped at or above start before end);
 * -EINVAL when a region does not take the advice (non-anonymous memory
 * for ANON_ONLY/FREE; where Linux could not collapse for COLLAPSE,
 * see vm_advise.c; no read or write right for POPULATE_*; anonymous
 * memory for REMOVE), -EACCES (REMOVE on anything but shmem) or
 * -EOPNOTSUPP (REMOVE on shmem another process may map: Ferry cannot
 * punch it), stopping there with the regions below it done; -ENOMEM/-EFAULT
 * when a populate fault fails (no memory or budget; a region no fault can
 * fill); -EINTR if the thread was killed. `own` is a PMO the caller holds one
 * reference to on this address space's behalf (the heap's), or NULL.
 * Takes vs->lock a chunk at a time with preemption points between.
 */
int vmspace_advise(struct vmspace *vs, vaddr_t start, vaddr_t end,
		   enum vm_advice adv, struct pmo *own);

/* How many times a PMO's regions were counted, for the tests. */
extern u64 vm_advise_walks;

#endif
