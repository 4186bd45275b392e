/*
 * An address space: a page-table root and its regions, each mapping a
 * window of a PMO with one set of permissions, indexed by a balanced tree
 * (mm/vmtree.h: finds in O(log n)) and linked in address order (walks
 * from one region to the next in O(1)), as Linux kept its VMAs in an
 * rbtree and a list. Neighbours that could be one region are one (see
 * vmspace.c, "Merging"). Page tables are filled lazily by
 * vmspace_fault(); the regions are the truth.
 *
 * Locking: vs->lock guards the regions (tree and list) and the page table.
 */
#ifndef KERNEL_MM_VMSPACE_H
#define KERNEL_MM_VMSPACE_H

#include <lib/list.h>
#include <lib/lock.h>
#include <mm/vmtree.h>
#include <object/object.h>
#include <sched/waitq.h>

struct budget;
struct connection;
struct pmo;
struct vm_tie;

/*
 * What a tied region tells its tie (System V shm, syscall/linux/shm.c,
 * whose nattch counts regions as Linux's counts VMAs): `open` when a
 * split makes one more region of it, `close` when one goes (unmapped,
 * or its address space torn down). `owner` is the number the region
 * was mapped with (the attaching pid). Both may run under vs->lock:
 * they must not block nor touch the vmspace.
 */
struct vm_tie_ops {
	void (*open)(struct vm_tie *t, u32 owner);
	void (*close)(struct vm_tie *t, u32 owner);
};
struct vm_tie {
	const struct vm_tie_ops *ops;
};

struct vmregion {
	struct list_head node; /* in vs->regions, in address order */
	struct vmtree_node tn; /* in vs->tree */
	vaddr_t start;
	size_t size;
	u32 perm; /* VM_READ | VM_WRITE | VM_EXEC */
	/*
	 * What vmspace_protect may raise perm to: the rights of the cap
	 * the region was mapped through (VM_WRITE always for a private
	 * region); everything for the kernel's own mappings.
	 */
	u32 maxperm;
	struct pmo *pmo; /* holds a reference */
	size_t pmo_off;	 /* page-aligned byte offset into the pmo */
	/*
	 * The pager serving absent pages of a PMO_PAGED (mm/pager.c), with
	 * a reference, or NULL; key goes back to it with each fault.
	 */
	struct connection *pager;
	u64 key;
	/*
	 * VM_MAP_COW: an anonymous PMO as large as pmo, indexed as pmo is,
	 * holding the pages this region has written (referenced; shared by
	 * the parts of a split region, reachable by nothing else). A page it
	 * lacks is pmo's, mapped read-only. NULL: a shared region.
	 */
	struct pmo *priv;
	/* Its tie (vmspace_map_tied) or NULL, and the owner it was given. */
	struct vm_tie *tie;
	u32 tie_owner;
	/*
	 * Mapped by vmspace_map_region (SYS_pmo_map), whose mappings are
	 * named by their start (SYS_pmo_unmap): never merged with another.
	 */
	bool named;
};

/*
 * A range whose regions a preemptible unmap has cut while its PTEs are
 * still being dropped (it lives on that thread's kernel stack). Until it
 * goes, the range is reserved: no map may enter it (stale PTEs would show
 * a new mapping the old pages), and another unmap of it waits.
 */
struct vm_clearing {
	struct list_head node; /* in vs->clearing */
	vaddr_t start, end;
};

struct vmspace {
	struct object obj;
	struct spinlock lock;
	paddr_t pt_root;
	struct list_head regions; /* sorted by start, never overlapping */
	struct vmtree tree;	  /* the same regions, indexed */
	/*
	 * The region vmspace_find_locked found last (a fault's next page is
	 * mostly in it), or the one the teardown unmaps next, or NULL; always
	 * a linked region: unlinking clears it. Look-ups of an address in it
	 * need no descent.
	 */
	struct vmregion *hint;
	/*
	 * The region above the hole vmspace_find_free found last (the map
	 * that follows goes in without a descent), or NULL; always a linked
	 * region: unlinking clears it.
	 */
	struct vmregion *free_above;
	size_t nregions;
	struct list_head clearing; /* struct vm_clearing, under lock */
	struct waitq clear_wait;   /* threads waiting for one to go */
	/* The owner's budget (a reference): charged for this struct, the
	 * page tables and the regions; NULL: nobody's. */
	struct budget *budget;
};

/*
 * Linux's vm.max_map_count (DEFAULT_MAX_MAP_COUNT). As in Linux 6.1 a
 * map is refused (-ENOMEM) once there are more regions than this
 * (do_mmap: map_count > max), a split once there are this many
 * (split_vma, munmap's: map_count >= max); an unmap or mprotect that
 * needs no split never fails for it.
 */
#define VMSPACE_MAX_REGIONS 65530

/* Fault access bits for vmspace_fault(). */
#define FAULT_WRITE (1u << 0)
#define FAULT_EXEC (1u << 1)

/* An empty address space charged to b (NULL: nobody): 0 or -ENOMEM. */
int vmspace_create(struct budget *b, struct vmspace **out);
void vmspace_destroy(void *obj);

/*
 * Maps [start, start+size) to the pmo from byte pmo_off. start, size and
 * pmo_off must be page-aligned, the range inside user space and inside
 * the pmo. -EINVAL for bad arguments, -EEXIST if it overlaps a region or
 * a range still being unmapped (see vmspace_wait_clear), -ENOMEM.
 */
int vmspace_map(struct vmspace *vs, vaddr_t start, size_t size, u32 perm,
		struct pmo *pmo, size_t pmo_off);
/*
 * After vmspace_map's -EEXIST, for a caller that may block and then
 * start its call again: waits while a preemptible unmap is still
 * clearing part of the range. 1 if it waited (retry), 0 if nothing was
 * being cleared (the -EEXIST stands), -EINTR if the thread was killed.
 */
int vmspace_wait_clear(struct vmspace *vs, vaddr_t start, size_t size);
/*
 * MAP_FIXED: replaces whatever is mapped in the range by the pmo, as one
 * step for the process's other threads (none can map into the range
 * half way), preemptibly like vmspace_unmap_preemptible. Errors as
 * vmspace_map's, except -EEXIST; -EINTR if killed before anything changed.
 */
int vmspace_map_replace(struct vmspace *vs, vaddr_t start, size_t size,
			u32 perm, struct pmo *pmo, size_t pmo_off);
/*
 * Removes every mapping inside the range, splitting regions. 0; -EINVAL
 * for a bad range; -ENOMEM only when the range lies strictly inside one
 * region, which must then be split (past VMSPACE_MAX_REGIONS, or no
 * memory). Unmapping whole regions or their ends cannot fail.
 */
int vmspace_unmap(struct vmspace *vs, vaddr_t start, size_t size);
/*
 * The same for a system call on its own behalf, with no lock held and
 * nothing half done around it: the regions go first, then the page
 * tables are cleared and the frames of PMOs that nobody else holds are
 * freed with preemption points in between (a process's other threads
 * already see the range unmapped, and cannot map into it until its PTEs
 * are gone: struct vm_clearing). Waits first if another unmap is still
 * clearing part of the range (-EINTR if killed then, nothing done);
 * once started it finishes even if the thread is killed meanwhile.
 */
int vmspace_unmap_preemptible(struct vmspace *vs, vaddr_t start, size_t size);
/*
 * Every region unmapped, as vmspace_unmap_preemptible of each in turn
 * (lowest first, never looking below one done): a process's teardown.
 * Its page tables are walked only where regions are (the PTEs never lie
 * elsewhere), not across the whole user half, which cost a dying
 * process of two pages 83,000 instructions (docs/process.md, Figures).
 */
void vmspace_unmap_all_preemptible(struct vmspace *vs);
/*
 * Changes permissions over the range; all of it must be mapped (-ENOMEM),
 * and perm must be within every region's maxperm (-EACCES, as Linux's
 * mprotect of a file mapping opened without the right; nothing changes).
 * The old PTEs are dropped after the regions change, with preemption
 * points; until the call returns other threads may still use them.
 */
int vmspace_protect(struct vmspace *vs, vaddr_t start, size_t size, u32 perm);
/* A free, page-aligned range of `size` at or above hint; 0 if none. */
vaddr_t vmspace_find_free(struct vmspace *vs, vaddr_t hint, size_t size);
/*
 * Where a mapping of `size` bytes goes when the caller only hints (Linux
 * mmap without MAP_FIXED): at the hint rounded down to a page (a hint
 * below `min` moved up to `min`) if that range is free and inside user
 * space; otherwise the first free range at or above `base`, then at or
 * above `min`. 0 if none.
 */
vaddr_t vmspace_place(struct vmspace *vs, vaddr_t hint, size_t size,
		      vaddr_t base, vaddr_t min);
/*
 * How much of [start, end) is mapped without a hole from start on: 0 if
 * start itself is unmapped, end - start if all of it is mapped.
 */
size_t vmspace_mapped_run(struct vmspace *vs, vaddr_t start, vaddr_t end);
/* The end of the highest region lying wholly below `limit`, or 0. */
vaddr_t vmspace_end_below(struct vmspace *vs, vaddr_t limit);
/* The region containing va, or NULL; caller holds vs->lock. */
struct vmregion *vmspace_find_locked(struct vmspace *vs, vaddr_t va);
/* True if all of [va, va+len) is mapped with at least `perm`. */
bool vmspace_range_ok(struct vmspace *vs, vaddr_t va, size_t len, u32 perm);
/*
 * Resolves a fault: 0 when mapped now; -EFAULT when no region allows the
 * access; -ENOMEM when the frame or a page table cannot be had (no free
 * frame, or the PMO's or the vmspace's budget is spent).
 */
int vmspace_fault(struct vmspace *vs, vaddr_t va, u32 access);

/* What a fault on an absent page of a PMO_PAGED needs from its pager. */
struct vm_pager_req {
	struct connection *pager; /* referenced; NULL: the region has none */
	struct pmo *pmo;	  /* referenced: the page's PMO */
	u64 key;		  /* the region's */
	size_t offset;		  /* the page, bytes into pmo */
};
#define VM_FAULT_PAGER 1
/*
 * vmspace_fault() for a caller that can ask a pager: also
 * VM_FAULT_PAGER, with *req filled (release it with vm_pager_req_put)
 * when the page is an absent page of a PMO_PAGED.
 */
int vmspace_fault_paged(struct vmspace *vs, vaddr_t va, u32 access,
			struct vm_pager_req *req);
void vm_pager_req_put(struct vm_pager_req *req);
/*
 * Maps [start, start+size) to the pmo from byte pmo_off with a pager
 * (a connection, referenced by the region; may be NULL) and key, and
 * with VM_MAP_COW in flags privately (a copy-on-write region). maxperm
 * (VM_*, a superset of perm) is what vmspace_protect may later give it:
 * the rights the mapper's cap carried (a private region may always
 * become writable). Errors as vmspace_map's; -EINVAL for unknown flags.
 * The region never merges with a neighbour (SYS_pmo_unmap names it by
 * its start); its split parts stay apart too.
 */
int vmspace_map_region(struct vmspace *vs, vaddr_t start, size_t size, u32 perm,
		       struct pmo *pmo, size_t pmo_off,
		       struct connection *pager, u64 key, u32 flags,
		       u32 maxperm);

/*
 * Maps [start, start+size) to the whole of pmo (no COW, no pager), tied
 * to t: the region (and each part a split makes) is t's until it goes
 * (t's close). The caller has counted this first region itself; on
 * failure nothing is t's. With `replace`, what is in the range is
 * unmapped first (as vmspace_map_replace); without, -EEXIST if the
 * range is not free. maxperm as vmspace_map_region's. Errors as
 * vmspace_map's.
 */
int vmspace_map_tied(struct vmspace *vs, vaddr_t start, u32 perm, u32 maxperm,
		     struct pmo *pmo, struct vm_tie *t, u32 owner,
		     bool replace);
/*
 * shmdt(2)'s search: the first region ending above `from` that lies
 * at or above `addr` as far as its offset into its PMO (an attachment
 * made at addr, or what is left of one whose head was unmapped) and is
 * tied with `ops`; with *t set, only one of that tie ending at or below
 * addr + limit. true and its range in *start, *size (and its tie in *t);
 * With whole, the size of the first one's PMO goes there. false if none.
 */
bool vmspace_find_tied(struct vmspace *vs, vaddr_t addr, vaddr_t from,
		       size_t limit, const struct vm_tie_ops *ops,
		       struct vm_tie **t, vaddr_t *start, size_t *size,
		       size_t *whole);
/* Does any region lie (partly) in [start, end)? */
bool vmspace_overlaps(struct vmspace *vs, vaddr_t start, vaddr_t end);

#endif
