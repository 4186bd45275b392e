/* Machine control: halting, QEMU exit, idle wait. */
#include "cpu.h"
#include <arch/arch.h>

/* QEMU's isa-debug-exit device: QEMU exits with status (value << 1) | 1. */
#define DEBUG_EXIT_PORT 0xf4

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
