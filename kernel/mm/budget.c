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

/* The last reference is gone (budget_put). */
void budget_release(struct budget *b)
{
	/* Everything charged holds a reference: all came back. */
	BUG_ON(b->used != 0);
	kfree(b);
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
	u64 want = (u64)pages * PAGE_SIZE;

	if (pages == 0 || pages > BUDGET_MAX_PAGES)
		return -EINVAL;
	if (pages > caller_limit_pages)
		return -EPERM;
	/* Raise, or lower only to a value no racing charge has passed. */
	for (;;) {
		u64 old = __atomic_load_n(&b->limit, __ATOMIC_RELAXED);
		u64 ours = want;

		if (want < __atomic_load_n(&b->used, __ATOMIC_RELAXED))
			return -EBUSY;
		if (!__atomic_compare_exchange_n(&b->limit, &old, want, false,
						 __ATOMIC_RELAXED,
						 __ATOMIC_RELAXED))
			continue; /* another set: decide again */
		/* A charge between our check and the swap saw old. */
		if (__atomic_load_n(&b->used, __ATOMIC_RELAXED) <= want)
			return 0;
		/* Put back what we replaced (unless changed since), again. */
		__atomic_compare_exchange_n(&b->limit, &ours, old, false,
					    __ATOMIC_RELAXED, __ATOMIC_RELAXED);
	}
}
