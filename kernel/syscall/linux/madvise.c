/*
 * madvise(2) for Linux programs, as Linux 6.1's do_madvise (mm/madvise.c):
 * the advice, then the address and length, then the walk over the
 * regions (mm/vm_advise.c), whose holes answer -ENOMEM after the mapped
 * parts are done. user/tests/linux_abi_madvise.c holds the table.
 *
 * Ferry keeps no per-mapping flags, so the advice that only sets one
 * (fork, core dump, KSM, huge pages, read-ahead) is checked as Linux
 * checks it and otherwise does nothing: there is no fork, no core dump,
 * no page merging, no huge page and no swap. That also means no region
 * is split for it, so where Linux would need a split past
 * vm.max_map_count (-EAGAIN) Ferry answers 0.
 */
#include <mm/vm_advise.h>
#include <object/cap_group.h>
#include <object/process.h>
#include <object/thread.h>
#include <sched/sched.h>
#include <syscall/linux/linux.h>
#include <uapi/ferry/errno.h>

/* Linux 6.1's advice (uapi/asm-generic/mman-common.h). */
#define MADV_NORMAL 0
#define MADV_RANDOM 1
#define MADV_SEQUENTIAL 2
#define MADV_WILLNEED 3
#define MADV_DONTNEED 4
#define MADV_FREE 8
#define MADV_REMOVE 9
#define MADV_DONTFORK 10
#define MADV_DOFORK 11
#define MADV_MERGEABLE 12
#define MADV_UNMERGEABLE 13
#define MADV_HUGEPAGE 14
#define MADV_NOHUGEPAGE 15
#define MADV_DONTDUMP 16
#define MADV_DODUMP 17
#define MADV_WIPEONFORK 18
#define MADV_KEEPONFORK 19
#define MADV_COLD 20
#define MADV_PAGEOUT 21
#define MADV_POPULATE_READ 22
#define MADV_POPULATE_WRITE 23
#define MADV_DONTNEED_LOCKED 24
#define MADV_COLLAPSE 25
#define MADV_HWPOISON 100
#define MADV_SOFT_OFFLINE 101

/*
 * What an advice does (madvise_behavior_valid's list, with Debian's
 * CONFIG_KSM, CONFIG_TRANSPARENT_HUGEPAGE, CONFIG_MEMORY_FAILURE); -1
 * for a number Linux does not take (-EINVAL).
 */
static int advice_kind(u64 advice)
{
	switch (advice) {
	case MADV_NORMAL:
	case MADV_RANDOM:
	case MADV_SEQUENTIAL:
	case MADV_WILLNEED: /* nothing to read ahead: all memory is RAM */
	case MADV_DONTFORK:
	case MADV_DOFORK: /* -EINVAL only on VM_IO, which Ferry has not */
	case MADV_MERGEABLE:
	case MADV_UNMERGEABLE:
	case MADV_HUGEPAGE:
	case MADV_NOHUGEPAGE:
	case MADV_DONTDUMP:
	case MADV_DODUMP: /* -EINVAL only on VM_SPECIAL mappings */
	case MADV_KEEPONFORK:
	case MADV_COLD:	   /* no LRU lists to move pages on */
	case MADV_PAGEOUT: /* no swap to page out to */
		return VM_ADVISE_HINT;
	case MADV_COLLAPSE: /* no huge pages: checked, then nothing */
		return VM_ADVISE_COLLAPSE;
	case MADV_WIPEONFORK:
		return VM_ADVISE_ANON_ONLY;
	case MADV_DONTNEED:
	case MADV_DONTNEED_LOCKED: /* no mlock: nothing is locked */
		return VM_ADVISE_DONTNEED;
	case MADV_FREE: /* freed at once, not lazily: Linux may do either */
		return VM_ADVISE_FREE;
	case MADV_REMOVE:
		return VM_ADVISE_REMOVE;
	case MADV_POPULATE_READ:
		return VM_ADVISE_POPULATE_READ;
	case MADV_POPULATE_WRITE:
		return VM_ADVISE_POPULATE_WRITE;
	case MADV_HWPOISON:
	case MADV_SOFT_OFFLINE:
		return VM_ADVISE_HINT; /* refused below, after the range */
	default:
		return -1;
	}
}

/*
 * madvise(2): 0; -EINVAL for an unknown advice, an unaligned addr, a
 * length that rounds up to 0 or whose end wraps (checked in that order;
 * a length of 0 is then 0), or a region not taking the advice
 * (vmspace_advise); -ENOMEM when part of the range is unmapped (after
 * the rest is done); -EACCES/-EOPNOTSUPP for MADV_REMOVE as
 * vmspace_advise says; -EPERM for MADV_HWPOISON and MADV_SOFT_OFFLINE,
 * Linux's answer without CAP_SYS_ADMIN (Ferry cannot poison or offline a
 * frame; Linux as root would).
 */
long linux_madvise(u64 addr, u64 len, u64 advice)
{
	int kind = advice_kind(advice);
	u64 size;

	if (kind < 0)
		return -EINVAL;
	if (addr % PAGE_SIZE)
		return -EINVAL;
	size = ALIGN_UP(len, PAGE_SIZE);
	if (len && !size) /* rounded up from a small negative to 0 */
		return -EINVAL;
	if (addr + size < addr)
		return -EINVAL;
	if (size == 0)
		return 0;
	if (advice == MADV_HWPOISON || advice == MADV_SOFT_OFFLINE)
		return -EPERM;
	return vmspace_advise(current->group->vmspace, addr, addr + size,
			      (enum vm_advice)kind, current->group->lx.brk_pmo);
}
