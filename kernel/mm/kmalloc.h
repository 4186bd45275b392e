/*
 * Kernel heap: power-of-two size classes from 16 to 2048 bytes carved out
 * of single pages, larger requests straight from the buddy allocator. A
 * slab page goes back to the buddy allocator as soon as it is empty, so
 * the free-frame count returns exactly to where it was after a test.
 */
#ifndef KERNEL_MM_KMALLOC_H
#define KERNEL_MM_KMALLOC_H

#include <lib/types.h>

void *kmalloc(size_t size);
void *kzalloc(size_t size);
void kfree(void *p);
size_t kmalloc_bytes_in_use(void);
/*
 * The bytes a kmalloc(size) takes: its size class (16..2048), or the
 * power-of-two run of frames above that; either way the next power of
 * two, at least 16. Inline so that a constant size folds to a constant
 * (memory budgets charge it on the IPC and fault paths).
 */
static inline size_t kmalloc_size(size_t size)
{
	return size <= 16 ? 16 : (size_t)1 << (64 - __builtin_clzl(size - 1));
}

#endif
