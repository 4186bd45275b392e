/*
 * The time-stamp counter and its calibration against the 8254 PIT.
 *
 * The TSC is Ferry's clock source: one CPU, so it never goes back. Its
 * rate is measured once at boot by counting TSC ticks while PIT channel 2
 * counts down a known number of its fixed 1.193182 MHz ticks (the method
 * of Linux's pit_calibrate_tsc). Under plain TCG both follow the host's
 * clocks; under `make bench`'s -icount both follow the instruction count
 * (QEMU's virtual clock then advances 1 ns per instruction), so the same
 * code measures whichever rate is in force.
 */
#include "cpu.h"
#include <arch/arch.h>

#define PIT_HZ 1193182
#define PIT_CH2 0x42
#define PIT_CMD 0x43
#define PORT_B 0x61 /* bit 0: channel 2 gate, bit 1: speaker, bit 5: out */
#define CAL_DIV 50  /* measure over 1/50 s = 20 ms */

u64 arch_tsc(void)
{
	u32 lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((u64)hi << 32) | lo;
}

u64 arch_tsc_calibrate(void)
{
	const u32 count = PIT_HZ / CAL_DIV;
	u8 b = inb(PORT_B);
	u64 t0, t1;

	/* Gate on, speaker off; mode 0: OUT rises when the count ends. */
	outb(PORT_B, (u8)((b & ~0x02) | 0x01));
	outb(PIT_CMD, 0xb0); /* channel 2, lo/hi byte, mode 0, binary */
	outb(PIT_CH2, count & 0xff);
	t0 = arch_tsc();
	outb(PIT_CH2, (count >> 8) & 0xff); /* counting starts here */
	do
		t1 = arch_tsc();
	while (!(inb(PORT_B) & 0x20) && t1 - t0 < (1ul << 36));
	outb(PORT_B, b);
	return (t1 - t0) * CAL_DIV;
}
