/* Processes: capability tables and exit. */
#include <arch/arch.h>
#include <ipc/connection.h>
#include <ipc/death_watch.h>
#include <lib/printk.h>
#include <lib/string.h>
#include <mm/budget.h>
#include <mm/frame.h>
#include <mm/kmalloc.h>
#include <mm/vmspace.h>
#include <object/cap_group.h>
#include <object/pmo.h>
#include <object/task_id.h>
#include <object/thread.h>
#include <sched/sched.h>
#include <syscall/linux/forward.h>
#include <uapi/ferry/errno.h>

#define CAP_TABLE_INITIAL 16

/* The summary is one word: one bit per word of the map. */
_Static_assert(CAP_TABLE_MAX % 64 == 0 && CAP_TABLE_MAX / 64 <= 64,
	       "cap_group.free_map is CAP_TABLE_MAX bits, free_words 64");

static u64 next_badge = 1;

/* Slot i is free (empty and below nslots). O(1). */
static inline void slot_freed_locked(struct cap_group *g, u32 i)
{
	g->free_map[i / 64] |= 1ull << (i % 64);
	g->free_words |= 1ull << (i / 64);
}

/* Slot i is taken. O(1). */
static inline void slot_taken_locked(struct cap_group *g, u32 i)
{
	u32 w = i / 64;

	g->free_map[w] &= ~(1ull << (i % 64));
	if (!g->free_map[w])
		g->free_words &= ~(1ull << w);
}

/*
 * The lowest free slot, or -1 when every one below nslots is taken:
 * the first word with a free bit, then its first free bit. Lowest, not
 * just any: slot numbers stay small and predictable (fy_cap_transfer's
 * "lowest free one", a Linux fd table's rule).
 */
static inline int lowest_free_locked(struct cap_group *g)
{
	u32 w;

	if (!g->free_words)
		return -1;
	w = (u32)__builtin_ctzll(g->free_words);
	return (int)(w * 64 + (u32)__builtin_ctzll(g->free_map[w]));
}

/*
 * A new process's budget: its creator's limit (the caller of the syscall
 * making it, whichever call that is), or all of RAM for the first
 * process, which the kernel makes itself.
 */
static struct budget *inherited_budget(void)
{
	size_t used, limit = frame_total_count();

	if (current && current->group && current->group->budget)
		budget_read(current->group->budget, &used, &limit);
	return budget_new(limit);
}

int cap_group_create(const char *name, struct cap_group **out)
{
	struct budget *b = inherited_budget();
	struct cap_group *g;
	int ret;

	/* The process's own struct, table and vmspace are charged to it. */
	if (!b || budget_charge(b, kmalloc_size(sizeof(*g)))) {
		budget_put(b);
		return -ENOMEM;
	}
	g = obj_alloc(OBJ_TYPE_CAP_GROUP, sizeof(*g));
	if (!g) {
		budget_uncharge(b, kmalloc_size(sizeof(*g)));
		budget_put(b);
		return -ENOMEM;
	}
	g->budget = b;
	lock_init(&g->lock);
	list_init(&g->threads);
	waitq_init(&g->exit_wait);
	waitq_init(&g->lx.brk_wait);
	list_init(&g->ipc_conns);
	list_init(&g->death_watchers);
	list_init(&g->death_watching);
	strlcpy(g->name, name, sizeof(g->name));
	g->started = true; /* SYS_proc_create clears it once made */
	g->pid = task_id_alloc();
	if (!g->pid) {
		ret = -EAGAIN;
		goto out_put;
	}
	/* Pids come back; badges must not, or a server mistakes a client. */
	g->badge =
		(__atomic_fetch_add(&next_badge, 1, __ATOMIC_RELAXED) << 16) |
		0xfe77;
	g->slots = budget_kzalloc(g->budget,
				  CAP_TABLE_INITIAL * sizeof(struct cap_slot));
	if (!g->slots) {
		ret = -ENOMEM;
		goto out_put;
	}
	g->nslots = CAP_TABLE_INITIAL;
	for (u32 i = 0; i < CAP_TABLE_INITIAL; i++)
		slot_freed_locked(g, i);
	ret = vmspace_create(g->budget, &g->vmspace);
	if (ret)
		goto out_put;
	/* Slot 0 refers to the group itself: teardown breaks the cycle. */
	if (cap_alloc(g, g, CAP_RIGHT_ALL) != CAP_SELF_GROUP ||
	    cap_alloc(g, g->vmspace, CAP_RIGHT_ALL) != CAP_SELF_VMSPACE) {
		ret = -ENOMEM;
		goto out_teardown;
	}
	*out = g;
	return 0;
out_teardown:
	cap_group_teardown(g);
out_put:
	obj_put(g);
	return ret;
}

static void release(struct cap_group *g);

void cap_group_destroy(void *obj)
{
	struct cap_group *g = obj;

	/* Only a group whose creation failed half way gets here alive. */
	if (!g->dead)
		release(g);
	linux_proc_release(&g->lx, g->budget);
	task_id_free(g->pid);
	budget_uncharge(g->budget, kmalloc_size(sizeof(*g)));
	budget_put(g->budget);
}

static int grow_locked(struct cap_group *g)
{
	u32 n = g->nslots * 2;
	struct cap_slot *s;

	if (g->nslots >= CAP_TABLE_MAX)
		return -ENOMEM;
	if (n > CAP_TABLE_MAX)
		n = CAP_TABLE_MAX;
	s = budget_kzalloc(g->budget, n * sizeof(*s));
	if (!s)
		return -ENOMEM;
	memcpy(s, g->slots, g->nslots * sizeof(*s));
	budget_kfree(g->budget, g->slots, g->nslots * sizeof(*s));
	g->slots = s;
	for (u32 i = g->nslots; i < n; i++)
		slot_freed_locked(g, i);
	g->nslots = n;
	return 0;
}

/*
 * A slot of owner's table filled (+1) or emptied (-1) with obj: a
 * process held by a started table other than its own counts it
 * (cap_group.h, "Start").
 */
static inline void holders_add_locked(struct cap_group *owner, void *obj, int d)
{
	/* The type first: almost no slot holds a process. */
	if (unlikely(obj_type(obj) == OBJ_TYPE_CAP_GROUP) && obj != owner &&
	    owner->started)
		__atomic_add_fetch(&((struct cap_group *)obj)->holders, (u32)d,
				   __ATOMIC_RELAXED);
}

static void fill_locked(struct cap_group *g, u32 i, void *obj, u32 rights)
{
	obj_get(obj);
	g->slots[i].obj = obj;
	g->slots[i].rights = rights & CAP_RIGHT_ALL;
	slot_taken_locked(g, i);
	holders_add_locked(g, obj, 1);
}

/* Empties slot i (its reference is the caller's now). */
static void clear_locked(struct cap_group *g, u32 i)
{
	holders_add_locked(g, g->slots[i].obj, -1);
	g->slots[i].obj = NULL;
	g->slots[i].rights = 0;
	slot_freed_locked(g, i);
}

static int alloc_locked(struct cap_group *g, void *obj, u32 rights)
{
	int i;

	if (!g->slots || g->dead)
		return -ESRCH;
	i = lowest_free_locked(g);
	if (i < 0) {
		/* Full: the first new slot is the old capacity. */
		i = (int)g->nslots;
		if (grow_locked(g))
			return -ENOMEM;
	}
	fill_locked(g, (u32)i, obj, rights);
	return i;
}

int cap_alloc(struct cap_group *g, void *obj, u32 rights)
{
	int ret;

	lock(&g->lock);
	ret = alloc_locked(g, obj, rights);
	unlock(&g->lock);
	return ret;
}

int cap_alloc_at(struct cap_group *g, int cap, void *obj, u32 rights)
{
	int ret = cap;

	if (cap < 0 || cap >= CAP_TABLE_MAX)
		return -EINVAL;
	lock(&g->lock);
	if (!g->slots || g->dead)
		ret = -ESRCH;
	while (ret >= 0 && (u32)cap >= g->nslots)
		if (grow_locked(g))
			ret = -ENOMEM;
	if (ret >= 0 && g->slots[cap].obj)
		ret = -EEXIST;
	if (ret >= 0)
		fill_locked(g, (u32)cap, obj, rights);
	unlock(&g->lock);
	return ret;
}

static struct cap_slot *slot_locked(struct cap_group *g, int cap)
{
	if (cap < 0 || !g->slots || (u32)cap >= g->nslots || !g->slots[cap].obj)
		return NULL;
	return &g->slots[cap];
}

/* cap_get's body; `have` (may be NULL) receives the slot's rights. */
static inline __attribute__((always_inline)) int
cap_lookup(struct cap_group *g, int cap, u32 type, u32 rights, void **out,
	   u32 *have)
{
	struct cap_slot *s;
	int ret = -ECAPBILITY;

	lock(&g->lock);
	s = slot_locked(g, cap);
	if (s && (type == OBJ_TYPE_NONE || obj_type(s->obj) == type) &&
	    (s->rights & rights) == rights) {
		obj_get(s->obj);
		*out = s->obj;
		if (have)
			*have = s->rights;
		ret = 0;
	}
	unlock(&g->lock);
	return ret;
}

int cap_get(struct cap_group *g, int cap, u32 type, u32 rights, void **out)
{
	return cap_lookup(g, cap, type, rights, out, NULL);
}

int cap_get_rights(struct cap_group *g, int cap, u32 type, u32 rights,
		   void **out, u32 *have)
{
	return cap_lookup(g, cap, type, rights, out, have);
}

void cap_put(void *obj)
{
	struct cap_group *g = obj;
	u32 type = obj ? obj_type(obj) : OBJ_TYPE_NONE;

	if (type == OBJ_TYPE_THREAD) {
		thread_drop_ref(obj); /* perhaps its last way in */
		return;
	}
	/* An unstarted process nobody started holds any more: it ends. */
	if (unlikely(type == OBJ_TYPE_CAP_GROUP) && !g->started &&
	    !__atomic_load_n(&g->holders, __ATOMIC_RELAXED))
		cap_group_unreachable(g);
	obj_put(obj);
}

int cap_take(struct cap_group *g, int cap, void **out)
{
	struct cap_slot *s;

	lock(&g->lock);
	s = slot_locked(g, cap);
	if (!s) {
		unlock(&g->lock);
		return -ECAPBILITY;
	}
	*out = s->obj;
	clear_locked(g, (u32)cap);
	unlock(&g->lock);
	return 0;
}

int cap_remove(struct cap_group *g, int cap)
{
	void *obj;
	int ret = cap_take(g, cap, &obj);

	if (!ret)
		cap_put(obj); /* may destroy: never under the lock */
	return ret;
}

void cap_remove_if(struct cap_group *g, int cap, void *obj)
{
	struct cap_slot *s;

	lock(&g->lock);
	s = slot_locked(g, cap);
	if (!s || s->obj != obj) {
		unlock(&g->lock);
		return;
	}
	clear_locked(g, (u32)cap);
	unlock(&g->lock);
	cap_put(obj);
}

/* One body for both, inlined into each: IPC's cap transfer copies. */
static inline __attribute__((always_inline)) int
copy_at(struct cap_group *src, int cap, struct cap_group *dst, u32 mask, int at)
{
	struct cap_slot *s;
	void *obj;
	u32 rights;
	int ret;

	lock(&src->lock);
	s = slot_locked(src, cap);
	if (!s || !(s->rights & CAP_RIGHT_GRANT)) {
		unlock(&src->lock);
		return -ECAPBILITY;
	}
	obj = s->obj;
	rights = s->rights & mask;
	obj_get(obj);
	unlock(&src->lock);
	ret = at < 0 ? cap_alloc(dst, obj, rights)
		     : cap_alloc_at(dst, at, obj, rights);
	obj_put(obj);
	return ret;
}

int cap_copy(struct cap_group *src, int cap, struct cap_group *dst, u32 mask)
{
	return copy_at(src, cap, dst, mask, -1);
}

int cap_copy_at(struct cap_group *src, int cap, struct cap_group *dst, u32 mask,
		int at)
{
	return copy_at(src, cap, dst, mask, at);
}

struct vmspace *cap_group_vmspace(struct cap_group *g)
{
	struct vmspace *vs;

	lock(&g->lock);
	vs = g->vmspace;
	if (vs)
		obj_get(vs);
	unlock(&g->lock);
	return vs;
}

/*
 * A thread of g with no kernel state to unwind: passive, waiting in IPC,
 * or ready at a clean point (preempted on its way back to user space).
 * Threads in the middle of a syscall run to their end instead, at their
 * killer's priority (thread_kill).
 */
static struct thread *next_to_retire(struct cap_group *g)
{
	struct thread *t, *found = NULL;

	lock(&g->lock);
	list_for_each(t, &g->threads, group_node)
	{
		if (t != current &&
		    (t->state == TS_INACTIVE || t->state == TS_IPC_WAIT ||
		     (t->state == TS_READY && t->clean_yield))) {
			found = t;
			break;
		}
	}
	unlock(&g->lock);
	return found;
}

void cap_group_exit(struct cap_group *g, int status)
{
	struct thread *t;
	bool empty;

	lock(&g->lock);
	if (g->exiting) {
		unlock(&g->lock);
		return;
	}
	g->exiting = true;
	g->exit_status = status;
	/*
	 * A started process with no thread is left for its holder to
	 * release (as ever); an unstarted one can gain none now, so it is
	 * torn down here.
	 */
	empty = !g->started && g->nthreads == 0;
	/* All are marked first: a retirement below may wake another one. */
	list_for_each(t, &g->threads, group_node)
	{
		if (t != current)
			thread_kill(t);
	}
	unlock(&g->lock);
	/*
	 * Threads that never run cannot die by themselves: retire them, one
	 * at a time, looking again each time, since retiring a handler
	 * wakes its caller (perhaps one of ours, which then dies running).
	 */
	while ((t = next_to_retire(g)))
		thread_retire_inactive(t);
	if (empty) {
		cap_group_shed_memory(g);
		cap_group_teardown(g);
	}
}

long cap_group_wait(struct cap_group *g)
{
	while (!g->released) {
		long r = sched_block(&g->exit_wait);

		if (r < 0)
			return r;
	}
	return g->exit_status;
}

static void release(struct cap_group *g)
{
	struct cap_slot *slots;
	struct vmspace *vs;
	u32 n;

	lock(&g->lock);
	slots = g->slots;
	n = g->nslots;
	for (u32 i = 0; i < n; i++)
		if (slots[i].obj)
			holders_add_locked(g, slots[i].obj, -1);
	vs = g->vmspace;
	g->slots = NULL;
	g->nslots = 0;
	g->free_words = 0;
	memset(g->free_map, 0, sizeof(g->free_map));
	g->vmspace = NULL;
	g->dead = true;
	unlock(&g->lock);

	/* Leave this address space before it can be freed. */
	if (vs && current && current->group == g)
		arch_pt_activate(arch_kernel_pt_root());
	ipc_client_teardown(g);
	fwd_proc_exit(g);      /* its console connection and claim */
	linux_mm_exit(&g->lx); /* its heap's PMO */
	/*
	 * Preemptible: an unstarted process only this table held is torn
	 * down here (cap_put), its memory shed with preemption points.
	 */
	for (u32 i = 0; i < n; i++)
		if (slots[i].obj)
			cap_put(slots[i].obj);
	budget_kfree(g->budget, slots, n * sizeof(*slots));
	obj_put(vs);
	/* Its watchers learn it with everything released; its watches go. */
	death_watch_released(g);
	/* Only now: a waiter sees everything it held released. */
	g->released = true;
	waitq_wake_all(&g->exit_wait, 0);
}

void cap_group_shed_memory(struct cap_group *g)
{
	struct vmspace *vs = cap_group_vmspace(g);

	if (vs) {
		vmspace_unmap_all_preemptible(vs);
		obj_put(vs);
	}
	for (u32 i = 0;; i++) {
		struct pmo *p = NULL;

		lock(&g->lock);
		if (i >= g->nslots) {
			unlock(&g->lock);
			break;
		}
		if (g->slots[i].obj &&
		    obj_type(g->slots[i].obj) == OBJ_TYPE_PMO &&
		    obj_refcount(g->slots[i].obj) == 1) {
			p = g->slots[i].obj; /* its reference is ours now */
			clear_locked(g, i);
		}
		unlock(&g->lock);
		if (p) {
			pmo_drain(p);
			obj_put(p);
		}
	}
}

void cap_group_teardown(struct cap_group *g)
{
	/* Slot 0 may hold the last reference to g: keep g until done. */
	obj_get(g);
	release(g);
	obj_put(g);
}
