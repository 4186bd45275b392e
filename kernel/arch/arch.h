/*
 * The arch interface: the only way generic kernel code reaches the CPU.
 * kernel/arch/x86_64/ implements it for the machine and kernel/arch/host/
 * for the hosted unit tests. Per-arch constants and the register frame
 * come from <arch_defs.h>, found through the include path.
 */
#ifndef KERNEL_ARCH_ARCH_H
#define KERNEL_ARCH_ARCH_H

#include <arch_defs.h>
#include <lib/types.h>

struct thread;
struct rtc_raw;

/* Console: polled output, input arrives through console_input(). */
void arch_console_putc(char c);

/* Stop the machine: QEMU exits with a success (0) or failure status. */
void arch_poweroff(int code) __attribute__((noreturn));
void arch_halt_fail(void) __attribute__((noreturn));
/* Boot check kdf: run on an unmapped kernel stack; never returns. */
void arch_boot_stack_fault(void) __attribute__((noreturn));
/* Boot check knmi: send this CPU an NMI; returns once it is taken. */
void arch_boot_nmi(void);
/*
 * Boot check knmi-iret: an NMI at the return to user space, whose code
 * goes in `page` (the kernel's view of the user page at user_va); ends in
 * a report of the user-mode fault that code makes. Never returns.
 */
void arch_boot_nmi_at_iret(void *page, u64 user_va) __attribute__((noreturn));

/* Interrupts. The kernel runs with them off except when idle. */
void arch_idle_wait(void); /* enable, halt until an interrupt, disable */
/*
 * Takes the interrupts pending now (enable, one instruction, disable):
 * the interrupt half of a preemption point (sched_preempt_point()).
 */
void arch_irq_window(void);

/*
 * Time and entropy sources, read by kernel/lib/time.c and random.c.
 * arch_tsc: a cycle counter that never goes back (one CPU today).
 * arch_tsc_calibrate: its rate in ticks per second, measured against a
 * fixed-rate timer (boot only; busy-waits ~20 ms).
 * arch_rtc_read: the battery-backed clock's registers as the chip holds
 * them; 0, or -EIO if the chip does not answer.
 * arch_hw_random: true and 64 random bits from the CPU, false if it has
 * no such source or the source failed.
 */
u64 arch_tsc(void);
u64 arch_tsc_calibrate(void);
int arch_rtc_read(struct rtc_raw *out);
bool arch_hw_random(u64 *out);

/* Paging. Page-table pages come from frame_alloc(). */
void arch_pt_activate(paddr_t root);
void arch_tlb_flush_page(vaddr_t va);
/* The kernel half that every address space shares. */
paddr_t arch_kernel_pt_root(void);

/*
 * Whole pages of kernel memory (the direct map: phys_to_virt), with the
 * CPU's fastest way to fill or move one (x86_64: rep stosq / rep movsq,
 * 512 stores where a C loop takes ~900 instructions: the demand-zero
 * fault pays it on every first touch). `p`, `dst` and `src` are
 * PAGE_SIZE-aligned; the copy's pages do not overlap.
 */
void arch_zero_page(void *p);
void arch_copy_page(void *dst, const void *src);

/*
 * Fault-tolerant copies to and from user memory. The caller has already
 * checked that the range lies in the user half (mm/uaccess.c). They
 * return 0, or -EFAULT if a page fault could not be resolved.
 */
int arch_copy_from_user(void *dst, const void __user *src, size_t n);
int arch_copy_to_user(void __user *dst, const void *src, size_t n);

/* Threads: user register frame, kernel context, FPU, TLS. */
void arch_thread_init(struct thread *t);
/*
 * arch_regs_set_entry(), arch_regs_set_ret() and
 * arch_regs_restart_syscall() (a frame that issues its system call
 * again) are inline in arch_defs.h.
 */
/*
 * Makes a thread's next switch-in start from its user frame, for a
 * thread whose kernel stack was abandoned (IPC migration).
 */
void arch_thread_reset_kctx(struct thread *t);
/* Switches from the running thread to `next` (its kernel context). */
void arch_switch_to(struct thread *prev, struct thread *next);
/*
 * Leaves the kernel into `next`'s user frame now, saving `prev`'s user
 * state (FPU) and abandoning the current kernel stack: IPC migration.
 */
void arch_switch_to_user(struct thread *prev, struct thread *next)
	__attribute__((noreturn));
/*
 * The thread's TLS base (x86_64: FS base). Set: as Linux's ARCH_SET_FS
 * (FS selector 0, then the base). Get: the live value for the running
 * thread, which user mode may have changed behind the kernel's back.
 */
void arch_set_tls(struct thread *t, u64 base);
u64 arch_get_tls(const struct thread *t);
/*
 * A new thread of the same process starts with its creator's live TLS
 * and segment state, as Linux's clone without CLONE_SETTLS.
 */
void arch_thread_inherit_tls(struct thread *t, const struct thread *from);

/*
 * The auxv's AT_HWCAP2 for user programs (Linux's x86 meaning: bit 1,
 * HWCAP2_FSGSBASE, says rdfsbase/wrfsbase work in user mode).
 */
u64 arch_user_hwcap2(void);

#endif
