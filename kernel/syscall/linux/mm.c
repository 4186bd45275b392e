/*
 * Anonymous memory for Linux programs: brk, mmap, munmap, mprotect. Each
 * mmap gets its own PMO; the heap is one PMO (brk_max bytes, frames on
 * touch) whose pages are mapped as the break moves.
 */
#include <mm/vmspace.h>
#include <object/cap_group.h>
#include <object/pmo.h>
#include <object/thread.h>
#include <sched/sched.h>
#include <syscall/linux/linux.h>
#include <uapi/ferry/errno.h>

#define PROT_READ 1
#define PROT_WRITE 2
#define PROT_EXEC 4
#define MAP_SHARED 0x01
#define MAP_PRIVATE 0x02
#define MAP_FIXED 0x10
#define MAP_ANONYMOUS 0x20
#define MAP_FIXED_NOREPLACE 0x100000
#define MAP_FAILED_ERR(e) ((long)(e))

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

long linux_mmap(u64 addr, u64 len, u64 prot, u64 flags, u64 fd, u64 off)
{
	struct vmspace *vs = cur_vs();
	struct pmo *p;
	u64 size;
	long ret;

	(void)fd;
	if (!(flags & MAP_ANONYMOUS))
		return -ENODEV; /* file mappings come with the file server */
	if ((flags & (MAP_SHARED | MAP_PRIVATE)) == 0 || off != 0)
		return -EINVAL;
	if (prot & ~(u64)(PROT_READ | PROT_WRITE | PROT_EXEC))
		return -EINVAL;
	if (len == 0 || len > PMO_MAX_SIZE || !IS_ALIGNED(addr, PAGE_SIZE))
		return len > PMO_MAX_SIZE ? -ENOMEM : -EINVAL;
	size = ALIGN_UP(len, PAGE_SIZE);
	if (flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) {
		if (addr == 0 || addr >= USER_TOP || size > USER_TOP - addr)
			return -EINVAL;
		if (flags & MAP_FIXED)
			vmspace_unmap(vs, addr, size);
	} else {
		addr = vmspace_find_free(
			vs, addr ? addr : current->group->mmap_base, size);
		if (!addr)
			addr = vmspace_find_free(vs, current->group->mmap_base,
						 size);
		if (!addr)
			return -ENOMEM;
	}
	ret = pmo_create(size, PMO_ANONYMOUS, &p);
	if (ret)
		return ret;
	ret = vmspace_map(vs, addr, size, prot_to_perm(prot), p, 0);
	obj_put(p);
	return ret ? ret : (long)addr;
}

long linux_munmap(u64 addr, u64 len)
{
	if (!IS_ALIGNED(addr, PAGE_SIZE) || len == 0)
		return -EINVAL;
	len = ALIGN_UP(len, PAGE_SIZE);
	return vmspace_unmap_preemptible(cur_vs(), addr, len);
}

long linux_mprotect(u64 addr, u64 len, u64 prot)
{
	if (!IS_ALIGNED(addr, PAGE_SIZE) ||
	    (prot & ~(u64)(PROT_READ | PROT_WRITE | PROT_EXEC)))
		return -EINVAL;
	if (len == 0)
		return 0;
	return vmspace_protect(cur_vs(), addr, ALIGN_UP(len, PAGE_SIZE),
			       prot_to_perm(prot));
}

/*
 * Linux's brk returns the new break, or the old one when the request
 * cannot be met (musl detects failure that way).
 */
long linux_brk(u64 addr)
{
	struct cap_group *g = current->group;
	u64 old_end = ALIGN_UP(g->brk_cur, PAGE_SIZE);
	u64 new_end = ALIGN_UP(addr, PAGE_SIZE);
	struct pmo *p;

	if (addr < g->brk_start || addr > g->brk_max)
		return (long)g->brk_cur;
	if (new_end > old_end) {
		if (pmo_create(new_end - old_end, PMO_ANONYMOUS, &p))
			return (long)g->brk_cur;
		long ret = vmspace_map(cur_vs(), old_end, new_end - old_end,
				       VM_READ | VM_WRITE, p, 0);
		obj_put(p);
		if (ret)
			return (long)g->brk_cur;
	} else if (new_end < old_end) {
		vmspace_unmap_preemptible(cur_vs(), new_end, old_end - new_end);
	}
	g->brk_cur = addr;
	return (long)addr;
}
