/*
 * kernel/lib/printk.c (formatting) and printk_out.c (console, panic),
 * against the host stubs' recording console.
 */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "host_stubs.h"
#include <lib/printk.h>

/* Formats into a fresh buffer and checks both text and returned length. */
#define check_fmt(expect, ...)                                                 \
	do {                                                                   \
		char b_[128];                                                  \
		int r_ = snprintk(b_, sizeof(b_), __VA_ARGS__);                \
		assert_string_equal(b_, expect);                               \
		assert_int_equal(r_, strlen(expect));                          \
	} while (0)

static void test_decimal(void **state)
{
	(void)state;
	check_fmt("0 42 -42", "%d %i %d", 0, 42, -42);
	check_fmt("-2147483648 2147483647", "%d %d", INT_MIN, INT_MAX);
	check_fmt("4294967295", "%u", UINT_MAX);
	check_fmt("-9223372036854775808", "%lld", LLONG_MIN);
	check_fmt("18446744073709551615", "%llu", ULLONG_MAX);
	check_fmt("-1 18446744073709551615", "%ld %lu", -1L, ULONG_MAX);
}

static void test_size_and_short_lengths(void **state)
{
	(void)state;
	check_fmt("123456789012 -5", "%zu %zd", (size_t)123456789012ull,
		  (ptrdiff_t)-5);
	check_fmt("-1 65535 -1 255", "%hd %hu %hhd %hhu", (short)-1,
		  (unsigned short)65535, (signed char)-1, (unsigned char)255);
	/* Wider values are cut to the length the format names. */
	check_fmt("52 4660", "%hhu %hu", 0x1234, 0x11234);
}

static void test_hex(void **state)
{
	(void)state;
	check_fmt("ff FF 0", "%x %X %x", 255, 255, 0);
	check_fmt("deadbeefcafe", "%lx", 0xdeadbeefcafeul);
	check_fmt("ffffffffffffffff", "%llx", ~0ull);
	check_fmt("00000000000abcde", "%016lx", 0xabcdeul);
	check_fmt("000000FF", "%08X", 255u);
}

static void test_width_and_flags(void **state)
{
	(void)state;
	check_fmt("   42|42   |-0042|  -42", "%5d|%-5d|%05d|%5d", 42, 42, -42,
		  -42);
	check_fmt("abc       |       abc", "%-10s|%10s", "abc", "abc");
	check_fmt("toolong", "%3s", "toolong");
	check_fmt("  x|x  ", "%3c|%-3c", 'x', 'x');
	check_fmt("12345", "%2d", 12345);
}

static void test_string_char_percent(void **state)
{
	(void)state;
	check_fmt("a%b", "%c%%%c", 'a', 'b');
	check_fmt("", "%s", "");
	check_fmt("plain text", "plain text");
}

static void test_pointer(void **state)
{
	(void)state;
	check_fmt("0x0000000000001234", "%p", (void *)0x1234);
	check_fmt("0x0000000000000000", "%p", NULL);
	check_fmt("0xffff800000000000", "%p", (void *)0xffff800000000000ul);
	check_fmt("0x0000000000000010  |", "%-20p|", (void *)0x10);
}

/* Formats gcc rightly warns about, used here on purpose. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat"
#pragma GCC diagnostic ignored "-Wformat-extra-args"
#pragma GCC diagnostic ignored "-Wformat-overflow"
static void test_null_string(void **state)
{
	(void)state;
	check_fmt("(null)", "%s", (char *)NULL);
	check_fmt("  (null)|(null)  ", "%8s|%-8s", (char *)NULL, (char *)NULL);
}

static void test_minus_beats_zero(void **state)
{
	(void)state;
	/* As in C: with '-', the '0' flag is ignored. */
	check_fmt("7    |", "%-05d|", 7);
}

static void test_unknown_conversion_printed_as_is(void **state)
{
	(void)state;
	check_fmt("%q %5y", "%q %5y");
	check_fmt("end%", "end%");
	check_fmt("1 %w 2", "%d %w %d", 1, 2);
}

static void test_huge_width_is_capped(void **state)
{
	char b[16];

	(void)state;
	/* A width that would overflow an int must not be UB (UBSan). */
	assert_int_equal(snprintk(b, sizeof(b), "%99999999999999999999d", 1),
			 4096);
	assert_string_equal(b, "               ");
}
#pragma GCC diagnostic pop

static void test_truncation_terminates_and_counts(void **state)
{
	char b[8];

	(void)state;
	memset(b, 'Z', sizeof(b));
	assert_int_equal(snprintk(b, 5, "%s", "abcdefgh"), 8);
	assert_string_equal(b, "abcd");
	assert_int_equal(b[5], 'Z');

	assert_int_equal(snprintk(b, 1, "%d", 12345), 5);
	assert_int_equal(b[0], '\0');

	/* n == 0: nothing at all is written, not even the NUL. */
	b[0] = 'Q';
	assert_int_equal(snprintk(b, 0, "xyz"), 3);
	assert_int_equal(b[0], 'Q');
	assert_int_equal(snprintk(NULL, 0, "%05d", 1), 5);

	/* Truncation in the middle of padding. */
	assert_int_equal(snprintk(b, sizeof(b), "%20s", "x"), 20);
	assert_string_equal(b, "       ");
}

static int vwrap(char *b, size_t n, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vsnprintk(b, n, fmt, ap);
	va_end(ap);
	return r;
}

static void test_vsnprintk_leaves_caller_va_list_usable(void **state)
{
	char b[32];

	(void)state;
	assert_int_equal(vwrap(b, sizeof(b), "%s=%lu", "x", 99ul), 4);
	assert_string_equal(b, "x=99");
}

static void test_printk_writes_to_console(void **state)
{
	(void)state;
	host_console_reset();
	assert_int_equal(printk("boot: %d frames\n", 1024), 18);
	assert_string_equal(host_console, "boot: 1024 frames\n");
}

static void test_printk_cuts_long_lines(void **state)
{
	char big[1000];

	(void)state;
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	host_console_reset();
	assert_int_equal(printk("%s", big), 511);
	assert_int_equal(host_console_len, 511);
}

/*
 * panic is one-shot by design, so this one test covers the first panic
 * (through BUG_ON) and a panic after it, which only halts.
 */
static void test_panic_prints_then_halts_once(void **state)
{
	static const char prefix[] = "[ferry] KERNEL PANIC: BUG_ON(1 + 1 == 2)";
	volatile int halts = 0;
	jmp_buf halt;

	(void)state;
	host_console_reset();
	host_halt_jmp = &halt;
	if (setjmp(halt) == 0)
		BUG_ON(1 + 1 == 2);
	halts++;
	assert_memory_equal(host_console, prefix, strlen(prefix));
	assert_non_null(strstr(host_console, " at tests/unit/test_printk.c:"));
	assert_int_equal(host_console[host_console_len - 1], '\n');

	host_console_reset();
	if (setjmp(halt) == 0)
		panic("frame %d double-freed", 7);
	halts++;
	host_halt_jmp = NULL;
	assert_int_equal(halts, 2);
	assert_int_equal(host_console_len, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decimal),
		cmocka_unit_test(test_size_and_short_lengths),
		cmocka_unit_test(test_hex),
		cmocka_unit_test(test_width_and_flags),
		cmocka_unit_test(test_string_char_percent),
		cmocka_unit_test(test_pointer),
		cmocka_unit_test(test_null_string),
		cmocka_unit_test(test_minus_beats_zero),
		cmocka_unit_test(test_unknown_conversion_printed_as_is),
		cmocka_unit_test(test_truncation_terminates_and_counts),
		cmocka_unit_test(test_huge_width_is_capped),
		cmocka_unit_test(test_vsnprintk_leaves_caller_va_list_usable),
		cmocka_unit_test(test_printk_writes_to_console),
		cmocka_unit_test(test_printk_cuts_long_lines),
		cmocka_unit_test(test_panic_prints_then_halts_once),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
