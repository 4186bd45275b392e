/* Page-table registers and the kernel's own root (built in boot.S). */
#include "cpu.h"
#include <arch/arch.h>

extern u64 boot_pml4[512];

void paging_init(void)
{
	/* Drop the identity map: the lower half now belongs to user space. */
	boot_pml4[0] = 0;
	__asm__ volatile("mov %0, %%cr3" ::"r"(read_cr3()) : "memory");
}

paddr_t arch_kernel_pt_root(void)
{
	return virt_to_phys(boot_pml4);
}

void arch_pt_activate(paddr_t root)
{
	pt_activate(root);
}

void arch_tlb_flush_page(vaddr_t va)
{
	__asm__ volatile("invlpg (%0)" ::"r"(va) : "memory");
}

int arch_uaccess_copy(void *dst, const void *src, size_t n);

int arch_copy_from_user(void *dst, const void __user *src, size_t n)
{
	return arch_uaccess_copy(dst, src, n);
}

int arch_copy_to_user(void __user *dst, const void *src, size_t n)
{
	return arch_uaccess_copy(dst, src, n);
}
