/* Capability syscalls. */
#include <ipc/death_watch.h>
#include <object/cap_group.h>
#include <object/pmo.h>
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

/*
 * Empties a slot. -ECAPBILITY if it was empty or out of range. The last
 * reference to a PMO frees its frames here: with preemption points
 * (pmo_drain), or a big one would hold the CPU for tens of ms.
 */
long sys_cap_delete(u64 cap)
{
	void *obj;
	long ret = cap_take(current->group, cap_arg(cap), &obj);

	if (ret)
		return ret;
	/*
	 * Only we hold it: nobody can take a new reference meanwhile. A
	 * small PMO is freed at once (a drain pass would cost more).
	 */
	if (obj_type(obj) == OBJ_TYPE_PMO && obj_refcount(obj) == 1 &&
	    ((struct pmo *)obj)->size > PMO_DRAIN_MIN)
		pmo_drain(obj);
	cap_put(obj);
	return 0;
}

long get_controlled_group(u64 group_cap, struct cap_group **g)
{
	return cap_get(current->group, cap_arg(group_cap), OBJ_TYPE_CAP_GROUP,
		       CAP_RIGHT_CONTROL, (void **)g);
}

/* Copies `cap` between us and a process we control, either way. */
static long copy_with(u64 group_cap, u64 cap, u64 mask, bool to_other, int slot)
{
	struct cap_group *other;
	long ret = get_controlled_group(group_cap, &other);

	if (ret)
		return ret;
	if (to_other)
		ret = cap_copy_at(current->group, cap_arg(cap), other,
				  (u32)mask, slot);
	else
		ret = cap_copy(other, cap_arg(cap), current->group, (u32)mask);
	obj_put(other);
	return ret;
}

/*
 * Gives another process (CONTROL on group_cap) a copy of `cap` (which
 * needs GRANT) with rights & mask, in its slot `slot`: -1 for the lowest
 * free one, else exactly that one (how a creator lays out a process's
 * initial capabilities before it starts). Returns the slot in that
 * process. -EINVAL slot not -1 nor in [0, CAP_TABLE_MAX), -EEXIST that
 * slot is taken, -ECAPBILITY, -ENOMEM (its table is full), -ESRCH (it
 * has exited).
 */
long sys_cap_transfer(u64 group_cap, u64 cap, u64 mask, u64 slot)
{
	if ((s64)slot != -1 && slot >= CAP_TABLE_MAX)
		return -EINVAL;
	return copy_with(group_cap, cap, mask, true, (int)slot);
}

/*
 * Takes a copy of `cap` (which needs GRANT) from a process we control
 * (CONTROL on group_cap), with rights & mask. Returns our new slot.
 * -ECAPBILITY (also once it has exited: its table is gone), -ENOMEM.
 */
long sys_cap_fetch(u64 group_cap, u64 cap, u64 mask)
{
	return copy_with(group_cap, cap, mask, false, -1);
}

/*
 * Whether the process obj (in self's table) is about has begun to exit
 * or has exited (death_watch_target says which process that is).
 */
static bool cap_obj_dead(struct cap_group *self, void *obj)
{
	struct cap_group *p;
	bool dead;

	if (death_watch_target(self, obj, &p))
		return false; /* no process behind it, or none yet */
	if (!p)
		return true; /* a client that has gone */
	lock(&p->lock);
	dead = p->exiting || p->dead;
	unlock(&p->lock);
	obj_put(p);
	return dead;
}

/*
 * The object type and rights of a slot: type | rights << 8, with
 * CAP_INFO_DEAD (uapi/ferry/cap.h) when the process behind a process,
 * thread or connection cap has begun to exit. -ECAPBILITY.
 */
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
	if (cap_obj_dead(g, obj))
		ret |= CAP_INFO_DEAD;
	if (obj_type(obj) == OBJ_TYPE_PMO)
		ret |= (long)((struct pmo *)obj)->type << CAP_INFO_PMO_SHIFT;
	obj_put(obj);
	return ret;
}

/*
 * Whether slots a and b of the caller's table hold the same kernel
 * object, whatever their rights: 1 or 0; -ECAPBILITY if either is
 * empty or out of range. Needs no right: it reveals nothing the holder
 * could not learn by using both (a name server compares a token it
 * minted with one a client shows it, as Zircon compares koids).
 */
long sys_cap_same(u64 a, u64 b)
{
	struct cap_group *g = current->group;
	void *oa, *ob;
	long ret;

	ret = cap_get(g, cap_arg(a), OBJ_TYPE_NONE, 0, &oa);
	if (ret)
		return ret;
	ret = cap_get(g, cap_arg(b), OBJ_TYPE_NONE, 0, &ob);
	if (ret)
		goto out_a;
	ret = oa == ob;
	obj_put(ob);
out_a:
	obj_put(oa);
	return ret;
}
