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
	/*
	 * The kernel runs with known flags whatever the user set: clear
	 * every flag ring 3 can set (as Linux's syscall_init does). NT
	 * matters most: iretq with NT set is a #GP in 64-bit mode. The
	 * user's own flags are in r11 and come back at iretq.
	 */
	wrmsr(MSR_FMASK, RFLAGS_CF | RFLAGS_PF | RFLAGS_AF | RFLAGS_ZF |
				 RFLAGS_SF | RFLAGS_TF | RFLAGS_IF | RFLAGS_DF |
				 RFLAGS_OF | RFLAGS_IOPL | RFLAGS_NT |
				 RFLAGS_RF | RFLAGS_AC | RFLAGS_ID);
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
	arch_regs_init_segs(r);
	arch_regs_set_entry(r, 0, 0);
	arch_thread_reset_kctx(t);
	t->arch.seg = (struct arch_seg){0}; /* no memset call: 3 stores */
	memcpy(t->arch.fpu, fpu_initial, sizeof(fpu_initial));
}

/*
 * Segment state. User mode changes its selectors and the FS/GS bases
 * without the kernel seeing it (a selector load takes the descriptor's
 * base; wrfsbase/wrgsbase with CR4.FSGSBASE), so nothing about them is
 * cached: a switch reads what the hardware holds and reloads only what
 * differs. Inside the kernel the user's GS base is in
 * MSR_KERNEL_GS_BASE (swapgs at entry).
 */
/*
 * The bases: with CR4.FSGSBASE by rdfsbase/wrfsbase (and, for the
 * user's GS base, swapgs around rdgsbase/wrgsbase: interrupts are off,
 * and the NMI path uses no %gs), which are cheaper than the MSRs on
 * hardware and a few instructions fewer; otherwise by the MSRs.
 */
static inline __attribute__((always_inline)) u64 fs_base_read(bool fast)
{
	u64 v;

	if (!fast)
		return rdmsr(MSR_FS_BASE);
	__asm__ volatile("rdfsbase %0" : "=r"(v));
	return v;
}

static inline __attribute__((always_inline)) u64 user_gs_base_read(bool fast)
{
	u64 v;

	if (!fast)
		return rdmsr(MSR_KERNEL_GS_BASE);
	__asm__ volatile("swapgs\n\t"
			 "rdgsbase %0\n\t"
			 "swapgs"
			 : "=r"(v));
	return v;
}

static inline __attribute__((always_inline)) void fs_base_write(bool fast,
								u64 v)
{
	if (fast)
		__asm__ volatile("wrfsbase %0" ::"r"(v) : "memory");
	else
		wrmsr(MSR_FS_BASE, v);
}

static inline __attribute__((always_inline)) void user_gs_base_write(bool fast,
								     u64 v)
{
	if (fast)
		__asm__ volatile("swapgs\n\t"
				 "wrgsbase %0\n\t"
				 "swapgs" ::"r"(v)
				 : "memory");
	else
		wrmsr(MSR_KERNEL_GS_BASE, v);
}

/* The bases by the MSRs: apart, as rdmsr's fixed registers are costly. */
static __attribute__((noinline)) void seg_bases_read_msr(struct thread *t)
{
	struct arch_seg *s = &t->arch.seg;

	s->fs_base = fs_base_read(false);
	s->gs_base = user_gs_base_read(false);
}

/*
 * Into t's record. Takes the thread, not the record, so that a switch
 * passes what it has in a register already.
 */
static inline __attribute__((always_inline)) void seg_save(struct thread *t)
{
	struct arch_seg *s = &t->arch.seg;

	/* One operand, the word `sel`; each selector at its offset in it. */
	__asm__ volatile("mov %%ds, %0\n\t"
			 "mov %%es, 2+%0\n\t"
			 "mov %%fs, 4+%0\n\t"
			 "mov %%gs, 6+%0"
			 : "=m"(s->sel));
	if (unlikely(!cpu_has_fsgsbase)) {
		seg_bases_read_msr(t);
		return;
	}
	s->fs_base = fs_base_read(true);
	s->gs_base = user_gs_base_read(true);
}

static inline void load_fs_sel(u16 sel)
{
	__asm__ volatile("mov %0, %%fs" ::"r"(sel) : "memory");
}

/*
 * Makes the hardware hold `next`'s segment state, given that it holds
 * `prev`'s now (just saved) and that the two differ (a switch's one test
 * found it). Takes the threads, in the registers the switch has them in. A
 * selector load also loads its base, so bases are written after. A %gs load in
 * the kernel would replace the kernel's GS base: swap the user's in around it
 * (as Linux's load_gs_index); interrupts are off. Out of line: the switch keeps
 * none of the registers this needs.
 */
static __attribute__((noinline)) void seg_load(const struct thread *prev_t,
					       const struct thread *next_t)
{
	const struct arch_seg *hw = &prev_t->arch.seg,
			      *next = &next_t->arch.seg;
	bool fast = cpu_has_fsgsbase;
	bool fs_base = next->fs_base != hw->fs_base;
	bool gs_base = next->gs_base != hw->gs_base;

	if (next->sel != hw->sel) {
		if (next->ds != hw->ds)
			__asm__ volatile("mov %0, %%ds" ::"r"(next->ds));
		if (next->es != hw->es)
			__asm__ volatile("mov %0, %%es" ::"r"(next->es));
		if (next->fs != hw->fs) {
			load_fs_sel(next->fs);
			fs_base = true;
		}
		if (next->gs != hw->gs) {
			__asm__ volatile("swapgs\n\t"
					 "mov %0, %%gs\n\t"
					 "swapgs" ::"r"(next->gs)
					 : "memory");
			gs_base = true;
		}
	}
	if (fs_base)
		fs_base_write(fast, next->fs_base);
	if (gs_base)
		user_gs_base_write(fast, next->gs_base);
}

/*
 * Whether anything of the segment state differs: the four selectors
 * compared as one word and both bases folded into the same test.
 */
static inline __attribute__((always_inline)) bool
seg_differs(const struct arch_seg *next, const struct arch_seg *hw)
{
	return ((next->sel ^ hw->sel) | (next->fs_base ^ hw->fs_base) |
		(next->gs_base ^ hw->gs_base)) != 0;
}

/*
 * ARCH_SET_FS, as Linux does it: FS selector 0, then the base, so that
 * the base is the one asked for whatever selector the thread had.
 */
void arch_set_tls(struct thread *t, u64 base)
{
	if (t == current) {
		load_fs_sel(0);
		wrmsr(MSR_FS_BASE, base);
	}
	t->arch.seg.fs = 0;
	t->arch.seg.fs_base = base;
}

u64 arch_get_tls(const struct thread *t)
{
	return t == current ? rdmsr(MSR_FS_BASE) : t->arch.seg.fs_base;
}

/* Saves what user state the kernel does not keep in the frame. */
static inline __attribute__((always_inline)) void
save_user_thread(struct thread *prev)
{
	__asm__ volatile("fxsave %0" : "=m"(prev->arch.fpu));
	seg_save(prev);
}

/*
 * Makes a user thread's address space, kernel stack, FPU and segment
 * state the live ones; prev->arch.seg is the segment state the hardware
 * holds now (just saved). A dead group's threads never run again, so a
 * cached root is live. The segment state is compared first, while the
 * values just read are still in registers (cr3's memory clobber would
 * make the compiler load them again), and loaded last if it differs.
 * The caller sets `current` (sched.c, ipc/).
 */
static inline __attribute__((always_inline)) void
load_user_thread(struct thread *prev, struct thread *next, u64 top)
{
	bool differs = seg_differs(&next->arch.seg, &prev->arch.seg);

	tss_set_rsp0(top); /* interrupts and syscall entry both */
	pt_activate(next->pt_root);
	__asm__ volatile("fxrstor %0" ::"m"(next->arch.fpu));
	if (unlikely(differs))
		seg_load(prev, next);
}

/*
 * The idle thread has no user state: it neither saves nor loads any.
 * After it, the hardware still holds the state of the last user thread,
 * which that thread saved; read it again rather than trust a copy, into
 * the idle thread's own (otherwise unused) segment record.
 */
void arch_switch_to(struct thread *prev, struct thread *next)
{
	if (prev->group)
		save_user_thread(prev);
	if (next->group) {
		if (!prev->group)
			seg_save(prev);
		load_user_thread(prev, next, (u64)next->kstack + KSTACK_SIZE);
	}
	arch_switch_stack(&prev->arch.ksp, next->arch.ksp);
}

/*
 * IPC migration: both threads are user threads, so the frame is left by
 * trap_return_user (no test of the frame's CS), jumped to straight from
 * here (arch_enter_frame, the call that did this, is gone).
 */
void arch_switch_to_user(struct thread *prev, struct thread *next)
{
	u64 top = (u64)next->kstack + KSTACK_SIZE;

	save_user_thread(prev);
	load_user_thread(prev, next, top);
	__asm__ volatile(
		"mov %0, %%rsp\n\t"
		"jmp trap_return_user" ::"r"((struct arch_regs *)top - 1)
		: "memory");
	__builtin_unreachable();
}

/* As Linux's clone: selectors and bases, read live from the creator. */
void arch_thread_inherit_tls(struct thread *t, const struct thread *from)
{
	if (from == current)
		seg_save(t);
	else
		t->arch.seg = from->arch.seg;
}
