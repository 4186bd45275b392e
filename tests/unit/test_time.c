/*
 * kernel/lib/time.c: calendar arithmetic, RTC register decoding (BCD and
 * binary, 12- and 24-hour) and TSC-to-nanosecond conversion, with
 * expected values computed independently (Python's calendar.timegm).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <lib/time.h>
#include <uapi/ferry/errno.h>

extern struct rtc_raw host_rtc;
extern int host_rtc_error;

static void test_days_from_civil(void **state)
{
	(void)state;
	assert_int_equal(days_from_civil(1970, 1, 1), 0);
	assert_int_equal(days_from_civil(1969, 12, 31), -1);
	assert_int_equal(days_from_civil(2000, 3, 1), 11017);
	assert_int_equal(days_from_civil(2024, 2, 29), 19782);
	assert_int_equal(days_from_civil(2100, 3, 1), 47541);
	assert_int_equal(days_from_civil(1600, 1, 1), -135140);
}

static s64 decode(u8 sec, u8 min, u8 hour, u8 mday, u8 mon, u8 year, u8 cent,
		  u8 status_b, int want_ret)
{
	struct rtc_raw r = {sec, min, hour, mday, mon, year, cent, status_b};
	s64 t = -12345;

	assert_int_equal(rtc_to_unix(&r, &t), want_ret);
	return t;
}

static void test_rtc_bcd_24h(void **state)
{
	(void)state;
	/* 2024-02-29 13:45:30 */
	assert_int_equal(
		decode(0x30, 0x45, 0x13, 0x29, 0x02, 0x24, 0x20, 0x02, 0),
		1709214330);
	/* 2099-12-31 00:00:00, no century register: 20xx */
	assert_int_equal(decode(0, 0, 0, 0x31, 0x12, 0x99, 0, 0x02, 0),
			 4102358400);
}

static void test_rtc_binary_12h(void **state)
{
	(void)state;
	/* 2024-02-29 13:45:30 in binary, 24-hour */
	assert_int_equal(decode(30, 45, 13, 29, 2, 24, 20, 0x06, 0),
			 1709214330);
	/* 2001-01-01: 12:30 AM is 00:30, 12:30 PM is 12:30, 1 PM 13:30 */
	assert_int_equal(decode(0, 0x30, 0x12, 1, 1, 1, 0x20, 0x00, 0),
			 978309000);
	assert_int_equal(decode(0, 0x30, 0x92, 1, 1, 1, 0x20, 0x00, 0),
			 978352200);
	assert_int_equal(decode(0, 0x30, 0x81, 1, 1, 1, 0x20, 0x00, 0),
			 978355800);
	assert_int_equal(decode(0, 30, 0x81, 1, 1, 1, 20, 0x04, 0),
			 978355800); /* binary, 12-hour */
}

static void test_rtc_rejects_garbage(void **state)
{
	(void)state;
	decode(0x5a, 0, 0, 1, 1, 0x24, 0x20, 0x02, -EINVAL); /* BCD digit */
	decode(0x60, 0, 0, 1, 1, 0x24, 0x20, 0x02, -EINVAL); /* second 60 */
	decode(0, 0, 0x24, 1, 1, 0x24, 0x20, 0x02, -EINVAL); /* hour 24 */
	decode(0, 0, 0x00, 1, 1, 0x24, 0x20, 0x00, -EINVAL); /* 12h hour 0 */
	decode(0, 0, 0x13, 1, 1, 0x24, 0x20, 0x00, -EINVAL); /* 12h hour 13 */
	decode(0, 0, 0, 0, 1, 0x24, 0x20, 0x02, -EINVAL);    /* day 0 */
	decode(0, 0, 0, 0x32, 1, 0x24, 0x20, 0x02, -EINVAL); /* day 32 */
	decode(0, 0, 0, 1, 0x13, 0x24, 0x20, 0x02, -EINVAL); /* month 13 */
	decode(0, 0, 0, 1, 0, 0x24, 0x20, 0x02, -EINVAL);    /* month 0 */
	decode(0, 0, 0, 1, 1, 100, 20, 0x06, -EINVAL);	     /* year 100 */
	decode(0, 0, 0, 1, 1, 24, 0xff, 0x02, -EINVAL);	     /* bad century */
}

static void test_tsc_conversion(void **state)
{
	(void)state;
	time_set_tsc_hz(1000000000ull);
	assert_int_equal(time_tsc_to_ns(0), 0);
	assert_int_equal(time_tsc_to_ns(123456789), 123456789);
	assert_true(time_tsc_to_ns(1ull << 63) == 1ull << 63);
	/* 2.442634 GHz, the rate TCG showed: one second of ticks is 1 s. */
	time_set_tsc_hz(2442634000ull);
	assert_true(time_tsc_to_ns(2442634000ull) >= 999999999);
	assert_true(time_tsc_to_ns(2442634000ull) <= 1000000000);
	/* An hour, within a microsecond. */
	u64 h = time_tsc_to_ns(2442634000ull * 3600);
	assert_true(h > 3600ull * NS_PER_SEC - 1000 &&
		    h <= 3600ull * NS_PER_SEC);
	/* No overflow for the largest count: 2^64 / 2.44 GHz ~ 239 years. */
	u64 big = time_tsc_to_ns(~0ull);
	assert_true(big > 7550000000ull * NS_PER_SEC &&
		    big < 7553000000ull * NS_PER_SEC);
	assert_int_equal(time_tsc_hz(), 2442634000ull);
	/* A calibration that measured nothing falls back to 1 GHz. */
	time_set_tsc_hz(0);
	assert_int_equal(time_tsc_hz(), 1000000000ull);
}

static void test_time_init_uses_rtc(void **state)
{
	(void)state;
	host_rtc_error = 0;
	time_init();
	/* The host "RTC" says 2024-02-29 13:45:30. */
	assert_true(time_real_ns() >= 1709214330ll * (s64)NS_PER_SEC);
	assert_true(time_real_ns() < 1709214331ll * (s64)NS_PER_SEC);
	u64 a = time_mono_ns(), b = time_mono_ns();
	assert_true(b >= a);
	time_tick();
	assert_true(time_mono_coarse_ns() >= b);
	assert_true(time_mono_coarse_ns() <= time_mono_ns());
	/* No RTC: the wall clock starts at 1970. */
	host_rtc_error = -EIO;
	time_init();
	assert_true(time_real_ns() < (s64)NS_PER_SEC);
	host_rtc_error = 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_days_from_civil),
		cmocka_unit_test(test_rtc_bcd_24h),
		cmocka_unit_test(test_rtc_binary_12h),
		cmocka_unit_test(test_rtc_rejects_garbage),
		cmocka_unit_test(test_tsc_conversion),
		cmocka_unit_test(test_time_init_uses_rtc),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
