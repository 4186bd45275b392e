/*
 * Kernel time: a monotonic clock in nanoseconds since boot, read from the
 * TSC at its calibrated rate, and the wall clock, which is that plus the
 * offset the CMOS RTC gave at boot (UTC; Ferry has no clock_settime, so
 * the offset never changes and REALTIME is as steady as MONOTONIC).
 */
#ifndef KERNEL_LIB_TIME_H
#define KERNEL_LIB_TIME_H

#include <lib/types.h>

#define NS_PER_SEC 1000000000ull
#define TICK_HZ 100 /* the scheduler tick (arch timer) */
#define NS_PER_TICK (NS_PER_SEC / TICK_HZ)

/* The MC146818 registers as the chip holds them (arch_rtc_read). */
struct rtc_raw {
	u8 sec, min, hour, mday, mon, year;
	u8 century;  /* BCD/binary like the rest; 0 if the chip has none */
	u8 status_b; /* bit 1: 24-hour mode, bit 2: binary (not BCD) */
};

/*
 * Days from 1970-01-01 to the given proleptic Gregorian date (month
 * 1-12, day 1-31); negative before 1970.
 */
s64 days_from_civil(s64 year, unsigned month, unsigned day);
/*
 * Decodes RTC registers into seconds since 1970 UTC in *out. A chip
 * without a century register (0 or not 19-21) is taken to be in
 * 2000-2099. Returns 0, or -EINVAL if a field is out of range.
 */
int rtc_to_unix(const struct rtc_raw *r, s64 *out);

/* Boot: calibrates the TSC, reads the RTC. Needs arch_init done. */
void time_init(void);
/* Sets the TSC rate (ticks per second) that conversions use. */
void time_set_tsc_hz(u64 hz);
u64 time_tsc_hz(void);
/* A TSC tick count converted to nanoseconds at the calibrated rate. */
u64 time_tsc_to_ns(u64 ticks);
/* Nanoseconds since boot (CLOCK_MONOTONIC). */
u64 time_mono_ns(void);
/* As of the last scheduler tick: cheaper, NS_PER_TICK resolution. */
u64 time_mono_coarse_ns(void);
/* Nanoseconds since 1970 UTC (CLOCK_REALTIME). */
s64 time_real_ns(void);
s64 time_real_coarse_ns(void);
/* The wall clock's offset from the monotonic clock, ns. */
s64 time_real_offset_ns(void);
/* Scheduler tick: stamps the coarse clocks. */
void time_tick(void);

#endif
