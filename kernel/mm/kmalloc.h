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
/* The bytes a kmalloc(size) takes: its size class, or whole frames. */
size_t kmalloc_size(size_t size);

#endif
