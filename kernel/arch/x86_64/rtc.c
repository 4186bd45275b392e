/*
 * The MC146818 CMOS real-time clock: read once at boot for the wall
 * clock. The registers are read as the chip holds them (BCD or binary,
 * 12- or 24-hour, per status register B); kernel/lib/time.c decodes them.
 *
 * A read can straddle the chip's once-a-second update, so the registers
 * are read while "update in progress" is clear, twice, until two reads
 * agree (the OSDev wiki's and Linux's mc146818_get_time method).
 */
#include "cpu.h"
#include <arch/arch.h>
#include <lib/time.h>
#include <uapi/ferry/errno.h>

#define CMOS_ADDR 0x70
#define CMOS_DATA 0x71
#define CMOS_NMI_OFF 0x80
#define REG_A_UIP 0x80
#define CENTURY 0x32 /* the ACPI FADT's usual century register (QEMU's) */

static u8 cmos_read(u8 reg)
{
	outb(CMOS_ADDR, reg | CMOS_NMI_OFF);
	return inb(CMOS_DATA);
}

/* False if the chip stays mid-update far longer than its ~2 ms. */
static bool wait_not_updating(void)
{
	for (int i = 0; i < 100000; i++)
		if (!(cmos_read(0x0a) & REG_A_UIP))
			return true;
	return false;
}

static void read_regs(struct rtc_raw *r)
{
	r->sec = cmos_read(0x00);
	r->min = cmos_read(0x02);
	r->hour = cmos_read(0x04);
	r->mday = cmos_read(0x07);
	r->mon = cmos_read(0x08);
	r->year = cmos_read(0x09);
	r->century = cmos_read(CENTURY);
	r->status_b = cmos_read(0x0b);
}

int arch_rtc_read(struct rtc_raw *out)
{
	struct rtc_raw a, b;

	for (int tries = 0; tries < 10; tries++) {
		if (!wait_not_updating())
			return -EIO;
		read_regs(&a);
		if (!wait_not_updating())
			return -EIO;
		read_regs(&b);
		if (a.sec == b.sec && a.min == b.min && a.hour == b.hour &&
		    a.mday == b.mday && a.mon == b.mon && a.year == b.year &&
		    a.century == b.century) {
			*out = b;
			return 0;
		}
	}
	return -EIO;
}
