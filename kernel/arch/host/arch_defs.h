/*
 * The hosted arch: kernel code runs as a normal Linux process for unit
 * tests and fuzzing. "Physical" memory is a host arena and physical
 * addresses are host pointers (PHYS_OFFSET 0); page tables use the x86_64
 * entry format, so the generic walker is the one under test.
 */
#ifndef ARCH_HOST_DEFS_H
#define ARCH_HOST_DEFS_H

#define PHYS_OFFSET 0x0ul
#define USER_TOP 0x00007ffffffff000ul
#define KSTACK_SIZE 16384

#include <lib/types.h>

struct arch_regs {
	u64 r15, r14, r13, r12, r11, r10, r9, r8;
	u64 rbp, rdi, rsi, rdx, rcx, rbx, rax;
	u64 vector, error;
	u64 rip, cs, rflags, rsp, ss;
};

struct arch_thread {
	u64 ksp;
	u64 fs_base;
	u8 fpu[512] __attribute__((aligned(16)));
};

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
	return (paddr_t)va - PHYS_OFFSET;
}

/* A fresh user entry: pc, stack and flags (interrupts on), user segments. */
static inline void arch_regs_set_entry(struct arch_regs *r, u64 pc, u64 sp)
{
	r->rip = pc;
	r->rsp = sp;
	r->cs = 0x23;
	r->ss = 0x1b;
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

/* Hosted tests observe thread switches through these (host.c). */
#include <setjmp.h>
struct thread;
extern jmp_buf *host_switch_jmp;
extern struct thread *host_switched_to;
extern bool host_switched_to_user;

#endif
