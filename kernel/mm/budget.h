/*
 * Memory budgets: how much memory a process may have, and how much it
 * has. A budget is a limit and a usage, kept in bytes so that kmalloc'd
 * objects (charged at their size class) and frames (PAGE_SIZE each) add
 * up exactly and usage returns to its old value on every free. They are
 * read and set in pages (4 KiB frames), rounded up.
 *
 * A budget is a limit, not a reservation (Linux's memory.max, not a
 * pool): the sum of all limits may exceed RAM; admission control is a
 * user-level policy. Budgets are independent: charging one never charges
 * its creator's.
 *
 * Whoever allocates on a process's behalf charges that process's budget
 * and keeps a reference to it beside what it allocated (a PMO, a
 * vmspace, a thread, a connection), so that the free uncharges the same
 * budget even after the process is gone: a PMO may outlive its creator.
 * The budget struct itself is charged to nobody (one per process).
 *
 * Concurrency: used and limit change by atomic operations only; a charge
 * never lets used pass limit, whatever races with it.
 */
#ifndef KERNEL_MM_BUDGET_H
#define KERNEL_MM_BUDGET_H

#include <lib/types.h>
#include <mm/frame.h>
#include <uapi/ferry/errno.h>

struct budget {
	u32 refcount; /* atomic */
	u64 used;     /* bytes charged, atomic */
	u64 limit;    /* bytes, a multiple of PAGE_SIZE, atomic */
};

/* A new budget with a limit of `limit_pages` and nothing used; NULL. */
struct budget *budget_new(size_t limit_pages);
void budget_release(struct budget *b);

/*
 * References; NULL is allowed for both (memory charged to nobody).
 * Inline: every object that charges a budget holds one.
 */
static inline void budget_get(struct budget *b)
{
	if (b)
		__atomic_add_fetch(&b->refcount, 1, __ATOMIC_RELAXED);
}

static inline void budget_put(struct budget *b)
{
	if (b && __atomic_sub_fetch(&b->refcount, 1, __ATOMIC_ACQ_REL) == 0)
		budget_release(b);
}

/*
 * Charges `bytes` to b: 0, or -ENOMEM when that would pass the limit
 * (nothing charged then). A NULL budget takes any charge. Inline: it is
 * on the fault, thread and IPC registration paths.
 */
static inline int budget_charge(struct budget *b, size_t bytes)
{
	u64 used;

	if (!b)
		return 0;
	used = __atomic_load_n(&b->used, __ATOMIC_RELAXED);
	do {
		if (unlikely(bytes >
			     __atomic_load_n(&b->limit, __ATOMIC_RELAXED) -
				     used))
			return -ENOMEM;
	} while (unlikely(!__atomic_compare_exchange_n(
		&b->used, &used, used + bytes, true, __ATOMIC_RELAXED,
		__ATOMIC_RELAXED)));
	return 0;
}

/* Gives back what a budget_charge(b, bytes) took. */
static inline void budget_uncharge(struct budget *b, size_t bytes)
{
	if (b)
		__atomic_fetch_sub(&b->used, bytes, __ATOMIC_RELAXED);
}

/* kmalloc/kzalloc of `size` charged to b (kmalloc_size(size) bytes). */
void *budget_kmalloc(struct budget *b, size_t size);
void *budget_kzalloc(struct budget *b, size_t size);
/* Frees what budget_k*alloc(b, size) gave: the same b and size. */
void budget_kfree(struct budget *b, void *p, size_t size);
/*
 * One zeroed frame charged to b: 0 over the limit or out of frames.
 * Inline: it is the demand-fault path's.
 */
static inline paddr_t budget_frame_alloc_zeroed(struct budget *b)
{
	paddr_t pa;

	if (budget_charge(b, PAGE_SIZE))
		return 0;
	pa = frame_alloc_zeroed();
	if (unlikely(!pa))
		budget_uncharge(b, PAGE_SIZE);
	return pa;
}
void budget_frame_free(struct budget *b, paddr_t pa);

/* Usage and limit in pages (usage rounded up); zeros for NULL. */
void budget_read(struct budget *b, size_t *used_pages, size_t *limit_pages);
/*
 * Sets b's limit to `pages` for a caller whose own limit is
 * `caller_limit_pages`: 0; -EINVAL for 0 (or more pages than fit),
 * -EPERM above the caller's limit, -EBUSY below what b uses now (a
 * limit is never left below usage: nothing would be reclaimed, unlike
 * cgroup v2's memory.max).
 */
int budget_set_limit(struct budget *b, size_t pages, size_t caller_limit_pages);

#endif
