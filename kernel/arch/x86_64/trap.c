/*
 * Exceptions and interrupts. A fault in user space kills only its
 * process, with a report; a fault in the kernel is a bug: full report and
 * QEMU exits with a failure status. Page faults go to the vmspace first
 * (demand paging, or an external pager's call for a page only it can
 * supply: mm/pager.c), also from the kernel's user-access copies; any other
 * kernel access to user memory is a bug (SMAP/SMEP catch it) and panics.
 */
#include "cpu.h"
#include <arch/arch.h>
#include <lib/printk.h>
#include <mm/oom.h>
#include <mm/pager.h>
#include <mm/vmspace.h>
#include <object/cap_group.h>
#include <object/thread.h>
#include <sched/sched.h>
#include <uapi/ferry/errno.h>
#include <uapi/ferry/proc.h>

#define VEC_PF 14
#define VEC_IRQ0 32
#define VEC_TIMER (VEC_IRQ0 + 0)
#define VEC_SERIAL (VEC_IRQ0 + 4)

static const char *const exc_names[32] = {
	"divide error",
	"debug",
	"NMI",
	"breakpoint",
	"overflow",
	"bound range",
	"invalid opcode",
	"device not available",
	"double fault",
	"coprocessor overrun",
	"invalid TSS",
	"segment not present",
	"stack fault",
	"general protection",
	"page fault",
	"reserved",
	"x87 FP error",
	"alignment check",
	"machine check",
	"SIMD FP error",
	"virtualization",
	"control protection",
};

struct ex_entry {
	u64 insn, fixup;
};
extern struct ex_entry __ex_table_start[], __ex_table_end[];

static void dump_regs(const struct arch_regs *r)
{
	printk("  rip %016lx  rsp %016lx  rflags %016lx\n", r->rip, r->rsp,
	       r->rflags);
	printk("  rax %016lx  rbx %016lx  rcx %016lx\n", r->rax, r->rbx,
	       r->rcx);
	printk("  rdx %016lx  rsi %016lx  rdi %016lx\n", r->rdx, r->rsi,
	       r->rdi);
	printk("  rbp %016lx  r8  %016lx  r9  %016lx\n", r->rbp, r->r8, r->r9);
	printk("  r10 %016lx  r11 %016lx  r12 %016lx\n", r->r10, r->r11,
	       r->r12);
	printk("  r13 %016lx  r14 %016lx  r15 %016lx\n", r->r13, r->r14,
	       r->r15);
	printk("  cs %lx ss %lx cr3 %016lx\n", r->cs, r->ss, read_cr3());
}

static const char *exc_name(u64 v)
{
	return v < 32 && exc_names[v] ? exc_names[v] : "reserved";
}

static void kernel_fault(struct arch_regs *r, u64 addr, const char *cause)
{
	printk("\n[ferry] KERNEL PANIC: %s (vector %lu) in %s mode\n",
	       exc_name(r->vector), r->vector,
	       arch_regs_from_user(r) ? "user" : "kernel");
	if (cause)
		printk("  cause: %s\n", cause);
	printk("  error %lx  fault address %016lx\n", r->error, addr);
	if (current && current->group)
		printk("  current: pid %u (%s) tid %u, kstack %p\n",
		       current->group->pid, current->group->name, current->tid,
		       current->kstack);
	dump_regs(r);
	arch_halt_fail();
}

static int fault_signal(u64 vector)
{
	switch (vector) {
	case 0:
	case 16:
	case 19:
		return PROC_SIG_FPE;
	case 1: /* single step (TF), icebp */
	case 3: /* int3 */
		return PROC_SIG_TRAP;
	case 6:
		return PROC_SIG_ILL;
	case 17:
		return PROC_SIG_BUS;
	default:
		return PROC_SIG_SEGV;
	}
}

/* A user fault ends the process (all its threads) with a report. */
static void user_fault(struct arch_regs *r, u64 addr)
{
	struct cap_group *g = current->group;

	/* User mode with no user thread: only a boot check does that. */
	if (unlikely(!g))
		kernel_fault(r, addr, "a user-mode fault with no user thread");

	printk("[ferry] pid %u (%s) tid %u killed: %s (vector %lu) at rip "
	       "%016lx, error %lx, address %016lx\n",
	       g->pid, g->name, current->tid, exc_name(r->vector), r->vector,
	       r->rip, r->error, addr);
	dump_regs(r);
	cap_group_exit(g, PROC_STATUS_KILLED(fault_signal(r->vector)));
	thread_exit();
}

/* The fixup for a user-access instruction, or 0: not one. */
static u64 ex_fixup(u64 rip)
{
	for (struct ex_entry *e = __ex_table_start; e < __ex_table_end; e++)
		if (e->insn == rip)
			return e->fixup;
	return 0;
}

#define PF_PRESENT (1ul << 0)
#define PF_USER (1ul << 2)
#define PF_RSVD (1ul << 3)
#define PF_INSN (1ul << 4)

/* Why a kernel-mode page fault at a user address happened. */
static const char *user_addr_cause(u64 error)
{
	if (error & PF_INSN)
		return error & PF_PRESENT
			       ? "SMEP: the kernel executed a user page"
			       : "the kernel jumped to an unmapped user "
				 "address";
	if ((error & PF_PRESENT) && cpu_has_smap)
		return "SMAP: the kernel touched a user page outside the "
		       "user-access layer";
	return "the kernel touched a user address outside the user-access "
	       "layer";
}

static void page_fault(struct arch_regs *r)
{
	u64 addr = read_cr2(), fixup;
	u32 access = 0;
	struct vmspace *vs = NULL;

	if (r->error & 2)
		access |= FAULT_WRITE;
	if (r->error & PF_INSN)
		access |= FAULT_EXEC;
	if (current->group)
		vs = current->group->vmspace;
	/*
	 * A user address may be demand paging, or a page whose rights were
	 * raised since it was mapped: the regions decide either way. The
	 * kernel gets the same service only inside the user-access layer:
	 * a stray kernel access must not be hidden by demand paging.
	 *
	 * From user mode, only a user access (PF_USER) is the regions'
	 * business. A supervisor access made while user code runs (QEMU's
	 * TCG reads the stack of a user iretq/lretq so, and SMAP refuses
	 * it) or a reserved bit would fault again at once whatever the
	 * regions did: the program would loop forever at that instruction.
	 * It is killed instead (Linux oopses and kills it with SIGKILL).
	 */
	if (arch_regs_from_user(r)) {
		int ret = -EFAULT;

		if ((r->error & (PF_USER | PF_RSVD)) == PF_USER && vs &&
		    addr < USER_TOP)
			ret = pager_fault(vs, addr, access);
		if (likely(ret == 0))
			return;
		if (ret == -ENOMEM) { /* a good access, but no memory */
			oom_kill(current->group);
			thread_exit();
		}
		user_fault(r, addr);
	}
	fixup = ex_fixup(r->rip);
	if (fixup) {
		int ret = -EFAULT;

		/* A page only a pager gives: the syscall asks at its end. */
		if (vs && addr < USER_TOP)
			ret = pager_uaccess_fault(vs, addr, access);
		if (ret == 0)
			return;
		/* The copy fails, and the process dies on its way out. */
		if (ret == -ENOMEM)
			oom_kill(current->group);
		r->rip = fixup;
		return;
	}
	kernel_fault(r, addr,
		     addr < USER_TOP ? user_addr_cause(r->error) : NULL);
}

/*
 * A fault raised by the iretq that returns to user space (#NP, #SS, #GP:
 * say a non-canonical rip) is the process's, not the kernel's: iretq is
 * the last step of its return. entry.S has swapped the kernel GS back.
 * The frame iretq was loading is at r->rsp.
 */
static bool iretq_fault(struct arch_regs *r)
{
	extern char iretq_insn[];
	const u64 *frame; /* rip, cs, rflags, rsp, ss */
	struct cap_group *g;

	if (r->rip != (u64)iretq_insn ||
	    !(r->vector == 11 || r->vector == 12 || r->vector == 13))
		return false;
	frame = (const u64 *)r->rsp; /* only now known to be a good stack */
	if ((frame[1] & 3) != 3)
		return false;
	g = current->group;
	printk("[ferry] pid %u (%s) tid %u killed: %s (vector %lu) at the "
	       "return to user space: rip %016lx rsp %016lx rflags %016lx\n",
	       g->pid, g->name, current->tid, exc_name(r->vector), r->vector,
	       frame[0], frame[3], frame[2]);
	cap_group_exit(g, PROC_STATUS_KILLED(PROC_SIG_SEGV));
	thread_exit();
}

/*
 * NMI (entry.S's nmi_entry, its own stack, %gs unknown): nothing here
 * sends NMIs (QEMU's monitor can). Not the interrupted program's fault,
 * whatever it was: reported and ignored, as Linux does with an unknown
 * NMI. It must touch nothing a trap path may be half way through; printk
 * takes no lock.
 */
void nmi_handler(struct arch_regs *r);
void nmi_handler(struct arch_regs *r)
{
	printk("[ferry] NMI received at rip %016lx, ignored\n", r->rip);
}

void trap_handler(struct arch_regs *r)
{
	bool from_user = arch_regs_from_user(r);

	switch (r->vector) {
	case VEC_PF:
		page_fault(r);
		break;
	case VEC_TIMER:
		pic_eoi(0);
		sched_tick();
		break;
	case VEC_SERIAL:
		serial_irq();
		pic_eoi(4);
		break;
	case VEC_IRQ0 + 7:
	case VEC_IRQ0 + 15:
		break; /* spurious */
	default:
		if (r->vector >= VEC_IRQ0) {
			pic_eoi((int)(r->vector - VEC_IRQ0));
			break;
		}
		if (from_user)
			user_fault(r, 0);
		if (iretq_fault(r))
			break;
		kernel_fault(r, read_cr2(), NULL);
	}
	if (from_user) {
		if (sched_need_resched())
			sched_preempt_user();
		thread_exit_if_killed();
	}
}
