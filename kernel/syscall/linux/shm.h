/*
 * System V shared memory for Linux programs (shmget, shmat, shmdt,
 * shmctl), served in the kernel over PMOs and vmspace regions
 * (docs/linux-abi.md, "System V shared memory").
 *
 * A segment (struct shm_seg, OBJ_TYPE_SHM) is one anonymous PMO and its
 * Linux bookkeeping. References: the id table holds one while the id is
 * valid, and every region tied to it (an attachment, or a part of one)
 * holds one. nattch counts those regions, as Linux's counts VMAs.
 *
 * Locking: shm_lock guards the table and every segment's fields. It is
 * taken inside vs->lock (a region's open/close can run under it) and
 * never the other way round: the shm code drops shm_lock before it maps
 * or unmaps. Under shm_lock only kmalloc, budgets and PMO creation run.
 */
#ifndef KERNEL_SYSCALL_LINUX_SHM_H
#define KERNEL_SYSCALL_LINUX_SHM_H

#include <lib/types.h>
#include <mm/vmspace.h>
#include <object/object.h>
#include <syscall/linux/shm_ids.h>

struct budget;
struct pmo;

struct shm_seg {
	struct object obj;
	struct vm_tie tie; /* what its regions are tied to */
	struct pmo *pmo;   /* its memory, referenced; size = pages * 4 KiB */
	int id;
	bool linked;		 /* the table holds it (and a reference) */
	u64 segsz;		 /* bytes asked for (shm_segsz) */
	struct shm_perm perm;	 /* mode has SHM_DEST, SHM_LOCKED bits too */
	s64 atime, dtime, ctime; /* seconds of the wall clock */
	u32 cpid, lpid;
	u64 nattch;
	struct budget *budget; /* its creator's, charged for this struct */
};

void shm_seg_destroy(void *obj);

#endif
