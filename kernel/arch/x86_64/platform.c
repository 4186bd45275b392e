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

void arch_boot_nmi(void)
{
	volatile u32 *apic = phys_to_virt(LAPIC_BASE);
	u32 id = apic[LAPIC_ID / 4] >> 24;

	apic[LAPIC_ICR_HI / 4] = id << 24;
	apic[LAPIC_ICR_LO / 4] = ICR_NMI;
	for (int i = 0; i < 1000; i++)
		__asm__ volatile("pause");
}
