/* x86_64 bring-up, called first thing by kmain. */
#include "cpu.h"
#include <arch/arch.h>
#include <lib/printk.h>

void multiboot_init(u32 magic, u32 info_pa);

void arch_init(u32 magic, u32 info_pa)
{
	serial_init();
	gdt_init();
	idt_init();
	fpu_init();
	cpu_features_init();
	syscall_init();
	multiboot_init(magic, info_pa);
	paging_init();
	pic_init();
	pit_init(100);
}
