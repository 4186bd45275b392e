/*
 * The kernel's clocks (see time.h). Conversions use a 32.32 fixed-point
 * multiplier, ns = ticks * mult >> 32 with mult = 10^9 * 2^32 / hz, in
 * 128-bit arithmetic so no tick count overflows; the multiplier's
 * rounding error is below 10^-9 for any TSC from 1 MHz to 4 GHz.
 *
 * Owner: written once at boot (time_init) and by the tick (coarse
 * stamps); one CPU, interrupts off in the kernel, so readers never see a
 * half-written value. SMP turns the stamps into a seqcount.
 */
#include <arch/arch.h>
#include <lib/printk.h>
#include <lib/time.h>
#include <uapi/ferry/errno.h>

#define RTC_24H 0x02
#define RTC_BINARY 0x04
#define RTC_PM 0x80

static u64 tsc_hz = NS_PER_SEC;
static u64 tsc_mult = 1ull << 32; /* ns per tick, 32.32 */
static u64 tsc_boot;		  /* TSC at time_init: monotonic zero */
static s64 real_offset;		  /* REALTIME - MONOTONIC, ns */
static u64 coarse_ns;		  /* MONOTONIC at the last tick */

s64 days_from_civil(s64 y, unsigned m, unsigned d)
{
	/*
	 * Count from 0000-03-01 so the leap day ends each year; eras are
	 * the 400-year cycles of 146097 days.
	 */
	s64 era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static int bcd(u8 v, bool binary, unsigned *out)
{
	if (binary) {
		*out = v;
		return 0;
	}
	if ((v & 0x0f) > 9 || (v >> 4) > 9)
		return -EINVAL;
	*out = (v >> 4) * 10u + (v & 0x0f);
	return 0;
}

int rtc_to_unix(const struct rtc_raw *r, s64 *out)
{
	bool bin = r->status_b & RTC_BINARY;
	unsigned sec, min, hour, mday, mon, year, cent;
	bool pm = false;
	u8 h = r->hour;

	if (!(r->status_b & RTC_24H)) {
		pm = h & RTC_PM;
		h &= (u8)~RTC_PM;
	}
	if (bcd(r->sec, bin, &sec) || bcd(r->min, bin, &min) ||
	    bcd(h, bin, &hour) || bcd(r->mday, bin, &mday) ||
	    bcd(r->mon, bin, &mon) || bcd(r->year, bin, &year) ||
	    bcd(r->century, bin, &cent))
		return -EINVAL;
	if (!(r->status_b & RTC_24H)) {
		if (hour < 1 || hour > 12)
			return -EINVAL;
		hour = hour % 12 + (pm ? 12 : 0); /* 12 AM is 0, 12 PM 12 */
	}
	if (cent < 19 || cent > 21)
		cent = 20;
	if (sec > 59 || min > 59 || hour > 23 || mday < 1 || mday > 31 ||
	    mon < 1 || mon > 12 || year > 99)
		return -EINVAL;
	*out = days_from_civil(cent * 100 + year, mon, mday) * 86400 +
	       hour * 3600 + min * 60 + sec;
	return 0;
}

void time_set_tsc_hz(u64 hz)
{
	if (hz < 1000000) /* no sane TSC is slower: keep 1 GHz */
		hz = NS_PER_SEC;
	tsc_hz = hz;
	tsc_mult = (NS_PER_SEC << 32) / hz;
}

u64 time_tsc_hz(void)
{
	return tsc_hz;
}

u64 time_tsc_to_ns(u64 ticks)
{
	return (u64)(((unsigned __int128)ticks * tsc_mult) >> 32);
}

u64 time_mono_ns(void)
{
	return time_tsc_to_ns(arch_tsc() - tsc_boot);
}

u64 time_mono_coarse_ns(void)
{
	return coarse_ns;
}

s64 time_real_ns(void)
{
	return (s64)time_mono_ns() + real_offset;
}

s64 time_real_coarse_ns(void)
{
	return (s64)coarse_ns + real_offset;
}

s64 time_real_offset_ns(void)
{
	return real_offset;
}

void time_tick(void)
{
	coarse_ns = time_mono_ns();
}

void time_init(void)
{
	struct rtc_raw r;
	s64 secs = 0;

	time_set_tsc_hz(arch_tsc_calibrate());
	tsc_boot = arch_tsc();
	if (arch_rtc_read(&r) || rtc_to_unix(&r, &secs)) {
		printk("[ferry] time: no readable RTC, the wall clock starts "
		       "at 1970\n");
		secs = 0;
	}
	real_offset = secs * (s64)NS_PER_SEC - (s64)time_mono_ns();
	printk("[ferry] time: TSC %lu kHz, RTC %ld s since 1970\n",
	       tsc_hz / 1000, secs);
}
