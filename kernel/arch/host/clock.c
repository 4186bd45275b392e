/*
 * Time and entropy for the hosted tests: the "TSC" is the host's
 * monotonic clock in nanoseconds (so it runs at 1 GHz), the RTC is a
 * fixed date tests can change, and there is no hardware random source
 * unless a test provides one.
 */
#include <arch/arch.h>
#include <lib/time.h>
#include <time.h>

/* 2024-02-29 13:45:30, BCD, 24-hour: what arch_rtc_read answers. */
struct rtc_raw host_rtc = {0x30, 0x45, 0x13, 0x29, 0x02, 0x24, 0x20, 0x02};
int host_rtc_error;
u64 host_hw_random_value;
bool host_hw_random_ok;

u64 arch_tsc(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (u64)ts.tv_sec * 1000000000ull + (u64)ts.tv_nsec;
}

u64 arch_tsc_calibrate(void)
{
	return 1000000000ull;
}

int arch_rtc_read(struct rtc_raw *out)
{
	if (host_rtc_error)
		return host_rtc_error;
	*out = host_rtc;
	return 0;
}

bool arch_hw_random(u64 *out)
{
	*out = host_hw_random_value;
	return host_hw_random_ok;
}

void arch_irq_window(void)
{
}
