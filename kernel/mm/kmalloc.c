/*
 * Size-class allocator. Each class keeps a list of pages that still have
 * a free slot; a page's free slots form a singly linked list threaded
 * through the slots themselves, and its struct page counts the slots in
 * use. Locking: kmalloc_lock guards the class lists and slab fields.
 */
#include <arch/arch.h>
#include <lib/lock.h>
#include <lib/printk.h>
#include <lib/string.h>
#include <mm/frame.h>
#include <mm/kmalloc.h>

#define MIN_SHIFT 4  /* 16 bytes */
#define MAX_SHIFT 11 /* 2048 bytes */
#define NCLASSES (MAX_SHIFT - MIN_SHIFT + 1)

static struct list_head partial[NCLASSES];
static bool kmalloc_ready;
static size_t bytes_in_use;
static struct spinlock kmalloc_lock;

static unsigned size_to_class(size_t size)
{
	unsigned c = 0;

	while (((size_t)1 << (c + MIN_SHIFT)) < size)
		c++;
	return c;
}

static unsigned size_to_order(size_t size)
{
	unsigned order = 0;

	while ((PAGE_SIZE << order) < size)
		order++;
	return order;
}

static struct page *slab_new(unsigned cls)
{
	size_t objsz = (size_t)1 << (cls + MIN_SHIFT);
	paddr_t pa = frame_alloc(0);
	struct page *pg;
	char *base;

	if (!pa)
		return NULL;
	pg = frame_to_page(pa);
	pg->use = PAGE_SLAB;
	pg->slab_class = cls;
	pg->slab_inuse = 0;
	base = phys_to_virt(pa);
	/* Thread the free list through the slots, first slot first. */
	for (size_t off = 0; off < PAGE_SIZE; off += objsz)
		*(void **)(base + off) =
			off + objsz < PAGE_SIZE ? base + off + objsz : NULL;
	pg->slab_free = base;
	list_push(&partial[cls], &pg->node);
	return pg;
}

static void *slab_alloc_locked(unsigned cls)
{
	struct page *pg;
	void *obj;

	if (list_empty(&partial[cls])) {
		if (!slab_new(cls))
			return NULL;
	}
	pg = list_first(&partial[cls], struct page, node);
	obj = pg->slab_free;
	pg->slab_free = *(void **)obj;
	pg->slab_inuse++;
	if (!pg->slab_free)
		list_del(&pg->node); /* full: off the partial list */
	bytes_in_use += (size_t)1 << (cls + MIN_SHIFT);
	return obj;
}

void *kmalloc(size_t size)
{
	void *p = NULL;

	if (unlikely(!kmalloc_ready)) {
		for (unsigned i = 0; i < NCLASSES; i++)
			list_init(&partial[i]);
		lock_init(&kmalloc_lock);
		kmalloc_ready = true;
	}
	if (unlikely(size == 0))
		size = 1;
	if (size <= ((size_t)1 << MAX_SHIFT)) {
		lock(&kmalloc_lock);
		p = slab_alloc_locked(size_to_class(size));
		unlock(&kmalloc_lock);
		return p;
	}
	if (size > (PAGE_SIZE << FRAME_MAX_ORDER))
		return NULL;
	paddr_t pa = frame_alloc(size_to_order(size));
	if (!pa)
		return NULL;
	lock(&kmalloc_lock);
	bytes_in_use += PAGE_SIZE << frame_to_page(pa)->order;
	unlock(&kmalloc_lock);
	return phys_to_virt(pa);
}

/* kzalloc past the slab classes: whole frames, zeroed a page at a time. */
static __attribute__((noinline)) void *kzalloc_pages(size_t size)
{
	void *p = kmalloc(size);

	if (p)
		for (size_t off = 0; off < size; off += PAGE_SIZE)
			arch_zero_page((char *)p + off);
	return p;
}

void *kzalloc(size_t size)
{
	void *p;

	if (unlikely(size > ((size_t)1 << MAX_SHIFT)))
		return kzalloc_pages(size);
	p = kmalloc(size);
	return p ? memset(p, 0, size) : NULL;
}

void kfree(void *p)
{
	struct page *pg;
	paddr_t pa;

	if (!p)
		return;
	pa = virt_to_phys(p);
	pg = frame_to_page(ALIGN_DOWN(pa, PAGE_SIZE));
	BUG_ON(!pg);
	lock(&kmalloc_lock);
	if (pg->use != PAGE_SLAB) {
		BUG_ON(pg->use != PAGE_ALLOC || !IS_ALIGNED(pa, PAGE_SIZE));
		bytes_in_use -= PAGE_SIZE << pg->order;
		unlock(&kmalloc_lock);
		frame_free(pa);
		return;
	}
	unsigned cls = pg->slab_class;
	if (!pg->slab_free)
		list_push(&partial[cls], &pg->node); /* was full */
	*(void **)p = pg->slab_free;
	pg->slab_free = p;
	pg->slab_inuse--;
	bytes_in_use -= (size_t)1 << (cls + MIN_SHIFT);
	if (pg->slab_inuse == 0) {
		list_del(&pg->node);
		pg->use = PAGE_ALLOC;
		pg->order = 0;
		unlock(&kmalloc_lock);
		frame_free(ALIGN_DOWN(pa, PAGE_SIZE));
		return;
	}
	unlock(&kmalloc_lock);
}

size_t kmalloc_bytes_in_use(void)
{
	return bytes_in_use;
}
