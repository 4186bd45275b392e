/*
 * Kernel entry and exit. Every way into the kernel from user space builds
 * the same struct arch_regs at the top of the thread's kernel stack, and
 * every way out goes through trap_return (iretq). One frame layout means a
 * thread can be resumed, migrated by IPC or started fresh by pointing
 * %rsp at its frame.
 *
 * The kernel runs with interrupts off (FMASK clears IF on syscall; all
 * IDT gates are interrupt gates): there is no kernel preemption. Only
 * the idle loop and the preemption points of long calls (arch_irq_window,
 * docs/architecture.md "Bounded kernel time") open interrupts, on the
 * current kernel stack.
 *
 * Flags: whatever the user set, the kernel runs with known RFLAGS.
 * syscall clears every user-settable flag through FMASK (thread.c); an
 * interrupt gate clears IF, TF, NT and RF but not DF or AC, so
 * trap_common clears those two. The user's flags stay in the frame and
 * iretq gives them back exactly.
 */
#include <arch_defs.h>
#include <uapi/ferry/syscall_num.h>

/* struct arch_regs (regs.h): what C clobbers first, then what it keeps. */
.macro PUSH_CALLER_SAVED
	pushq %rax
	pushq %rcx
	pushq %rdx
	pushq %rsi
	pushq %rdi
	pushq %r8
	pushq %r9
	pushq %r10
	pushq %r11
.endm

.macro PUSH_CALLEE_SAVED
	pushq %rbx
	pushq %rbp
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
.endm

.macro PUSH_GPRS
	PUSH_CALLER_SAVED
	PUSH_CALLEE_SAVED
.endm

/*
 * stac/clac, each listed in .smap_sites so that boot can patch them into
 * NOPs on a CPU without SMAP, where they are #UD (cpu_features.c).
 */
.macro USER_ACCESS_ON
661:	stac
	.pushsection .smap_sites, "a"
	.quad 661b
	.popsection
.endm

.macro USER_ACCESS_OFF
661:	clac
	.pushsection .smap_sites, "a"
	.quad 661b
	.popsection
.endm

.macro POP_GPRS
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %rbp
	popq %rbx
	popq %r11
	popq %r10
	popq %r9
	popq %r8
	popq %rdi
	popq %rsi
	popq %rdx
	popq %rcx
	popq %rax
.endm

	.text
/* Syscall: rcx = user rip, r11 = user rflags, user rsp still live. */
	.global syscall_entry
	.align 16
syscall_entry:
	swapgs
	movq %rsp, %gs:PERCPU_SCRATCH
	movq tss+TSS_RSP0(%rip), %rsp	/* the kernel stack's top */
	pushq $SEL_UDATA
	pushq %gs:PERCPU_SCRATCH
	pushq %r11
	pushq $SEL_UCODE
	pushq %rcx
	pushq $0			/* error */
	pushq $0x100			/* vector: marks a syscall frame */
	PUSH_CALLER_SAVED
#if IPC_FASTPATH
	/*
	 * The IPC fast path first, its arguments still in the registers
	 * (rdi, rsi, rdx; r10 goes to rcx, C's fourth); it comes back only
	 * to fall through.
	 */
	cmpq $SYS_ipc_call, %rax
	je fast_call
	cmpq $SYS_ipc_return, %rax
	je fast_return
#endif
	PUSH_CALLEE_SAVED
syscall_slow:
	movq %rsp, %rdi
	call syscall_dispatch
	movq %rax, REGS_OFF_RAX(%rsp)	/* the result (arch_regs_set_ret) */
	/*
	 * A syscall frame returns to user mode (no syscall comes from
	 * ring 0), so it falls straight through, as a frame known to return
	 * to user mode (IPC migration, thread.c) jumps in: no test of CS.
	 */
	.global trap_return_user
trap_return_user:
	POP_GPRS
	addq $16, %rsp			/* vector, error */
	swapgs
	/*
	 * If iretq faults (a frame the checks let through: a non-canonical
	 * rip), the fault arrives in kernel mode with the user's GS base
	 * live: trap_common swaps back and trap.c kills the process.
	 */
	.global iretq_insn
iretq_insn:
	iretq

/* Any frame: to user mode as above, or back into the kernel. */
	.global trap_return
trap_return:
	testb $3, REGS_OFF_CS(%rsp)	/* to user? */
	jnz trap_return_user
	POP_GPRS
	addq $16, %rsp			/* vector, error */
	iretq

#if IPC_FASTPATH
/* The caller resumes from its frame when the handler returns: all of it. */
fast_call:
	PUSH_CALLEE_SAVED
	movq %r10, %rcx
	call ipc_fastpath_call
	jmp syscall_slow
/*
 * A handler's return: a handler starts afresh at every call, so if the
 * fast path commits, nothing the handler held is ever read again, and
 * the registers C keeps are not saved, only their room reserved (their
 * slots keep what this thread's own last full entry left there). If it
 * falls back they are still the user's (the C ABI kept them): saved then,
 * for the general path.
 */
fast_return:
	subq $REGS_OFF_CALLEE_SAVED, %rsp
	call ipc_fastpath_return
	movq %rbx, REGS_OFF_RBX(%rsp)
	movq %rbp, REGS_OFF_RBP(%rsp)
	movq %r12, REGS_OFF_R12(%rsp)
	movq %r13, REGS_OFF_R13(%rsp)
	movq %r14, REGS_OFF_R14(%rsp)
	movq %r15, REGS_OFF_R15(%rsp)
	jmp syscall_slow
#endif

trap_common:
	testb $3, (REGS_OFF_CS - REGS_OFF_VECTOR)(%rsp)	/* from user? */
	jz trap_from_kernel
	swapgs
trap_gs_ok:
	PUSH_GPRS
	movq %rsp, %rdi
	cld
	USER_ACCESS_OFF
	call trap_handler
	jmp trap_return

/*
 * From kernel mode GS is the kernel's, except for a fault at the iretq
 * that returns to user space: swapgs already ran for it.
 */
trap_from_kernel:
	cmpq $iretq_insn, (REGS_OFF_RIP - REGS_OFF_VECTOR)(%rsp)
	jne trap_gs_ok
	pushq %rax
	movq (REGS_OFF_RSP - REGS_OFF_VECTOR + 8)(%rsp), %rax
	testb $3, (REGS_OFF_CS - REGS_OFF_RIP)(%rax)	/* iretq's target cs */
	popq %rax
	jz trap_gs_ok
	swapgs
	jmp trap_gs_ok

/*
 * NMI: it may arrive at any instruction, also between trap_return's
 * swapgs and its iretq or at syscall_entry before its swapgs, so the GS
 * base may be the user's or the kernel's whatever CS says (trap_common's
 * check by rip is right only for the faults iretq itself raises). Nothing
 * on this path uses %gs or swaps it: nmi_handler only reports, and the
 * return is straight back to where it came from, on its own stack (IST,
 * idt.c).
 */
nmi_entry:
	PUSH_GPRS
	movq %rsp, %rdi
	cld
	USER_ACCESS_OFF
	call nmi_handler
	POP_GPRS
	addq $16, %rsp			/* vector, error */
	iretq

/* A new thread's first switch returns here with %rsp at its frame. */
	.global thread_trampoline
thread_trampoline:
	call sched_after_switch
	call thread_exit_if_killed
	jmp trap_return

/* void arch_switch_stack(u64 *save_ksp, u64 next_ksp) */
	.global arch_switch_stack
arch_switch_stack:
	pushq %rbp
	pushq %rbx
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	movq %rsp, (%rdi)
	movq %rsi, %rsp
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %rbx
	popq %rbp
	ret

/*
 * int arch_uaccess_copy(void *dst, const void *src, size_t n)
 * The user-access layer: the only code that touches user memory, between
 * stac and clac (SMAP). A fault inside rep movs that the page-fault
 * handler cannot resolve resumes at the fixup, which returns -EFAULT.
 */
	.global arch_uaccess_copy
arch_uaccess_copy:
	USER_ACCESS_ON
	/* Eight bytes a step, then the tail: IPC headers are 16 bytes. */
	movq %rdx, %rcx
	shrq $3, %rcx
uaccess_insn8:
	rep movsq
	movq %rdx, %rcx
	andq $7, %rcx
uaccess_insn1:
	rep movsb
	USER_ACCESS_OFF
	xorl %eax, %eax
	ret
uaccess_fixup:
	USER_ACCESS_OFF
	movl $-14, %eax
	ret
	.section __ex_table, "a"
	.quad uaccess_insn8, uaccess_fixup
	.quad uaccess_insn1, uaccess_fixup
	.text

/* The IDT stubs: push a zero where the CPU pushes no error code. */
.macro ISR n
	.align 16
isr\n:
	.if (\n == 8) || (\n >= 10 && \n <= 14) || (\n == 17) || (\n == 21) || (\n == 29) || (\n == 30)
	.else
	pushq $0
	.endif
	pushq $\n
	.if \n == 2
	jmp nmi_entry
	.else
	jmp trap_common
	.endif
.endm

	.align 16
	.global isr_table_start
isr_table_start:
.altmacro
.set i, 0
.rept 64
	ISR %i
	.set i, i + 1
.endr

	.section .note.GNU-stack, "", @progbits
