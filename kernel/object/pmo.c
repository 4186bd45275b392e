/* PMO storage: the radix of frames and copies in and out of it. */
#include <arch/arch.h>
#include <lib/printk.h>
#include <lib/string.h>
#include <mm/budget.h>
#include <mm/frame.h>
#include <mm/kmalloc.h>
#include <object/pmo.h>
#include <sched/sched.h>
#include <uapi/ferry/errno.h>

/* Pages allocated and zeroed between two preemption points (64 KiB). */
#define PMO_PREEMPT_PAGES 16

/*
 * Leaf slots of directory entry hi that can hold a page of p: a small
 * PMO's walk stays as short as the PMO (not 2 x 512 steps).
 */
static size_t pmo_leaf_slots(const struct pmo *p, size_t hi)
{
	size_t pages = p->size / PAGE_SIZE - hi * PMO_RADIX;

	return MIN(pages, (size_t)PMO_RADIX);
}

static size_t pmo_dir_slots(const struct pmo *p)
{
	return (p->size / PAGE_SIZE + PMO_RADIX - 1) / PMO_RADIX;
}

/*
 * The radix is sized to the PMO: a one-page PMO has a one-entry
 * directory and a one-entry leaf (16 bytes each), not two pages.
 */
static size_t pmo_dir_bytes(const struct pmo *p)
{
	return pmo_dir_slots(p) * sizeof(paddr_t *);
}

static size_t pmo_leaf_bytes(const struct pmo *p, size_t hi)
{
	return pmo_leaf_slots(p, hi) * sizeof(paddr_t);
}

/* Inlined into both callers: the demand-zero fault's is the hot one. */
static inline __attribute__((always_inline)) int
pmo_slot_locked(struct pmo *p, size_t index, bool alloc, paddr_t **slot)
{
	size_t hi = index / PMO_RADIX, lo = index % PMO_RADIX;

	if (!p->dir) {
		if (!alloc)
			return -ENOENT;
		p->dir = budget_kzalloc(p->budget, pmo_dir_bytes(p));
		if (!p->dir)
			return -ENOMEM;
	}
	if (!p->dir[hi]) {
		if (!alloc)
			return -ENOENT;
		p->dir[hi] = budget_kzalloc(p->budget, pmo_leaf_bytes(p, hi));
		if (!p->dir[hi])
			return -ENOMEM;
	}
	*slot = &p->dir[hi][lo];
	return 0;
}

/* A frame charged to b holding a copy of frame `from`, or 0. */
static paddr_t frame_alloc_copy(struct budget *b, paddr_t from)
{
	paddr_t pa;

	if (budget_charge(b, PAGE_SIZE))
		return 0;
	pa = frame_alloc(0);
	if (unlikely(!pa)) {
		budget_uncharge(b, PAGE_SIZE);
		return 0;
	}
	arch_copy_page(phys_to_virt(pa), phys_to_virt(from));
	return pa;
}

/*
 * The frame at index, made if absent and alloc: a copy of `from` when
 * copy, else zeroed. Inlined into both callers with constant flags, so
 * the demand-zero fault's path stays as short as it was alone.
 */
static __attribute__((always_inline)) inline int
get_page(struct pmo *p, size_t index, bool alloc, bool copy, paddr_t from,
	 paddr_t *pa)
{
	paddr_t *slot;
	int ret;

	if (unlikely(index >= p->size / PAGE_SIZE))
		return -EINVAL;
	lock(&p->lock);
	ret = pmo_slot_locked(p, index, alloc, &slot);
	if (ret)
		goto out_unlock;
	if (!*slot) {
		if (!alloc) {
			ret = -ENOENT;
			goto out_unlock;
		}
		*slot = copy ? frame_alloc_copy(p->budget, from)
			     : budget_frame_alloc_zeroed(p->budget);
		if (!*slot) {
			ret = -ENOMEM;
			goto out_unlock;
		}
	}
	*pa = *slot;
out_unlock:
	unlock(&p->lock);
	return ret;
}

int pmo_get_page(struct pmo *p, size_t index, bool alloc, paddr_t *pa)
{
	return get_page(p, index, alloc, false, 0, pa);
}

int pmo_get_page_copy(struct pmo *p, size_t index, paddr_t from, paddr_t *pa)
{
	return get_page(p, index, true, true, from, pa);
}

/*
 * What committing all of p would take now: frames (for frames and radix
 * arrays, rounded up) and bytes charged.
 */
static void pmo_commit_need(struct pmo *p, size_t *frames, size_t *bytes)
{
	size_t pages = 0, radix = 0;

	lock(&p->lock);
	if (!p->dir)
		radix += kmalloc_size(pmo_dir_bytes(p));
	for (size_t hi = 0; hi < pmo_dir_slots(p); hi++) {
		size_t leaves = pmo_leaf_slots(p, hi);

		if (!p->dir || !p->dir[hi]) {
			radix += kmalloc_size(pmo_leaf_bytes(p, hi));
			pages += leaves;
			continue;
		}
		for (size_t lo = 0; lo < leaves; lo++)
			pages += !p->dir[hi][lo];
	}
	unlock(&p->lock);
	*frames = pages + (radix + PAGE_SIZE - 1) / PAGE_SIZE;
	*bytes = pages * PAGE_SIZE + radix;
}

int pmo_commit(struct pmo *p)
{
	size_t frames, bytes, used, limit;

	/* Fail fast, and so (no other allocation racing) change nothing. */
	pmo_commit_need(p, &frames, &bytes);
	budget_read(p->budget, &used, &limit);
	if (frames > frame_free_count() ||
	    (p->budget && bytes > (limit - MIN(used, limit)) * PAGE_SIZE))
		return -ENOMEM;
	for (size_t i = 0; frames && i < p->size / PAGE_SIZE; i++) {
		paddr_t pa;
		int ret = pmo_get_page(p, i, true, &pa);

		if (!ret && (i + 1) % PMO_PREEMPT_PAGES == 0)
			ret = sched_preempt_point();
		if (ret)
			return ret == -EINTR ? ret : -ENOMEM;
	}
	return 0;
}

int pmo_create(size_t size, int type, struct budget *budget, struct pmo **out)
{
	size_t used, limit;
	struct pmo *p;

	if (size == 0 || size > PMO_MAX_SIZE)
		return -EINVAL;
	if (type != PMO_ANONYMOUS && type != PMO_DATA && type != PMO_PAGED)
		return -EINVAL;
	/* Fail fast: no zeroing every free frame only to run out. */
	if (type == PMO_DATA &&
	    ALIGN_UP(size, PAGE_SIZE) / PAGE_SIZE > frame_free_count())
		return -ENOMEM;
	budget_read(budget, &used, &limit);
	if (budget && type == PMO_DATA &&
	    ALIGN_UP(size, PAGE_SIZE) / PAGE_SIZE > limit - MIN(used, limit))
		return -ENOMEM;
	if (budget_charge(budget, kmalloc_size(sizeof(*p))))
		return -ENOMEM;
	p = obj_alloc(OBJ_TYPE_PMO, sizeof(*p));
	if (!p) {
		budget_uncharge(budget, kmalloc_size(sizeof(*p)));
		return -ENOMEM;
	}
	budget_get(budget);
	p->budget = budget;
	lock_init(&p->lock);
	p->size = ALIGN_UP(size, PAGE_SIZE);
	p->type = type;
	if (type == PMO_DATA) {
		/* Nobody else sees p yet: stopping to preempt is safe. */
		int ret = pmo_commit(p);

		if (ret) {
			obj_put(p); /* destroy frees what was taken */
			return ret;
		}
	}
	*out = p;
	return 0;
}

/* Frees the radix and every frame (the pmo's last reference is gone). */
static void pmo_free_frames(struct pmo *p)
{
	for (size_t hi = 0; hi < pmo_dir_slots(p); hi++) {
		size_t leaves = pmo_leaf_slots(p, hi);

		if (!p->dir[hi])
			continue;
		for (size_t lo = 0; lo < leaves; lo++)
			if (p->dir[hi][lo])
				budget_frame_free(p->budget, p->dir[hi][lo]);
		budget_kfree(p->budget, p->dir[hi], pmo_leaf_bytes(p, hi));
	}
	budget_kfree(p->budget, p->dir, pmo_dir_bytes(p));
}

void pmo_destroy(void *obj)
{
	struct pmo *p = obj;

	if (p->dir)
		pmo_free_frames(p);
	budget_uncharge(p->budget, kmalloc_size(sizeof(*p)));
	budget_put(p->budget);
}

void pmo_drain(struct pmo *p)
{
	size_t n = 0;

	/* No lock: nobody else can reach p, and none may be held here. */
	for (size_t hi = 0; p->dir && hi < pmo_dir_slots(p); hi++) {
		size_t leaves = pmo_leaf_slots(p, hi);

		for (size_t lo = 0; p->dir[hi] && lo < leaves; lo++) {
			if (!p->dir[hi][lo])
				continue;
			budget_frame_free(p->budget, p->dir[hi][lo]);
			p->dir[hi][lo] = 0;
			if (++n % 256 == 0)
				(void)sched_preempt_point(); /* killed: finish
							      */
		}
	}
}

static int pmo_copy(struct pmo *p, size_t off, void *buf, size_t len,
		    bool to_pmo)
{
	if (off > p->size || len > p->size - off)
		return -EINVAL;
	while (len) {
		size_t in_page = off % PAGE_SIZE;
		size_t n = MIN(len, PAGE_SIZE - in_page);
		paddr_t pa;
		/* Reading a paged PMO supplies nothing: only its pager does. */
		bool alloc = to_pmo || p->type != PMO_PAGED;
		int ret = pmo_get_page(p, off / PAGE_SIZE, alloc, &pa);

		if (ret == -ENOENT) {
			memset(buf, 0, n); /* an absent page of a paged PMO */
		} else if (ret) {
			return ret;
		} else if (to_pmo)
			memcpy((char *)phys_to_virt(pa) + in_page, buf, n);
		else
			memcpy(buf, (char *)phys_to_virt(pa) + in_page, n);
		buf = (char *)buf + n;
		off += n;
		len -= n;
	}
	return 0;
}

int pmo_write(struct pmo *p, size_t off, const void *src, size_t len)
{
	return pmo_copy(p, off, (void *)src, len, true);
}

int pmo_read(struct pmo *p, size_t off, void *dst, size_t len)
{
	return pmo_copy(p, off, dst, len, false);
}

size_t pmo_resident_pages(struct pmo *p)
{
	size_t n = 0;

	lock(&p->lock);
	for (size_t hi = 0; p->dir && hi < pmo_dir_slots(p); hi++)
		for (size_t lo = 0; p->dir[hi] && lo < pmo_leaf_slots(p, hi);
		     lo++)
			n += p->dir[hi][lo] != 0;
	unlock(&p->lock);
	return n;
}
