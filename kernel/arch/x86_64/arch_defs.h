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
#define SEL_KCODE 0x08
#define SEL_KDATA 0x10
#define SEL_UDATA 0x1b
#define SEL_UCODE 0x23
#define SEL_TSS 0x28

/* Offsets in struct percpu that entry.S uses. */
#define PERCPU_SCRATCH 0
#define PERCPU_KSTACK 8

#ifndef __ASSEMBLER__
#include <lib/types.h>

/* What entry.S pushes on kernel entry, lowest address first. */
struct arch_regs {
	u64 r15, r14, r13, r12, r11, r10, r9, r8;
	u64 rbp, rdi, rsi, rdx, rcx, rbx, rax;
	u64 vector, error;
	u64 rip, cs, rflags, rsp, ss; /* the hardware frame */
};

struct arch_thread {
	u64 ksp;     /* saved kernel stack pointer while switched out */
	u64 fs_base; /* user TLS (arch_prctl ARCH_SET_FS) */
	u8 fpu[512] __attribute__((aligned(16))); /* fxsave image */
};

/* Page-table entry bits shared with the generic walker in mm/pgtable.c. */
#define PTE_P (1ul << 0)
#define PTE_W (1ul << 1)
#define PTE_U (1ul << 2)
#define PTE_PS (1ul << 7)
#define PTE_NX (1ul << 63)
#define PTE_ADDR 0x000ffffffffff000ul
#define PT_LEVELS 4

static inline void *phys_to_virt(paddr_t pa)
{
	return (void *)(pa + PHYS_OFFSET);
}

static inline paddr_t virt_to_phys(const void *va)
{
	u64 v = (u64)va;
	return v >= KERNEL_VMA ? v - KERNEL_VMA : v - PHYS_OFFSET;
}

/* A fresh user entry: pc, stack and flags (interrupts on), user segments. */
static inline void arch_regs_set_entry(struct arch_regs *r, u64 pc, u64 sp)
{
	r->rip = pc;
	r->rsp = sp;
	r->cs = SEL_UCODE;
	r->ss = SEL_UDATA;
	r->rflags = 0x202;
}

static inline void arch_regs_set_ret(struct arch_regs *r, u64 val)
{
	r->rax = val;
}

static inline bool arch_regs_from_user(const struct arch_regs *r)
{
	return (r->cs & 3) == 3;
}
#endif

#endif
