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
/* Radix slots looked at (or frames freed) per lock hold when freeing. */
#define PMO_FREE_STEPS 256

static size_t pmo_pages(const struct pmo *p)
{
	return p->size / PAGE_SIZE;
}

/* Pages one slot of a level-l node covers. */
static size_t slot_span(int l)
{
	return (size_t)1 << (PMO_RADIX_SHIFT * l);
}

/*
 * Slots of the level-l node covering pages from `base`: the radix is
 * sized to the PMO, so a one-page PMO has one 8-byte node, not 4 KiB,
 * and a walk of a small PMO stays as short as the PMO.
 */
static size_t node_slots(const struct pmo *p, int l, size_t base)
{
	size_t need = (pmo_pages(p) - base + slot_span(l) - 1) / slot_span(l);

	return MIN(need, PMO_RADIX);
}

static size_t node_bytes(const struct pmo *p, int l, size_t base)
{
	return node_slots(p, l, base) * sizeof(u64);
}

/* The first page of the level-l node holding page `index`. */
static size_t node_base(int l, size_t index)
{
	return index & ~(slot_span(l + 1) - 1);
}

/* Out of line: the fault's path allocates a node only once per 512. */
static __attribute__((noinline)) u64 *node_new(struct pmo *p, int l,
					       size_t index)
{
	return budget_kzalloc(p->budget, node_bytes(p, l, node_base(l, index)));
}

/* A slot found, or why not: returned in two registers, never memory. */
struct pmo_slot {
	paddr_t *slot;
	int err; /* 0, -ENOENT (absent, not allocating), -ENOMEM */
};

/*
 * The slot of page `index`, making the nodes on its way when `alloc`.
 * Out of line: the fault's path comes here only for a missing node.
 */
static __attribute__((noinline)) struct pmo_slot
slot_alloc_locked(struct pmo *p, size_t index, bool alloc)
{
	u64 **at = &p->root;

	for (int l = p->levels - 1;; l--) {
		if (!*at) {
			if (!alloc)
				return (struct pmo_slot){NULL, -ENOENT};
			*at = node_new(p, l, index);
			if (!*at)
				return (struct pmo_slot){NULL, -ENOMEM};
		}
		if (l == 0)
			break;
		at = (u64 **)&(
			*at)[(index >> (PMO_RADIX_SHIFT * l)) % PMO_RADIX];
	}
	return (struct pmo_slot){(paddr_t *)&(*at)[index % PMO_RADIX], 0};
}

/*
 * Inlined into both callers: the demand-zero fault's is the hot one. The
 * walk down present nodes is as short as the two-level radix's was.
 */
static inline __attribute__((always_inline)) struct pmo_slot
pmo_slot_locked(struct pmo *p, size_t index, bool alloc)
{
	u64 *node = p->root;

	if (unlikely(!node))
		return slot_alloc_locked(p, index, alloc);
	/* Two levels (2 MiB to 1 GiB) straight, the fault bench's case. */
	if (likely(p->levels == 2)) {
		node = (u64 *)node[(index >> PMO_RADIX_SHIFT) % PMO_RADIX];
		if (unlikely(!node))
			return slot_alloc_locked(p, index, alloc);
	} else {
		for (unsigned s = PMO_RADIX_SHIFT * (p->levels - 1); s;
		     s -= PMO_RADIX_SHIFT) {
			node = (u64 *)node[(index >> s) % PMO_RADIX];
			if (unlikely(!node))
				return slot_alloc_locked(p, index, alloc);
		}
	}
	return (struct pmo_slot){(paddr_t *)&node[index % PMO_RADIX], 0};
}

/* Frees the node and everything below it (the PMO's last reference). */
static void free_node(struct pmo *p, u64 *node, int l, size_t base)
{
	size_t n = node_slots(p, l, base);

	for (size_t i = 0; l == 0 && i < n; i++)
		if (node[i])
			budget_frame_free(p->budget, node[i]);
	for (size_t i = 0; l > 0 && i < n; i++)
		if (node[i])
			free_node(p, (u64 *)node[i], l - 1,
				  base + i * slot_span(l));
	budget_kfree(p->budget, node, node_bytes(p, l, base));
}

/* Frames below the node, and the kmalloc bytes of it and its children. */
static void count_node(const struct pmo *p, const u64 *node, int l, size_t base,
		       size_t *pages, size_t *bytes)
{
	size_t n = node_slots(p, l, base);

	*bytes += kmalloc_size(n * sizeof(u64));
	for (size_t i = 0; i < n; i++) {
		if (!node[i])
			continue;
		if (l == 0)
			(*pages)++;
		else
			count_node(p, (const u64 *)node[i], l - 1,
				   base + i * slot_span(l), pages, bytes);
	}
}

/* The kmalloc bytes of the whole radix, every node present. */
static size_t full_radix_bytes(const struct pmo *p)
{
	size_t bytes = 0;

	for (int l = 0; l < p->levels; l++) {
		size_t cover = slot_span(l + 1); /* pages under one node */
		size_t nodes = (pmo_pages(p) + cover - 1) / cover;

		bytes += (nodes - 1) * kmalloc_size(PMO_RADIX * sizeof(u64)) +
			 kmalloc_size(node_bytes(p, l, (nodes - 1) * cover));
	}
	return bytes;
}

/*
 * Frees the frames of pages [*idx, end) below `node` (level l, covering
 * pages from base), and each child node lying wholly in [first, end)
 * once the walk has passed it, until *steps runs out. A step is a frame
 * freed, a child looked at or an absent subtree skipped (a leaf's 512
 * slots are one tight loop: a drain of a small PMO costs what the
 * two-level radix's did). *idx moves past what is done, so the next
 * call goes on from there.
 */
static void decommit_node(struct pmo *p, u64 *node, int l, size_t base,
			  size_t first, size_t end, size_t *idx, size_t *steps)
{
	size_t n = node_slots(p, l, base), i;

	if (l == 0) {
		size_t stop = MIN(n, end - base);

		for (i = *idx - base; i < stop && *steps; i++) {
			if (node[i]) {
				budget_frame_free(p->budget, node[i]);
				node[i] = 0;
				--*steps;
			}
		}
		*idx = base + i;
		return;
	}
	for (i = (*idx - base) >> (PMO_RADIX_SHIFT * l);
	     i < n && *idx < end && *steps; i++) {
		size_t cbase = base + i * slot_span(l);
		size_t cend = MIN(cbase + slot_span(l), pmo_pages(p));

		--*steps;
		if (!node[i]) {
			*idx = cend;
			continue;
		}
		decommit_node(p, (u64 *)node[i], l - 1, cbase, first, end, idx,
			      steps);
		if (cbase >= first && cend <= end && *idx >= cend) {
			budget_kfree(p->budget, (u64 *)node[i],
				     node_bytes(p, l - 1, cbase));
			node[i] = 0;
		}
	}
}

int pmo_decommit(struct pmo *p, size_t off, size_t len)
{
	size_t first = off / PAGE_SIZE, end, idx = first;

	if (!IS_ALIGNED(off, PAGE_SIZE) || !IS_ALIGNED(len, PAGE_SIZE) ||
	    off > p->size || len > p->size - off)
		return -EINVAL;
	end = (off + len) / PAGE_SIZE;
	while (idx < end) {
		size_t steps = PMO_FREE_STEPS;

		lock(&p->lock);
		if (!p->root)
			idx = end;
		else
			decommit_node(p, p->root, p->levels - 1, 0, first, end,
				      &idx, &steps);
		if (p->root && first == 0 && end == pmo_pages(p) &&
		    idx >= end) {
			budget_kfree(p->budget, p->root,
				     node_bytes(p, p->levels - 1, 0));
			p->root = NULL;
		}
		unlock(&p->lock);
		if (idx < end)
			(void)sched_preempt_point(); /* killed: finish */
	}
	return 0;
}

size_t pmo_decommit_some(struct pmo *p, size_t off, size_t len, size_t steps)
{
	size_t first = off / PAGE_SIZE, end, idx = first;

	if (!IS_ALIGNED(off, PAGE_SIZE) || !IS_ALIGNED(len, PAGE_SIZE) ||
	    off > p->size || len > p->size - off || !steps)
		return off;
	end = (off + len) / PAGE_SIZE;
	lock(&p->lock);
	if (!p->root)
		idx = end;
	else
		decommit_node(p, p->root, p->levels - 1, 0, first, end, &idx,
			      &steps);
	unlock(&p->lock);
	return MIN(idx, end) * PAGE_SIZE;
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
	struct pmo_slot s;
	paddr_t *slot;
	int ret = 0;

	if (unlikely(index >= p->size / PAGE_SIZE))
		return -EINVAL;
	lock(&p->lock);
	s = pmo_slot_locked(p, index, alloc);
	slot = s.slot;
	if (unlikely(s.err)) {
		ret = s.err;
		goto out_unlock;
	}
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
	if (p->root)
		count_node(p, p->root, p->levels - 1, 0, &pages, &radix);
	unlock(&p->lock);
	pages = pmo_pages(p) - pages;
	radix = full_radix_bytes(p) - radix;
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
	p->levels = 1;
	while (slot_span(p->levels) < pmo_pages(p))
		p->levels++;
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

void pmo_destroy(void *obj)
{
	struct pmo *p = obj;

	if (p->root)
		free_node(p, p->root, p->levels - 1, 0);
	budget_uncharge(p->budget, kmalloc_size(sizeof(*p)));
	budget_put(p->budget);
}

void pmo_drain(struct pmo *p)
{
	(void)pmo_decommit(p, 0, p->size);
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
	size_t pages = 0, bytes = 0;

	lock(&p->lock);
	if (p->root)
		count_node(p, p->root, p->levels - 1, 0, &pages, &bytes);
	unlock(&p->lock);
	return pages;
}
