/* The IDT: 64 interrupt gates (exceptions 0-31, PIC IRQs 32-47). */
#include "cpu.h"
#include <arch/arch.h>

#define IDT_ENTRIES 64
#define VEC_NMI 2
#define VEC_BP 3
#define VEC_DF 8
#define ISR_STUB_SIZE 16 /* entry.S aligns each stub to 16 bytes */

struct idt_gate {
	u16 off_lo;
	u16 sel;
	u8 ist;
	u8 type;
	u16 off_mid;
	u32 off_hi;
	u32 zero;
} __attribute__((packed));

static struct idt_gate idt[IDT_ENTRIES];
extern char isr_table_start[];

void idt_init(void)
{
	struct {
		u16 limit;
		u64 base;
	} __attribute__((packed)) ptr;

	for (int i = 0; i < IDT_ENTRIES; i++) {
		u64 h = (u64)isr_table_start + (u64)i * ISR_STUB_SIZE;
		idt[i].off_lo = h & 0xffff;
		idt[i].sel = SEL_KCODE;
		/*
		 * #DF and NMI run on stacks of their own (tss.ist, gdt.c):
		 * a #DF comes when the kernel stack itself is bad (an
		 * overflow into an unmapped page), where pushing its frame
		 * there would be a triple fault and a reset with no report;
		 * an NMI may come at syscall_entry's first instruction,
		 * before %rsp is the kernel's.
		 */
		idt[i].ist = i == VEC_DF ? IST_DF : i == VEC_NMI ? IST_NMI : 0;
		/*
		 * Interrupt gate, DPL 0: int $n from user faults with #GP.
		 * Except #BP, DPL 3 as on Linux: int3 in user mode is a
		 * breakpoint (SIGTRAP), not a protection fault.
		 */
		idt[i].type = i == VEC_BP ? 0xee : 0x8e;
		idt[i].off_mid = (h >> 16) & 0xffff;
		idt[i].off_hi = h >> 32;
		idt[i].zero = 0;
	}
	ptr.limit = sizeof(idt) - 1;
	ptr.base = (u64)idt;
	__asm__ volatile("lidt %0" ::"m"(ptr));
}
