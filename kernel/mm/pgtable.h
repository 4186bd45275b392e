/*
 * Four-level page tables in the x86_64 format, walked by generic code so
 * the hosted tests exercise the same walker. The root and intermediate
 * tables are frames charged to the address space's owner (`b`, a memory
 * budget; NULL for nobody); leaves point at frames owned by PMOs.
 */
#ifndef KERNEL_MM_PGTABLE_H
#define KERNEL_MM_PGTABLE_H

#include <lib/types.h>

struct budget;

/* A new root sharing the kernel half; 0 when out of memory or budget. */
paddr_t pt_create(struct budget *b);
/* Frees the root and every user-half table (not the mapped frames). */
void pt_destroy(paddr_t root, struct budget *b);
/* Maps one page; flags are PTE_* bits. 0 or -ENOMEM (tables charged to b). */
int pt_map(paddr_t root, vaddr_t va, paddr_t pa, u64 flags, struct budget *b);
/* Unmaps one page; returns 1 if it was mapped, 0 if not. */
int pt_unmap(paddr_t root, vaddr_t va);
/* Unmaps every page in [start, end), skipping absent tables quickly. */
void pt_unmap_range(paddr_t root, vaddr_t start, vaddr_t end);
/*
 * The same, but stops after `steps` steps (a page, or an absent table
 * skipped whole) and returns where to go on: end when done.
 */
vaddr_t pt_unmap_some(paddr_t root, vaddr_t start, vaddr_t end, size_t steps);
/* 0 and the leaf's frame and flags, or -ENOENT. */
int pt_query(paddr_t root, vaddr_t va, paddr_t *pa, u64 *flags);
/* Number of user-half table pages under root (for tests). */
size_t pt_count_tables(paddr_t root);

#endif
