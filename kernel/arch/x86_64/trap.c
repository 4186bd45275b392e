/*
 * Exceptions and interrupts. A fault in user space kills only its
 * process, with a report; a fault in the kernel is a bug: full report and
 * QEMU exits with a failure status. Page faults go to the vmspace first
 * (demand paging), also from the kernel's user-access copies.
 */
#include "cpu.h"
#include <arch/arch.h>
#include <lib/printk.h>
#include <mm/vmspace.h>
#include <object/cap_group.h>
#include <object/thread.h>
#include <sched/sched.h>
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

static void kernel_fault(struct arch_regs *r, u64 addr)
{
	printk("\n[ferry] KERNEL PANIC: %s (vector %lu) in kernel mode\n",
	       exc_name(r->vector), r->vector);
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
	case 6:
		return PROC_SIG_ILL;
	default:
		return PROC_SIG_SEGV;
	}
}

/* A user fault ends the process (all its threads) with a report. */
static void user_fault(struct arch_regs *r, u64 addr)
{
	struct cap_group *g = current->group;

	printk("[ferry] pid %u (%s) tid %u killed: %s (vector %lu) at rip "
	       "%016lx, error %lx, address %016lx\n",
	       g->pid, g->name, current->tid, exc_name(r->vector), r->vector,
	       r->rip, r->error, addr);
	dump_regs(r);
	cap_group_exit(g, PROC_STATUS_KILLED(fault_signal(r->vector)));
	thread_exit();
}

static bool try_fixup(struct arch_regs *r)
{
	for (struct ex_entry *e = __ex_table_start; e < __ex_table_end; e++) {
		if (e->insn == r->rip) {
			r->rip = e->fixup;
			return true;
		}
	}
	return false;
}

static void page_fault(struct arch_regs *r)
{
	u64 addr = read_cr2();
	u32 access = 0;
	struct vmspace *vs = NULL;

	if (r->error & 2)
		access |= FAULT_WRITE;
	if (r->error & 16)
		access |= FAULT_EXEC;
	if (current->group)
		vs = current->group->vmspace;
	/*
	 * A user address may be demand paging, or a page whose rights were
	 * raised since it was mapped: the regions decide either way.
	 */
	if (vs && addr < USER_TOP && vmspace_fault(vs, addr, access) == 0)
		return;
	if (arch_regs_from_user(r))
		user_fault(r, addr);
	if (try_fixup(r))
		return;
	kernel_fault(r, addr);
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
		kernel_fault(r, read_cr2());
	}
	if (from_user) {
		if (sched_need_resched())
			sched_yield();
		thread_exit_if_killed();
	}
}
