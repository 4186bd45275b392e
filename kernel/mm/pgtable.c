/*
 * The page-table walker. Index bits per level: 39, 30, 21, 12. Only the
 * lower (user) half of a root is private; entries 256..511 are copied
 * from the kernel's root when the table is made and never freed here.
 */
#include <arch/arch.h>
#include <lib/string.h>
#include <mm/budget.h>
#include <mm/frame.h>
#include <mm/pgtable.h>
#include <uapi/ferry/errno.h>

#define ENTRIES 512
#define KERNEL_HALF 256
#define TABLE_FLAGS (PTE_P | PTE_W | PTE_U)

static u64 *table(paddr_t pa)
{
	return phys_to_virt(pa);
}

static unsigned index_at(vaddr_t va, int level)
{
	return (va >> (PAGE_SHIFT + 9 * level)) & (ENTRIES - 1);
}

paddr_t pt_create(struct budget *b)
{
	paddr_t root = budget_frame_alloc_zeroed(b);

	if (!root)
		return 0;
	memcpy(table(root) + KERNEL_HALF,
	       table(arch_kernel_pt_root()) + KERNEL_HALF,
	       KERNEL_HALF * sizeof(u64));
	return root;
}

static void free_level(paddr_t pa, int level, struct budget *b)
{
	u64 *t = table(pa);

	if (level > 0) {
		for (int i = 0; i < ENTRIES; i++)
			if (t[i] & PTE_P)
				free_level(t[i] & PTE_ADDR, level - 1, b);
	}
	budget_frame_free(b, pa);
}

void pt_destroy(paddr_t root, struct budget *b)
{
	u64 *t = table(root);

	for (int i = 0; i < KERNEL_HALF; i++)
		if (t[i] & PTE_P)
			free_level(t[i] & PTE_ADDR, PT_LEVELS - 2, b);
	budget_frame_free(b, root);
}

/* The leaf entry for va, allocating tables on the way when `alloc`. */
static u64 *walk(paddr_t root, vaddr_t va, bool alloc, struct budget *b)
{
	u64 *t = table(root);

	for (int level = PT_LEVELS - 1; level > 0; level--) {
		u64 *e = &t[index_at(va, level)];

		if (!(*e & PTE_P)) {
			paddr_t next;

			if (!alloc)
				return NULL;
			next = budget_frame_alloc_zeroed(b);
			if (!next)
				return NULL;
			*e = next | TABLE_FLAGS;
		}
		t = table(*e & PTE_ADDR);
	}
	return &t[index_at(va, 0)];
}

int pt_map(paddr_t root, vaddr_t va, paddr_t pa, u64 flags, struct budget *b)
{
	u64 *e = walk(root, va, true, b);

	if (!e)
		return -ENOMEM;
	*e = (pa & PTE_ADDR) | flags | PTE_P;
	return 0;
}

int pt_unmap(paddr_t root, vaddr_t va)
{
	u64 *e = walk(root, va, false, NULL);

	if (!e || !(*e & PTE_P))
		return 0;
	*e = 0;
	arch_tlb_flush_page(va);
	return 1;
}

/*
 * Clears the PTEs of [start, end), one step per leaf or absent entry
 * looked at, until `steps` runs out; returns where it stopped (`end` when
 * done). It walks from the root once per leaf table, then clears that
 * table's entries in a tight loop: a small munmap (a connection's shm, a
 * page or two) is one walk, and an absent entry skips all it would map,
 * so a dying process's whole user half (its text and stack tables among
 * 256 root entries) is cleared in a few thousand steps. Not recursive: a
 * recursive walk cost a call per level for every range, small ones too
 * (ipc_register 11,703 -> 12,675).
 */
vaddr_t pt_unmap_some(paddr_t root, vaddr_t start, vaddr_t end, size_t steps)
{
	vaddr_t va = start;

	while (va < end && steps) {
		u64 *t = table(root);
		int level;

		/* Walk down; an absent entry skips everything it would map. */
		for (level = PT_LEVELS - 1; level > 0; level--) {
			u64 e = t[index_at(va, level)];

			if (!(e & PTE_P))
				break;
			t = table(e & PTE_ADDR);
		}
		if (level > 0) {
			vaddr_t span = (vaddr_t)1 << (PAGE_SHIFT + 9 * level);

			/*
			 * Skip it, and the absent entries after it in the
			 * same table without walking down again: a terabyte
			 * reservation with no page tables in it is a few
			 * hundred loads, not a walk from the root each.
			 */
			do {
				vaddr_t next = ALIGN_DOWN(va, span) + span;

				steps--;
				if (next <= va) /* wrapped past the top */
					return end;
				va = next;
			} while (va < end && steps && index_at(va, level) &&
				 !(t[index_at(va, level)] & PTE_P));
			continue;
		}
		/* A step is a page: each call advances. */
		for (unsigned i = index_at(va, 0);
		     i < ENTRIES && va < end && steps; i++, steps--) {
			if (t[i] & PTE_P) {
				t[i] = 0;
				arch_tlb_flush_page(va);
			}
			va += PAGE_SIZE;
		}
	}
	return MIN(va, end);
}

void pt_unmap_range(paddr_t root, vaddr_t start, vaddr_t end)
{
	pt_unmap_some(root, start, end, ~(size_t)0);
}

int pt_query(paddr_t root, vaddr_t va, paddr_t *pa, u64 *flags)
{
	u64 *e = walk(root, va, false, NULL);

	if (!e || !(*e & PTE_P))
		return -ENOENT;
	if (pa)
		*pa = *e & PTE_ADDR;
	if (flags)
		*flags = *e & ~PTE_ADDR;
	return 0;
}

static size_t count_level(paddr_t pa, int level)
{
	u64 *t = table(pa);
	size_t n = 1;

	if (level > 0)
		for (int i = 0; i < ENTRIES; i++)
			if (t[i] & PTE_P)
				n += count_level(t[i] & PTE_ADDR, level - 1);
	return n;
}

size_t pt_count_tables(paddr_t root)
{
	u64 *t = table(root);
	size_t n = 0;

	for (int i = 0; i < KERNEL_HALF; i++)
		if (t[i] & PTE_P)
			n += count_level(t[i] & PTE_ADDR, PT_LEVELS - 2);
	return n;
}
