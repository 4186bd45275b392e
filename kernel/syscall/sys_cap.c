/* Capability syscalls. */
#include <object/cap_group.h>
#include <object/thread.h>
#include <sched/sched.h>
#include <syscall/native.h>
#include <uapi/ferry/errno.h>

/*
 * Copies a capability (it needs GRANT) within the caller's table with
 * rights & mask. Returns the new slot; -ECAPBILITY, -ENOMEM (table full).
 */
long sys_cap_copy(u64 cap, u64 mask)
{
	struct cap_group *g = current->group;

	return cap_copy(g, cap_arg(cap), g, (u32)mask);
}

/* Empties a slot. -ECAPBILITY if it was empty or out of range. */
long sys_cap_delete(u64 cap)
{
	return cap_remove(current->group, cap_arg(cap));
}

/*
 * Gives another process (CONTROL on group_cap) a copy of `cap` (which
 * needs GRANT) with rights & mask. Returns the slot in that process.
 */
long sys_cap_transfer(u64 group_cap, u64 cap, u64 mask)
{
	struct cap_group *dst;
	long ret;

	ret = cap_get(current->group, cap_arg(group_cap), OBJ_TYPE_CAP_GROUP,
		      CAP_RIGHT_CONTROL, (void **)&dst);
	if (ret)
		return ret;
	ret = cap_copy(current->group, cap_arg(cap), dst, (u32)mask);
	obj_put(dst);
	return ret;
}

/*
 * Takes a copy of `cap` (which needs GRANT) from a process we control
 * (CONTROL on group_cap), with rights & mask. Returns our new slot.
 * -ECAPBILITY, -ENOMEM, -ESRCH (it has exited).
 */
long sys_cap_fetch(u64 group_cap, u64 cap, u64 mask)
{
	struct cap_group *src;
	long ret;

	ret = cap_get(current->group, cap_arg(group_cap), OBJ_TYPE_CAP_GROUP,
		      CAP_RIGHT_CONTROL, (void **)&src);
	if (ret)
		return ret;
	ret = cap_copy(src, cap_arg(cap), current->group, (u32)mask);
	obj_put(src);
	return ret;
}

/* The object type and rights of a slot: type | rights << 8. */
long sys_cap_info(u64 cap)
{
	struct cap_group *g = current->group;
	void *obj;
	long ret;
	int slot = cap_arg(cap);

	ret = cap_get(g, slot, OBJ_TYPE_NONE, 0, &obj);
	if (ret)
		return ret;
	lock(&g->lock);
	ret = obj_type(obj) | ((long)g->slots[slot].rights << 8);
	unlock(&g->lock);
	obj_put(obj);
	return ret;
}
