/*
 * Anonymous memory for Linux programs: brk, mmap, munmap, mprotect. Each
 * mmap gets its own PMO (as large as the mapping, frames on touch); the
 * heap is one PMO of USER_BRK_MAX, made at its first growth, each growth
 * mapping its next window, each shrink giving back its frames. Arguments are
 * checked in the order Linux 6.1 checks them (mm/mmap.c, mm/mprotect.c), so the
 * same bad call gets the same errno; user/tests/linux_abi_mm.c holds the table.
 */
#include <mm/vmspace.h>
#include <object/cap_group.h>
#include <object/pmo.h>
#include <object/process.h>
#include <object/thread.h>
#include <sched/sched.h>
#include <syscall/linux/linux.h>
#include <uapi/ferry/errno.h>

#define PROT_READ 1
#define PROT_WRITE 2
#define PROT_EXEC 4
#define PROT_SEM 8 /* accepted and meaningless on x86 */
#define PROT_GROWSDOWN 0x01000000
#define PROT_GROWSUP 0x02000000
#define MAP_SHARED 0x01
#define MAP_PRIVATE 0x02
#define MAP_TYPE 0x0f
#define MAP_FIXED 0x10
#define MAP_ANONYMOUS 0x20
#define MAP_FIXED_NOREPLACE 0x100000
/* Debian's vm.mmap_min_addr: hints below it are moved up to it. */
#define MMAP_MIN_ADDR 0x10000ul

static u32 prot_to_perm(u64 prot)
{
	u32 perm = 0;

	/* x86 cannot map write- or exec-only: both imply read. */
	if (prot & (PROT_READ | PROT_WRITE | PROT_EXEC))
		perm |= VM_READ;
	if (prot & PROT_WRITE)
		perm |= VM_WRITE;
	if (prot & PROT_EXEC)
		perm |= VM_EXEC;
	return perm;
}

static struct vmspace *cur_vs(void)
{
	return current->group->vmspace;
}

/* The console's fds (io.c): a real file, but one that cannot be mapped. */
static bool is_console_fd(u64 fd)
{
	return (u32)fd <= 2;
}

/* Any mapping the address space can hold fits in one PMO. */
_Static_assert(PMO_MAX_SIZE >= USER_TOP, "a PMO spans the user half");

/*
 * mmap(2). Ferry differences: file mappings are -ENODEV (console) or
 * -EBADF (no other fds yet); MAP_FIXED over page 0 is -EPERM, Linux's
 * answer to a process without CAP_SYS_RAWIO. The rest follows do_mmap():
 * a mapping may be as large as a free range of the address space (a
 * PROT_NONE reservation of terabytes costs a PMO and a region, no frames
 * and no page tables), -ENOMEM past TASK_SIZE or when no range is free.
 */
long linux_mmap(u64 addr, u64 len, u64 prot, u64 flags, u64 fd, u64 off)
{
	struct vmspace *vs = cur_vs();
	u64 hint = addr, size;
	struct pmo *p;
	long ret;

	if (off % PAGE_SIZE)
		return -EINVAL;
	if (!(flags & MAP_ANONYMOUS))
		return is_console_fd(fd) ? -ENODEV : -EBADF;
	if (len == 0)
		return -EINVAL;
	if (flags & MAP_FIXED_NOREPLACE)
		flags |= MAP_FIXED;
	if (len > USER_TOP)
		return -ENOMEM;
	size = ALIGN_UP(len, PAGE_SIZE);
	if (flags & MAP_FIXED) {
		/* get_unmapped_area(): the range first, then alignment. */
		if (addr > USER_TOP - size)
			return -ENOMEM;
		if (addr % PAGE_SIZE)
			return -EINVAL;
		if (addr < PAGE_SIZE)
			return -EPERM;
	}
	if ((flags & MAP_TYPE) != MAP_SHARED &&
	    (flags & MAP_TYPE) != MAP_PRIVATE)
		return -EINVAL;
	ret = pmo_create(size, PMO_ANONYMOUS, current->group->budget, &p);
	if (ret)
		return ret;
	/* Shared anonymous memory is Linux's shmem (madvise keeps it). */
	p->lx_kind =
		(flags & MAP_TYPE) == MAP_SHARED ? PMO_LX_SHMEM : PMO_LX_ANON;
	for (;;) {
		int w;

		if (!(flags & MAP_FIXED)) {
			addr = vmspace_place(vs, hint, size,
					     current->group->lx.mmap_base,
					     MMAP_MIN_ADDR);
			if (!addr) {
				ret = -ENOMEM;
				break;
			}
		}
		/*
		 * MAP_FIXED replaces what is there, preemptibly (the unmap
		 * can fail: -ENOMEM); the others map into a free range.
		 */
		if ((flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) == MAP_FIXED)
			ret = vmspace_map_replace(vs, addr, size,
						  prot_to_perm(prot), p, 0);
		else
			ret = vmspace_map(vs, addr, size, prot_to_perm(prot), p,
					  0);
		if (ret != -EEXIST)
			break;
		/*
		 * Another thread's munmap is still clearing part of the
		 * range: wait for it and start again, as Linux's mmap_lock
		 * would have made this call wait.
		 */
		w = vmspace_wait_clear(vs, addr, size);
		if (w <= 0) {
			ret = w ? w : -EEXIST;
			break;
		}
	}
	obj_put(p);
	return ret ? ret : (long)addr;
}

/* munmap(2): nothing mapped is no error; do_vmi_munmap()'s checks. */
long linux_munmap(u64 addr, u64 len)
{
	u64 size;

	if (addr % PAGE_SIZE || addr > USER_TOP || len > USER_TOP - addr)
		return -EINVAL;
	size = ALIGN_UP(len, PAGE_SIZE);
	if (size == 0)
		return -EINVAL;
	if (addr < PAGE_SIZE) { /* page 0 is never mapped on Ferry */
		addr += PAGE_SIZE;
		size -= PAGE_SIZE;
		if (size == 0)
			return 0;
	}
	return vmspace_unmap_preemptible(cur_vs(), addr, size);
}

/*
 * mprotect(2), as do_mprotect_pkey(): -ENOMEM when a page of the range is
 * unmapped; the mapped run before the first hole is changed all the same.
 */
long linux_mprotect(u64 addr, u64 len, u64 prot)
{
	u64 grows = prot & (PROT_GROWSDOWN | PROT_GROWSUP);
	u64 size, end;
	size_t run;
	long ret;

	if (grows == (PROT_GROWSDOWN | PROT_GROWSUP))
		return -EINVAL;
	if (addr % PAGE_SIZE)
		return -EINVAL;
	if (len == 0)
		return 0;
	size = ALIGN_UP(len, PAGE_SIZE);
	end = addr + size;
	if (size == 0 || end <= addr)
		return -ENOMEM;
	if (prot & ~(u64)(PROT_READ | PROT_WRITE | PROT_EXEC | PROT_SEM |
			  PROT_GROWSDOWN | PROT_GROWSUP))
		return -EINVAL;
	run = addr < USER_TOP
		      ? vmspace_mapped_run(cur_vs(), addr, MIN(end, USER_TOP))
		      : 0;
	if (run == 0)
		return -ENOMEM;
	if (grows) /* no mapping grows on Ferry (no VM_GROWSDOWN stacks) */
		return -EINVAL;
	ret = vmspace_protect(cur_vs(), addr, run, prot_to_perm(prot));
	if (ret)
		return ret;
	return run < size ? -ENOMEM : 0;
}

/*
 * brk(2): the new break, or the old one when it cannot move (musl detects
 * failure that way). Below the start or above brk_max it cannot, nor over
 * a mapping or into the page just below one (Linux's guard gap).
 *
 * The heap is one PMO (lp->brk_pmo, USER_BRK_MAX bytes, from the start
 * rounded up to a page), made at the first growth: page `base + off` is
 * always its byte off, so a growth maps the next window of it right after
 * the last (vmspace merges the two into one region), and a shrink unmaps
 * the tail and then frees that window's frames (pmo_decommit): the heap
 * grown again reads zeros, as on Linux, and costs nothing meanwhile.
 *
 * Two threads may call it at once, and a shrink is preemptible: as
 * Linux's brk holds the mmap lock, a shrink holds brk_busy while it
 * unmaps and decommits, and any other brk waits for it to end (then
 * works from the break it left; a killed waiter returns the break as it
 * is). A shrink puts the break back if its unmap fails; a grow that meets
 * a range another thread's munmap is still clearing waits and starts
 * again.
 */
long linux_brk(u64 addr)
{
	struct linux_proc *lp = &current->group->lx;

	/*
	 * A process a loader built in user space (SYS_proc_create) has no
	 * break yet: it starts right after the program, the highest mapping
	 * below the mmap area (its loader mapped only the segments there),
	 * where the kernel's loader put it and Linux does.
	 */
	if (!lp->brk_max) {
		u64 end = vmspace_end_below(cur_vs(), USER_MMAP_BASE);

		lp->brk_start = lp->brk_cur = end;
		lp->brk_max = end + USER_BRK_MAX;
	}
	for (;;) {
		u64 base, old_end, new_end, old;
		long ret;

		while (lp->brk_busy)
			if (sched_block(&lp->brk_wait) < 0)
				return (long)lp->brk_cur;
		base = ALIGN_UP(lp->brk_start, PAGE_SIZE);
		old_end = ALIGN_UP(lp->brk_cur, PAGE_SIZE);
		new_end = ALIGN_UP(addr, PAGE_SIZE);
		old = lp->brk_cur;

		if (addr < lp->brk_start || addr > lp->brk_max)
			return (long)lp->brk_cur;
		if (new_end < old_end) {
			lp->brk_busy = true;
			lp->brk_cur = addr;
			ret = vmspace_unmap_preemptible(cur_vs(), new_end,
							old_end - new_end);
			if (!ret && lp->brk_pmo)
				(void)pmo_decommit(lp->brk_pmo, new_end - base,
						   old_end - new_end);
			if (ret)
				lp->brk_cur = old;
			lp->brk_busy = false;
			waitq_wake_all(&lp->brk_wait, 0);
			return (long)lp->brk_cur;
		}
		if (new_end > old_end) {
			/* As Linux, keep a free page before the next mapping.
			 */
			if (vmspace_mapped_run(cur_vs(), new_end,
					       new_end + PAGE_SIZE))
				return (long)lp->brk_cur;
			if (!lp->brk_pmo &&
			    pmo_create(USER_BRK_MAX, PMO_ANONYMOUS,
				       current->group->budget, &lp->brk_pmo))
				return (long)lp->brk_cur;
			lp->brk_pmo->lx_kind = PMO_LX_ANON; /* private anon */
			ret = vmspace_map(cur_vs(), old_end, new_end - old_end,
					  VM_READ | VM_WRITE, lp->brk_pmo,
					  old_end - base);
			if (ret == -EEXIST &&
			    vmspace_wait_clear(cur_vs(), old_end,
					       new_end - old_end) == 1)
				continue;
			if (ret)
				return (long)lp->brk_cur;
		}
		lp->brk_cur = addr;
		return (long)addr;
	}
}
