/*
 * Binary buddy allocator. Free blocks of order k sit on free_lists[k];
 * a block's buddy is found by flipping bit k of its frame index. Freeing
 * merges with the buddy while the buddy is a free block of the same order.
 *
 * Locking: frame_lock guards the lists and all struct page buddy fields.
 */
#include <arch/arch.h>
#include <lib/lock.h>
#include <lib/printk.h>
#include <lib/string.h>
#include <mm/frame.h>

static struct {
	paddr_t base; /* physical address of frame 0 */
	size_t npages;
	struct page *pages;
	struct list_head free_lists[FRAME_MAX_ORDER + 1];
	size_t nfree;
	size_t ntotal;
} zone;

static struct spinlock frame_lock;

struct page *frame_to_page(paddr_t pa)
{
	if (pa < zone.base || pa >= zone.base + zone.npages * PAGE_SIZE)
		return NULL;
	return &zone.pages[(pa - zone.base) >> PAGE_SHIFT];
}

paddr_t page_to_frame(const struct page *p)
{
	return zone.base + ((paddr_t)(p - zone.pages) << PAGE_SHIFT);
}

static size_t page_index(const struct page *p)
{
	return (size_t)(p - zone.pages);
}

static void free_block_locked(struct page *p, unsigned order)
{
	size_t idx = page_index(p);

	p->use = PAGE_TAIL; /* until it is known which page heads the block */
	while (order < FRAME_MAX_ORDER) {
		size_t buddy_idx = idx ^ ((size_t)1 << order);
		struct page *buddy;

		if (buddy_idx + ((size_t)1 << order) > zone.npages)
			break;
		buddy = &zone.pages[buddy_idx];
		if (buddy->use != PAGE_FREE || buddy->order != order)
			break;
		list_del(&buddy->node);
		buddy->use = PAGE_TAIL;
		idx &= ~((size_t)1 << order);
		order++;
	}
	p = &zone.pages[idx];
	p->use = PAGE_FREE;
	p->order = order;
	list_push(&zone.free_lists[order], &p->node);
}

void frame_init(paddr_t start, paddr_t end)
{
	size_t n, meta_pages;

	start = ALIGN_UP(start, PAGE_SIZE);
	end = ALIGN_DOWN(end, PAGE_SIZE);
	BUG_ON(end <= start);
	n = (end - start) >> PAGE_SHIFT;
	/* The page array lives at the front of the range it describes. */
	meta_pages = ALIGN_UP(n * sizeof(struct page), PAGE_SIZE) >> PAGE_SHIFT;
	BUG_ON(meta_pages >= n);
	zone.pages = phys_to_virt(start);
	zone.base = start + (meta_pages << PAGE_SHIFT);
	zone.npages = n - meta_pages;
	memset(zone.pages, 0, zone.npages * sizeof(struct page));
	for (int i = 0; i <= FRAME_MAX_ORDER; i++)
		list_init(&zone.free_lists[i]);
	lock_init(&frame_lock);

	for (size_t i = 0; i < zone.npages; i++) {
		zone.pages[i].use = PAGE_TAIL;
		list_init(&zone.pages[i].node);
	}
	for (size_t i = 0; i < zone.npages; i++)
		free_block_locked(&zone.pages[i], 0);
	zone.nfree = zone.ntotal = zone.npages;
}

paddr_t frame_alloc(unsigned order)
{
	struct page *p = NULL;
	unsigned k;

	if (unlikely(order > FRAME_MAX_ORDER))
		return 0;
	lock(&frame_lock);
	for (k = order; k <= FRAME_MAX_ORDER; k++) {
		if (!list_empty(&zone.free_lists[k])) {
			p = list_first(&zone.free_lists[k], struct page, node);
			break;
		}
	}
	if (!p) {
		unlock(&frame_lock);
		return 0;
	}
	list_del(&p->node);
	/* Split: hand the upper halves back until the block fits. */
	while (k > order) {
		struct page *half;

		k--;
		half = p + ((size_t)1 << k);
		half->use = PAGE_FREE;
		half->order = k;
		list_push(&zone.free_lists[k], &half->node);
	}
	p->use = PAGE_ALLOC;
	p->order = order;
	zone.nfree -= (size_t)1 << order;
	unlock(&frame_lock);
	return page_to_frame(p);
}

paddr_t frame_alloc_zeroed(void)
{
	paddr_t pa = frame_alloc(0);

	if (pa)
		arch_zero_page(phys_to_virt(pa));
	return pa;
}

void frame_free(paddr_t pa)
{
	struct page *p = frame_to_page(pa);

	BUG_ON(!p || !IS_ALIGNED(pa, PAGE_SIZE));
	lock(&frame_lock);
	BUG_ON(p->use != PAGE_ALLOC && p->use != PAGE_SLAB);
	zone.nfree += (size_t)1 << p->order;
	free_block_locked(p, p->order);
	unlock(&frame_lock);
}

size_t frame_free_count(void)
{
	return zone.nfree;
}

size_t frame_total_count(void)
{
	return zone.ntotal;
}
