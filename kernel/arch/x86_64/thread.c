/*
 * Thread state on x86_64. A new thread's kernel stack is laid out as if
 * it had been switched out just before returning to user space: its
 * struct arch_regs at the top, and under it the callee-saved registers
 * and a return address (thread_trampoline) for arch_switch_stack.
 */
#include "cpu.h"
#include <arch/arch.h>
#include <lib/string.h>
#include <mm/vmspace.h>
#include <object/cap_group.h>
#include <object/thread.h>
#include <sched/sched.h>

extern char thread_trampoline[];
void arch_switch_stack(u64 *save_ksp, u64 next_ksp);
void arch_enter_frame(struct arch_regs *frame) __attribute__((noreturn));

struct percpu cpu0;
static u8 fpu_initial[512] __attribute__((aligned(16)));

void fpu_init(void)
{
	u64 cr0, cr4;

	__asm__ volatile("mov %%cr0, %0" : "=r"(cr0));
	cr0 &= ~(1ul << 2);		/* EM: no emulation */
	cr0 |= (1ul << 1) | (1ul << 5); /* MP, NE */
	__asm__ volatile("mov %0, %%cr0" ::"r"(cr0));
	__asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
	cr4 |= (1ul << 9) | (1ul << 10); /* OSFXSR, OSXMMEXCPT */
	__asm__ volatile("mov %0, %%cr4" ::"r"(cr4));
	__asm__ volatile("fninit; fxsave %0" : "=m"(fpu_initial));
	/* MXCSR: all exceptions masked, as the SysV ABI starts a process. */
	*(u32 *)(fpu_initial + 24) = 0x1f80;
}

void syscall_init(void)
{
	extern char syscall_entry[];

	wrmsr(MSR_STAR, ((u64)(SEL_KDATA) << 48) | ((u64)SEL_KCODE << 32));
	wrmsr(MSR_LSTAR, (u64)syscall_entry);
	/* Clear IF, DF, TF and AC on entry. */
	wrmsr(MSR_FMASK, (1u << 9) | (1u << 10) | (1u << 8) | (1u << 18));
	wrmsr(MSR_GS_BASE, (u64)&cpu0);
	wrmsr(MSR_KERNEL_GS_BASE, 0);
}

void arch_thread_reset_kctx(struct thread *t)
{
	u64 *sp = (u64 *)thread_regs(t);

	*--sp = (u64)thread_trampoline;
	for (int i = 0; i < 6; i++)
		*--sp = 0; /* rbp, rbx, r12-r15 */
	t->arch.ksp = (u64)sp;
}

void arch_thread_init(struct thread *t)
{
	struct arch_regs *r = thread_regs(t);

	memset(r, 0, sizeof(*r));
	arch_regs_set_entry(r, 0, 0);
	arch_thread_reset_kctx(t);
	t->arch.fs_base = 0;
	memcpy(t->arch.fpu, fpu_initial, sizeof(fpu_initial));
}

static inline void load_fs(u64 base)
{
	/* wrmsr is slow: skip it when the MSR already holds the value. */
	if (cpu0.fs_base != base) {
		wrmsr(MSR_FS_BASE, base);
		cpu0.fs_base = base;
	}
}

void arch_set_tls(struct thread *t, u64 base)
{
	t->arch.fs_base = base;
	if (t == current)
		load_fs(base);
}

/*
 * Makes a user thread's address space, kernel stack, FPU state and TLS
 * the live ones, after saving the FPU state of the user thread before.
 * A dead group's threads never run again, so a cached root is live.
 */
static inline __attribute__((always_inline)) void
load_user_thread(struct thread *prev, struct thread *next)
{
	u64 top = (u64)next->kstack + KSTACK_SIZE;

	cpu0.kstack_top = top;
	tss_set_rsp0(top);
	pt_activate(next->pt_root);
	if (prev)
		__asm__ volatile("fxsave %0" : "=m"(prev->arch.fpu));
	__asm__ volatile("fxrstor %0" ::"m"(next->arch.fpu));
	load_fs(next->arch.fs_base);
	cpu0.current = next;
}

/* The idle thread has no user state: it neither saves nor loads any. */
void arch_switch_to(struct thread *prev, struct thread *next)
{
	if (next->group) {
		load_user_thread(prev->group ? prev : NULL, next);
	} else {
		if (prev->group)
			__asm__ volatile("fxsave %0" : "=m"(prev->arch.fpu));
		cpu0.current = next;
	}
	arch_switch_stack(&prev->arch.ksp, next->arch.ksp);
}

/* IPC migration: both threads are user threads. */
void arch_switch_to_user(struct thread *prev, struct thread *next)
{
	load_user_thread(prev, next);
	arch_enter_frame(thread_regs(next));
}

void arch_thread_inherit_tls(struct thread *t, const struct thread *from)
{
	t->arch.fs_base = from->arch.fs_base;
}
