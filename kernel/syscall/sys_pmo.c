/* PMO syscalls: create, map into a process, copy in and out. */
#include <mm/kmalloc.h>
#include <mm/uaccess.h>
#include <mm/vmspace.h>
#include <object/cap_group.h>
#include <object/pmo.h>
#include <object/thread.h>
#include <sched/sched.h>
#include <syscall/native.h>
#include <uapi/ferry/errno.h>

/*
 * A new PMO of `size` bytes (rounded up to pages) of `type` (PMO_*).
 * -EINVAL, -ENOMEM.
 */
long sys_pmo_create(u64 size, u64 type)
{
	struct pmo *p;
	long ret;

	if (type > PMO_PAGED)
		return -EINVAL;
	ret = pmo_create(size, (int)type, current->group->budget, &p);
	if (ret)
		return ret;
	ret = cap_alloc(current->group, p, CAP_RIGHT_ALL);
	obj_put(p);
	return ret;
}

/* The VM_* rights a PMO cap's rights allow (a region's maxperm). */
static u32 perm_for_rights(u32 rights)
{
	return ((rights & CAP_RIGHT_READ) ? VM_READ : 0) |
	       ((rights & CAP_RIGHT_WRITE) ? VM_WRITE : 0) |
	       ((rights & CAP_RIGHT_EXEC) ? VM_EXEC : 0);
}

static u32 rights_for_perm(u64 perm)
{
	u32 r = CAP_RIGHT_MAP;

	if (perm & VM_READ)
		r |= CAP_RIGHT_READ;
	if (perm & VM_WRITE)
		r |= CAP_RIGHT_WRITE;
	if (perm & VM_EXEC)
		r |= CAP_RIGHT_EXEC;
	return r;
}

/*
 * Maps the whole PMO at page-aligned `addr` in the process group_cap
 * (CONTROL) with perm (VM_*, needs the matching rights and MAP on the
 * PMO; mprotect may later raise it only to that cap's rights). -ECAPBILITY,
 * -EINVAL (alignment, range, perm), -EEXIST (overlap, also with a range another
 * thread's unmap is still clearing), -ESRCH (process has exited), -ENOMEM.
 */
long sys_pmo_map(u64 group_cap, u64 pmo_cap, u64 addr, u64 perm)
{
	struct cap_group *g;
	struct pmo *p;
	u32 have;
	long ret;

	if (perm == 0 || (perm & ~(u64)(VM_READ | VM_WRITE | VM_EXEC)))
		return -EINVAL;
	ret = get_controlled_group(group_cap, &g);
	if (ret)
		return ret;
	ret = cap_get_rights(current->group, cap_arg(pmo_cap), OBJ_TYPE_PMO,
			     rights_for_perm(perm), (void **)&p, &have);
	if (ret)
		goto out_group;
	struct vmspace *vs = cap_group_vmspace(g);
	ret = vs ? vmspace_map_region(vs, addr, p->size, (u32)perm, p, 0, NULL,
				      0, 0, perm_for_rights(have))
		 : -ESRCH;
	obj_put(vs);
	obj_put(p);
out_group:
	obj_put(g);
	return ret;
}

/*
 * Maps a window of a PMO, *a (struct vm_map_args): [pmo_off, pmo_off +
 * size) of a.pmo at a.addr in the process group_cap (CONTROL), with
 * a.perm (VM_*, needing the matching rights and MAP on the PMO; a
 * VM_MAP_COW region needs no WRITE: its writes go to its own copies,
 * as Linux's MAP_PRIVATE; mprotect may raise a region only to its cap's
 * rights, plus WRITE for a private one), served by the pager a.pager (a
 * connection with CALL, or -1) with a.key for absent pages of a PMO_PAGED.
 * -EFAULT (a unreadable), -ECAPBILITY (a cap, a right), -EINVAL
 * (alignment, range past user space or the PMO, size 0, perm 0 or
 * unknown bits, unknown flags), -EEXIST, -ESRCH, -ENOMEM as
 * SYS_pmo_map.
 */
long sys_pmo_map_region(u64 group_cap, const struct vm_map_args __user *ua)
{
	struct vm_map_args a;
	struct connection *pager = NULL;
	struct cap_group *g;
	struct vmspace *vs;
	struct pmo *p;
	u32 need, have;
	long ret;

	if (copy_from_user(&a, ua, sizeof(a)))
		return -EFAULT;
	if (a.perm == 0 || (a.perm & ~(u32)(VM_READ | VM_WRITE | VM_EXEC)))
		return -EINVAL;
	ret = get_controlled_group(group_cap, &g);
	if (ret)
		return ret;
	need = rights_for_perm((a.flags & VM_MAP_COW) ? a.perm & ~VM_WRITE
						      : a.perm);
	ret = cap_get_rights(current->group, cap_arg(a.pmo), OBJ_TYPE_PMO, need,
			     (void **)&p, &have);
	if (ret)
		goto out_group;
	if (a.pager != -1) {
		ret = cap_get(current->group, cap_arg(a.pager),
			      OBJ_TYPE_CONNECTION, CAP_RIGHT_CALL,
			      (void **)&pager);
		if (ret)
			goto out_pmo;
	}
	vs = cap_group_vmspace(g);
	ret = vs ? vmspace_map_region(vs, a.addr, a.size, a.perm, p, a.pmo_off,
				      pager, a.key, a.flags,
				      perm_for_rights(have))
		 : -ESRCH;
	obj_put(vs);
	if (pager)
		obj_put(pager);
out_pmo:
	obj_put(p);
out_group:
	obj_put(g);
	return ret;
}

/* Unmaps the region that starts at addr. -EINVAL if none starts there. */
long sys_pmo_unmap(u64 group_cap, u64 addr)
{
	struct cap_group *g;
	struct vmspace *vs;
	struct vmregion *r;
	size_t size = 0;
	long ret;

	ret = get_controlled_group(group_cap, &g);
	if (ret)
		return ret;
	vs = cap_group_vmspace(g);
	ret = -ESRCH;
	if (!vs)
		goto out_group;
	lock(&vs->lock);
	r = vmspace_find_locked(vs, addr);
	if (r && r->start == addr)
		size = r->size;
	unlock(&vs->lock);
	ret = size ? vmspace_unmap_preemptible(vs, addr, size) : -EINVAL;
	obj_put(vs);
out_group:
	obj_put(g);
	return ret;
}

#define BOUNCE 4096

static long pmo_copy_user(u64 pmo_cap, u64 off, void __user *buf, u64 len,
			  bool write)
{
	struct pmo *p;
	char *tmp;
	long ret;

	ret = cap_get(current->group, cap_arg(pmo_cap), OBJ_TYPE_PMO,
		      write ? CAP_RIGHT_WRITE : CAP_RIGHT_READ, (void **)&p);
	if (ret)
		return ret;
	ret = -EINVAL;
	if (off > p->size || len > p->size - off)
		goto out_put;
	ret = -EFAULT;
	if (!user_range_ok(buf, len))
		goto out_put;
	ret = -ENOMEM;
	tmp = kmalloc(BOUNCE);
	if (!tmp)
		goto out_put;
	ret = 0;
	for (u64 done = 0; done < len && !ret;) {
		size_t n = MIN(len - done, BOUNCE);
		char __user *u = (char __user *)buf + done;

		if (write) {
			ret = copy_from_user(tmp, u, n);
			if (!ret)
				ret = pmo_write(p, off + done, tmp, n);
		} else {
			ret = pmo_read(p, off + done, tmp, n);
			if (!ret)
				ret = copy_to_user(u, tmp, n);
		}
		done += n;
		if (!ret && done < len)
			ret = sched_preempt_point();
	}
	kfree(tmp);
out_put:
	obj_put(p);
	return ret;
}

/*
 * Copies len bytes from the user buffer into the PMO at off (WRITE).
 * 0, -ECAPBILITY, -EINVAL (range), -EFAULT, -ENOMEM; a preemption point
 * per page, -EINTR if killed part way (the part done stays done).
 */
long sys_pmo_write(u64 pmo_cap, u64 off, const void __user *buf, u64 len)
{
	return pmo_copy_user(pmo_cap, off, (void __user *)buf, len, true);
}

/* Copies len bytes of the PMO at off into the user buffer (READ); as above. */
long sys_pmo_read(u64 pmo_cap, u64 off, void __user *buf, u64 len)
{
	return pmo_copy_user(pmo_cap, off, buf, len, false);
}
