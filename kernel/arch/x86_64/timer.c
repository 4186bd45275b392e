/*
 * The legacy 8259 PICs and the 8254 PIT: IRQ 0 is the scheduler tick,
 * IRQ 4 the serial port. The LAPIC timer replaces the PIT with SMP.
 */
#include "cpu.h"
#include <arch/arch.h>

#define PIC1 0x20
#define PIC2 0xa0
#define PIT_HZ 1193182

void pic_init(void)
{
	outb(PIC1, 0x11); /* ICW1: init, ICW4 follows */
	outb(PIC2, 0x11);
	outb(PIC1 + 1, 32); /* vector base */
	outb(PIC2 + 1, 40);
	outb(PIC1 + 1, 4); /* slave on IRQ 2 */
	outb(PIC2 + 1, 2);
	outb(PIC1 + 1, 0x01); /* 8086 mode */
	outb(PIC2 + 1, 0x01);
	outb(PIC1 + 1, (u8) ~((1 << 0) | (1 << 2) | (1 << 4)));
	outb(PIC2 + 1, 0xff);
}

void pic_eoi(int irq)
{
	if (irq >= 8)
		outb(PIC2, 0x20);
	outb(PIC1, 0x20);
}

void pit_init(unsigned hz)
{
	unsigned div = PIT_HZ / hz;

	outb(0x43, 0x36); /* channel 0, lo/hi, rate generator */
	outb(0x40, div & 0xff);
	outb(0x40, (div >> 8) & 0xff);
}
