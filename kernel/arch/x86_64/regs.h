/*
 * The x86_64 register frame, thread state and page-table entry format.
 * The hosted arch (kernel/arch/host/) keeps these formats too, so the
 * generic code it tests is the code that runs on the machine.
 */
#ifndef ARCH_X86_64_REGS_H
#define ARCH_X86_64_REGS_H

/* User selectors; the order suits syscall/sysret (see gdt.c). */
#define SEL_UDATA 0x1b
#define SEL_UCODE 0x23

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

/*
 * Arguments for a user function entered from the kernel, in the SysV
 * registers: a thread's start, a handler's call, an exit routine.
 */
static inline void arch_regs_set_args(struct arch_regs *r, u64 a0, u64 a1,
				      u64 a2, u64 a3, u64 a4)
{
	r->rdi = a0;
	r->rsi = a1;
	r->rdx = a2;
	r->rcx = a3;
	r->r8 = a4;
}

/* Syscall number and arguments, in the order of the syscall ABI. */
static inline u64 arch_syscall_nr(const struct arch_regs *r)
{
	return r->rax;
}

static inline u64 arch_sysarg0(const struct arch_regs *r)
{
	return r->rdi;
}
static inline u64 arch_sysarg1(const struct arch_regs *r)
{
	return r->rsi;
}
static inline u64 arch_sysarg2(const struct arch_regs *r)
{
	return r->rdx;
}
static inline u64 arch_sysarg3(const struct arch_regs *r)
{
	return r->r10;
}
static inline u64 arch_sysarg4(const struct arch_regs *r)
{
	return r->r8;
}
static inline u64 arch_sysarg5(const struct arch_regs *r)
{
	return r->r9;
}

static inline bool arch_regs_from_user(const struct arch_regs *r)
{
	return (r->cs & 3) == 3;
}

#endif /* __ASSEMBLER__ */

#endif
