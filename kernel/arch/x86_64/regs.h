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

/*
 * Byte offsets in struct arch_regs that entry.S uses (checked below):
 * the vector, where trap stubs leave %rsp, and the hardware frame.
 */
#define REGS_OFF_R15 0
#define REGS_OFF_R14 8
#define REGS_OFF_R13 16
#define REGS_OFF_R12 24
#define REGS_OFF_RBP 32
#define REGS_OFF_RBX 40
#define REGS_OFF_CALLEE_SAVED 48 /* bytes of rbx, rbp, r12-r15 */
#define REGS_OFF_RAX 112
#define REGS_OFF_VECTOR 120
#define REGS_OFF_RIP 136
#define REGS_OFF_CS 144
#define REGS_OFF_RSP 160
#define REGS_SIZE 176

/* RFLAGS bits (SDM vol. 1, 3.4.3). */
#define RFLAGS_CF (1ul << 0)
#define RFLAGS_FIXED (1ul << 1) /* reads as 1 */
#define RFLAGS_PF (1ul << 2)
#define RFLAGS_AF (1ul << 4)
#define RFLAGS_ZF (1ul << 6)
#define RFLAGS_SF (1ul << 7)
#define RFLAGS_TF (1ul << 8)
#define RFLAGS_IF (1ul << 9)
#define RFLAGS_DF (1ul << 10)
#define RFLAGS_OF (1ul << 11)
#define RFLAGS_IOPL (3ul << 12)
#define RFLAGS_NT (1ul << 14)
#define RFLAGS_RF (1ul << 16)
#define RFLAGS_AC (1ul << 18)
#define RFLAGS_ID (1ul << 21)

#ifndef __ASSEMBLER__
#include <lib/types.h>

/*
 * What entry.S pushes on kernel entry, lowest address first. The six
 * registers the C ABI preserves (rbx, rbp, r12-r15) lie lowest, pushed
 * last: an entry that may leave them out (the fast IPC return, entry.S)
 * reserves their room with one instruction.
 */
struct arch_regs {
	u64 r15, r14, r13, r12, rbp, rbx;
	u64 r11, r10, r9, r8, rdi, rsi, rdx, rcx, rax;
	u64 vector, error;
	u64 rip, cs, rflags, rsp, ss; /* the hardware frame */
};

/* entry.S pushes and pops this layout by hand. */
_Static_assert(__builtin_offsetof(struct arch_regs, r15) == 0, "regs");
_Static_assert(
	__builtin_offsetof(struct arch_regs, r14) == REGS_OFF_R14 &&
		__builtin_offsetof(struct arch_regs, r13) == REGS_OFF_R13 &&
		__builtin_offsetof(struct arch_regs, r12) == REGS_OFF_R12 &&
		__builtin_offsetof(struct arch_regs, rbp) == REGS_OFF_RBP &&
		__builtin_offsetof(struct arch_regs, rbx) == REGS_OFF_RBX,
	"regs");
_Static_assert(__builtin_offsetof(struct arch_regs, r11) ==
		       REGS_OFF_CALLEE_SAVED,
	       "regs");
_Static_assert(__builtin_offsetof(struct arch_regs, rax) == REGS_OFF_RAX,
	       "regs");
_Static_assert(__builtin_offsetof(struct arch_regs, vector) == REGS_OFF_VECTOR,
	       "regs");
_Static_assert(__builtin_offsetof(struct arch_regs, error) ==
		       REGS_OFF_VECTOR + 8,
	       "regs");
_Static_assert(__builtin_offsetof(struct arch_regs, rip) == REGS_OFF_RIP,
	       "regs");
_Static_assert(__builtin_offsetof(struct arch_regs, cs) == REGS_OFF_CS, "regs");
_Static_assert(__builtin_offsetof(struct arch_regs, rsp) == REGS_OFF_RSP,
	       "regs");
_Static_assert(sizeof(struct arch_regs) == REGS_SIZE, "regs");

/*
 * The segment state a user thread controls without asking the kernel:
 * selectors it may load (null, user data, user code, any RPL) and the
 * FS/GS bases those loads (or wrfsbase/wrgsbase) change. Saved from the
 * hardware when the thread is switched out, restored when it is switched
 * in; meaningless while the thread runs (the hardware holds the truth).
 */
struct arch_seg {
	u64 fs_base;
	u64 gs_base; /* the user's; MSR_KERNEL_GS_BASE inside the kernel */
	union {
		struct {
			u16 ds, es, fs, gs;
		};
		u64 sel; /* all four at once: one compare on a switch */
	};
};

/* `sel` must cover exactly the four selectors, for seg_load's compare. */
_Static_assert(__builtin_offsetof(struct arch_seg, ds) ==
			       __builtin_offsetof(struct arch_seg, sel) &&
		       __builtin_offsetof(struct arch_seg, gs) ==
			       __builtin_offsetof(struct arch_seg, sel) + 6 &&
		       sizeof(struct arch_seg) == 24,
	       "arch_seg");

struct arch_thread {
	u64 ksp; /* saved kernel stack pointer while switched out */
	struct arch_seg seg;
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

/*
 * The user selectors of a thread's frame, set once when the frame is born
 * (arch_thread_init). They never change after: every entry from user
 * mode writes the same two values (syscall pushes them; a trap's CPU
 * pushes the CS and SS it ran with, and the GDT has one DPL-3 code and
 * one DPL-3 data descriptor, no LDT and no gates, so ring 3 can hold no
 * others), so a new entry point need not write them again.
 */
static inline void arch_regs_init_segs(struct arch_regs *r)
{
	r->cs = SEL_UCODE;
	r->ss = SEL_UDATA;
}

/*
 * A fresh user entry: pc, stack and flags (interrupts on). The user
 * segments are already in the frame (arch_regs_init_segs): two stores
 * fewer on each IPC call.
 */
static inline void arch_regs_set_entry(struct arch_regs *r, u64 pc, u64 sp)
{
	r->rip = pc;
	r->rsp = sp;
	r->rflags = RFLAGS_IF | RFLAGS_FIXED;
}

static inline void arch_regs_set_ret(struct arch_regs *r, u64 val)
{
	r->rax = val;
}

/* A page fault's frame (vector 14, the SDM's #PF). */
#define ARCH_VEC_PF 14

/*
 * Makes a system call's frame issue the same call again when it returns
 * to user mode (seL4's restart state): back over the two-byte `syscall`
 * (0f 05), with the number in rax; the argument registers are intact.
 * A page fault's frame (a thread waiting for its pager's handler,
 * mm/pager.c) is left as it is: its return executes the faulting
 * instruction again, which is that fault's restart.
 */
static inline void arch_regs_restart_syscall(struct arch_regs *r, u64 nr)
{
	if (unlikely(r->vector == ARCH_VEC_PF))
		return;
	r->rip -= 2;
	r->rax = nr;
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

/* Where the thread resumes in user mode (after a syscall: past it). */
static inline u64 arch_regs_pc(const struct arch_regs *r)
{
	return r->rip;
}

static inline bool arch_regs_from_user(const struct arch_regs *r)
{
	return (r->cs & 3) == 3;
}

#endif /* __ASSEMBLER__ */

#endif
