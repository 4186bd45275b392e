/*
 * GDT and TSS. The selector order (kernel code, kernel data, user data,
 * user code) is the one syscall/sysret require: STAR holds kernel CS and
 * the base from which sysret derives user SS (+8) and CS (+16).
 */
#include "cpu.h"
#include <arch/arch.h>
#include <lib/string.h>

struct tss tss;
static u64 gdt[7];

/* The #DF and NMI stacks (idt.c says why they have their own). */
#define IST_STACK_SIZE 4096
static u8 ist_stack[2][IST_STACK_SIZE] __attribute__((aligned(16)));

static struct {
	u16 limit;
	u64 base;
} __attribute__((packed)) gdt_ptr;

void gdt_init(void)
{
	u64 base = (u64)&tss;
	u64 limit = sizeof(tss) - 1;

	gdt[0] = 0;
	gdt[1] = 0x00af9a000000ffff; /* kernel code, 64-bit */
	gdt[2] = 0x00cf92000000ffff; /* kernel data */
	gdt[3] = 0x00cff2000000ffff; /* user data, DPL 3 */
	gdt[4] = 0x00affa000000ffff; /* user code, 64-bit, DPL 3 */
	gdt[5] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (0x89ul << 40) |
		 (((limit >> 16) & 0xf) << 48) | (((base >> 24) & 0xff) << 56);
	gdt[6] = base >> 32;
	tss.iomap_base = sizeof(tss); /* no I/O bitmap: user ports fault */
	tss.ist[IST_DF - 1] = (u64)ist_stack[0] + IST_STACK_SIZE;
	tss.ist[IST_NMI - 1] = (u64)ist_stack[1] + IST_STACK_SIZE;

	gdt_ptr.limit = sizeof(gdt) - 1;
	gdt_ptr.base = (u64)gdt;
	__asm__ volatile("lgdt %0\n\t"
			 "pushq %1\n\t"
			 "leaq 1f(%%rip), %%rax\n\t"
			 "pushq %%rax\n\t"
			 "lretq\n"
			 "1:\n\t"
			 "movw %w2, %%ds\n\t"
			 "movw %w2, %%es\n\t"
			 "movw %w2, %%ss\n\t"
			 "ltr %w3"
			 :
			 : "m"(gdt_ptr), "i"(SEL_KCODE), "r"(SEL_KDATA),
			   "r"(SEL_TSS)
			 : "rax", "memory");
}
