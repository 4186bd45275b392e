/*
 * Physical frames: a binary buddy allocator over the usable RAM the boot
 * memory map reports. Every frame has a struct page; kmalloc keeps its
 * bookkeeping there too.
 */
#ifndef KERNEL_MM_FRAME_H
#define KERNEL_MM_FRAME_H

#include <arch_defs.h>
#include <lib/list.h>
#include <lib/types.h>

#define FRAME_MAX_ORDER 10 /* 4 MiB blocks */

enum page_use {
	PAGE_FREE = 0, /* head of a free buddy block */
	PAGE_ALLOC,    /* head of an allocated block */
	PAGE_TAIL,     /* inside a block; see its head */
	PAGE_SLAB,     /* a kmalloc size-class page */
};

struct page {
	struct list_head node; /* buddy free list or slab partial list */
	u8 order;
	u8 use; /* enum page_use */
	u8 slab_class;
	u16 slab_inuse;
	void *slab_free; /* next free object in a slab page */
};

/* Hands the allocator one range of usable RAM (called once at boot). */
void frame_init(paddr_t start, paddr_t end);

/* 2^order contiguous frames, not zeroed; 0 when none is free. */
paddr_t frame_alloc(unsigned order);
/* One zeroed frame; 0 when none is free. */
paddr_t frame_alloc_zeroed(void);
void frame_free(paddr_t pa);

struct page *frame_to_page(paddr_t pa);
paddr_t page_to_frame(const struct page *p);

size_t frame_free_count(void);
size_t frame_total_count(void);

#endif
