/* Memory budgets: charging and uncharging (budget.h). */
#include <lib/printk.h>
#include <lib/string.h>
#include <mm/budget.h>
#include <mm/frame.h>
#include <mm/kmalloc.h>
#include <uapi/ferry/errno.h>

/* Past this many pages a limit in bytes would overflow u64. */
#define BUDGET_MAX_PAGES ((u64)1 << 40)

struct budget *budget_new(size_t limit_pages)
{
	struct budget *b;

	if (limit_pages == 0 || limit_pages > BUDGET_MAX_PAGES)
		return NULL;
	b = kzalloc(sizeof(*b));
	if (!b)
		return NULL;
	b->refcount = 1;
	b->limit = (u64)limit_pages * PAGE_SIZE;
	return b;
}

void budget_get(struct budget *b)
{
	if (b)
		__atomic_add_fetch(&b->refcount, 1, __ATOMIC_RELAXED);
}

void budget_put(struct budget *b)
{
	if (b && __atomic_sub_fetch(&b->refcount, 1, __ATOMIC_ACQ_REL) == 0) {
		/* Everything charged holds a reference: all came back. */
		BUG_ON(b->used != 0);
		kfree(b);
	}
}

int budget_charge(struct budget *b, size_t bytes)
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
	} while (!__atomic_compare_exchange_n(&b->used, &used, used + bytes,
					      true, __ATOMIC_RELAXED,
					      __ATOMIC_RELAXED));
	return 0;
}

void budget_uncharge(struct budget *b, size_t bytes)
{
	if (b) {
		u64 old = __atomic_fetch_sub(&b->used, bytes, __ATOMIC_RELAXED);

		BUG_ON(old < bytes);
	}
}

void *budget_kmalloc(struct budget *b, size_t size)
{
	void *p;

	if (budget_charge(b, kmalloc_size(size)))
		return NULL;
	p = kmalloc(size);
	if (!p)
		budget_uncharge(b, kmalloc_size(size));
	return p;
}

void *budget_kzalloc(struct budget *b, size_t size)
{
	void *p = budget_kmalloc(b, size);

	if (p)
		memset(p, 0, size);
	return p;
}

void budget_kfree(struct budget *b, void *p, size_t size)
{
	if (p) {
		kfree(p);
		budget_uncharge(b, kmalloc_size(size));
	}
}

paddr_t budget_frame_alloc_zeroed(struct budget *b)
{
	paddr_t pa;

	if (budget_charge(b, PAGE_SIZE))
		return 0;
	pa = frame_alloc_zeroed();
	if (!pa)
		budget_uncharge(b, PAGE_SIZE);
	return pa;
}

void budget_frame_free(struct budget *b, paddr_t pa)
{
	frame_free(pa);
	budget_uncharge(b, PAGE_SIZE);
}

void budget_read(struct budget *b, size_t *used_pages, size_t *limit_pages)
{
	u64 used = b ? __atomic_load_n(&b->used, __ATOMIC_RELAXED) : 0;
	u64 limit = b ? __atomic_load_n(&b->limit, __ATOMIC_RELAXED) : 0;

	*used_pages = (used + PAGE_SIZE - 1) / PAGE_SIZE;
	*limit_pages = limit / PAGE_SIZE;
}

int budget_set_limit(struct budget *b, size_t pages, size_t caller_limit_pages)
{
	u64 want = (u64)pages * PAGE_SIZE, used;

	if (pages == 0 || pages > BUDGET_MAX_PAGES)
		return -EINVAL;
	if (pages > caller_limit_pages)
		return -EPERM;
	/* Raise, or lower only to a value no racing charge has passed. */
	used = __atomic_load_n(&b->used, __ATOMIC_RELAXED);
	for (;;) {
		u64 old = __atomic_load_n(&b->limit, __ATOMIC_RELAXED);

		if (want < used)
			return -EBUSY;
		if (__atomic_compare_exchange_n(&b->limit, &old, want, false,
						__ATOMIC_RELAXED,
						__ATOMIC_RELAXED)) {
			/* A charge between our read and the swap saw old. */
			if (__atomic_load_n(&b->used, __ATOMIC_RELAXED) <= want)
				return 0;
			/* Put back what we replaced, and decide again. */
			__atomic_compare_exchange_n(&b->limit, &want, old,
						    false, __ATOMIC_RELAXED,
						    __ATOMIC_RELAXED);
			used = __atomic_load_n(&b->used, __ATOMIC_RELAXED);
		}
	}
}
