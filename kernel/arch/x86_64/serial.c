/*
 * COM1 (8250/16550 UART). Output is polled; input raises IRQ 4 and each
 * received byte goes to the generic console's line discipline.
 */
#include "cpu.h"
#include <arch/arch.h>
#include <lib/console.h>

#define COM1 0x3f8

void serial_init(void)
{
	outb(COM1 + 1, 0x00); /* no interrupts while configuring */
	outb(COM1 + 3, 0x80); /* DLAB */
	outb(COM1 + 0, 0x01); /* 115200 baud */
	outb(COM1 + 1, 0x00);
	outb(COM1 + 3, 0x03); /* 8N1 */
	outb(COM1 + 2, 0xc7); /* FIFO on, cleared */
	outb(COM1 + 4, 0x0b); /* DTR, RTS, OUT2 (IRQ line enabled) */
	outb(COM1 + 1, 0x01); /* interrupt on received data */
}

void arch_console_putc(char c)
{
	if (c == '\n')
		arch_console_putc('\r');
	while (!(inb(COM1 + 5) & 0x20))
		;
	outb(COM1, (u8)c);
}

void serial_irq(void)
{
	while (inb(COM1 + 5) & 0x01)
		console_input((char)inb(COM1));
}
