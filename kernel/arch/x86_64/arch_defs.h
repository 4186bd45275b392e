/*
 * x86_64 constants and the register frame. Virtual memory:
 *   0 .. USER_TOP                 user space (lower half)
 *   PHYS_OFFSET ..                all physical memory, direct-mapped
 *   KERNEL_VMA ..                 the kernel image (-2 GiB, -mcmodel=kernel)
 */
#ifndef ARCH_X86_64_DEFS_H
#define ARCH_X86_64_DEFS_H

#define KERNEL_VMA 0xffffffff80000000
#define PHYS_OFFSET 0xffff800000000000
#define USER_TOP 0x00007ffffffff000 /* one guard page below the hole */
#define KSTACK_SIZE 16384

/* Selectors; the order suits syscall/sysret (see gdt.c). */
#include <arch/x86_64/regs.h>

#define SEL_KCODE 0x08
#define SEL_KDATA 0x10
#define SEL_TSS 0x28

/* Offsets in struct percpu that entry.S uses. */
#define PERCPU_SCRATCH 0
/*
 * The TSS's rsp0 (SDM vol. 3 "64-bit TSS"): interrupts from user mode
 * take their stack from it, and syscall entry reads it too, so that a
 * switch stores the kernel stack top once.
 */
#define TSS_RSP0 4

#ifndef __ASSEMBLER__
#include <lib/types.h>

static inline void *phys_to_virt(paddr_t pa)
{
	return (void *)(pa + PHYS_OFFSET);
}

static inline paddr_t virt_to_phys(const void *va)
{
	u64 v = (u64)va;
	return v >= KERNEL_VMA ? v - KERNEL_VMA : v - PHYS_OFFSET;
}

#endif

#endif
