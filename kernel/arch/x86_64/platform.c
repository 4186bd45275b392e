/* Machine control: halting, QEMU exit, idle wait. */
#include "cpu.h"
#include <arch/arch.h>

/* QEMU's isa-debug-exit device: QEMU exits with status (value << 1) | 1. */
#define DEBUG_EXIT_PORT 0xf4

/* A kernel-half address the boot tables do not map (PML4 slot 257). */
#define KDF_STACK 0xffff808000001000ul

void arch_poweroff(int code)
{
	outl(DEBUG_EXIT_PORT, (u32)code);
	/* Without the device (a plain QEMU), try ACPI off, then halt. */
	outw(0x604, 0x2000);
	for (;;)
		__asm__ volatile("cli; hlt");
}

void arch_halt_fail(void)
{
	arch_poweroff(0x7f);
}

void arch_idle_wait(void)
{
	__asm__ volatile("sti; hlt; cli" ::: "memory");
}

void arch_irq_window(void)
{
	/* sti holds interrupts off for one more instruction: the nop. */
	__asm__ volatile("sti; nop; cli" ::: "memory");
}

/*
 * The kdf boot check: runs on a stack that is not mapped, as a kernel
 * stack overflowing into a guard page would. The push faults, the #PF
 * cannot push its frame either, and the #DF must report on its own stack
 * (tss.ist) instead of a triple fault.
 */
void arch_boot_stack_fault(void)
{
	__asm__ volatile("movq %0, %%rsp\n\t"
			 "pushq $0" ::"r"(KDF_STACK)
			 : "memory");
	for (;;)
		;
}

/*
 * The knmi boot check: the local APIC (at its reset address, direct-
 * mapped) sends this CPU an NMI (ICR: delivery mode NMI, physical
 * destination = our APIC id). trap.c must report it and carry on.
 */
#define LAPIC_BASE 0xfee00000ul
#define LAPIC_ID 0x20
#define LAPIC_ICR_LO 0x300
#define LAPIC_ICR_HI 0x310
#define ICR_NMI (4u << 8)

static volatile u32 *nmi_self_setup(void)
{
	volatile u32 *apic = phys_to_virt(LAPIC_BASE);

	apic[LAPIC_ICR_HI / 4] = (apic[LAPIC_ID / 4] >> 24) << 24;
	return apic + LAPIC_ICR_LO / 4;
}

void arch_boot_nmi(void)
{
	*nmi_self_setup() = ICR_NMI;
	for (int i = 0; i < 1000; i++)
		__asm__ volatile("pause");
}

/*
 * The knmi-iret boot check: an NMI exactly at trap_return's iretq to
 * user space, after its swapgs, when the GS base live is the user's
 * although CS is still the kernel's. The user code, at user_va (a user
 * page whose kernel alias is `page`), reads its GS base and faults
 * (rdgsbase %rax; ud2): the report must show rax = the user's base
 * (KNMI_USER_GS), not the kernel's. Under TCG an interrupt is taken at
 * the start of a translation block: the ICR write just before a jump
 * to iretq_insn makes the NMI arrive there. Interrupts stay off in user
 * mode; tss.rsp0 is a part of this boot stack for the #UD.
 */
#define KNMI_USER_GS 0x00005a5a5a5a5000ul

void arch_boot_nmi_at_iret(void *page, u64 user_va)
{
	static const u8 code[] = {0xf3, 0x48, 0x0f, 0xae, 0xc8, /* rdgsbase */
				  0x0f, 0x0b};			/* ud2 */
	u64 sp = (u64)__builtin_frame_address(0) - 2048;
	volatile u32 *icr = nmi_self_setup();

	for (unsigned i = 0; i < sizeof(code); i++)
		((u8 *)page)[i] = code[i];
	tss_set_rsp0(sp & ~15ul);
	wrmsr(MSR_KERNEL_GS_BASE, KNMI_USER_GS);
	__asm__ volatile("pushq %[ss]\n\t"
			 "pushq %[usp]\n\t"
			 "pushq $2\n\t" /* rflags: IF off */
			 "pushq %[cs]\n\t"
			 "pushq %[upc]\n\t"
			 "swapgs\n\t"
			 "movl %[nmi], (%[icr])\n\t"
			 "jmp iretq_insn"
			 :
			 : [ss] "i"(SEL_UDATA), [cs] "i"(SEL_UCODE),
			   [usp] "r"(user_va + 2048), [upc] "r"(user_va),
			   [nmi] "r"(ICR_NMI), [icr] "r"(icr)
			 : "memory");
	for (;;)
		;
}
