/*
 * kernel/lib/string.c, built with its functions renamed (memcpy is kmemcpy
 * here, see build.mk) so that it does not clash with the host's libc.
 * Buffers are exact-sized heap blocks: ASan catches any byte read or
 * written past the range a function was given.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include <lib/string.h>

static unsigned char *filled(size_t n, unsigned char seed)
{
	unsigned char *p = malloc(n ? n : 1);
	size_t i;

	assert_non_null(p);
	for (i = 0; i < n; i++)
		p[i] = (unsigned char)(seed + i);
	return p;
}

static void test_memset_fills_exact_range(void **state)
{
	unsigned char buf[16];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(buf); i++)
		buf[i] = 0xaa;
	assert_ptr_equal(memset(buf + 3, 0x1ff, 5), buf + 3);
	for (i = 0; i < sizeof(buf); i++)
		assert_int_equal(buf[i], i >= 3 && i < 8 ? 0xff : 0xaa);
	memset(buf, 0, 0);
	assert_int_equal(buf[0], 0xaa);
}

static void test_memcpy_copies_and_returns_dest(void **state)
{
	unsigned char *src = filled(33, 1), *dst = filled(33, 100);
	size_t i;

	(void)state;
	assert_ptr_equal(memcpy(dst, src, 33), dst);
	for (i = 0; i < 33; i++)
		assert_int_equal(dst[i], (unsigned char)(1 + i));
	assert_ptr_equal(memcpy(dst, src, 0), dst);
	free(src);
	free(dst);
}

/*
 * Every length up to 80 at every alignment: covers the word-at-a-time
 * runs, their byte tails and the unaligned fallback. The guard bytes on
 * either side must stay as they were.
 */
#define SWEEP_LEN 80
#define SWEEP_PAD 16

static void test_memset_sweep(void **state)
{
	unsigned char buf[SWEEP_PAD + 8 + SWEEP_LEN + SWEEP_PAD];
	size_t off, n, i;

	(void)state;
	for (off = 0; off < 8; off++) {
		for (n = 0; n <= SWEEP_LEN; n++) {
			for (i = 0; i < sizeof(buf); i++)
				buf[i] = 0xee;
			memset(buf + SWEEP_PAD + off, 0x5c, n);
			for (i = 0; i < sizeof(buf); i++) {
				int in = i >= SWEEP_PAD + off &&
					 i < SWEEP_PAD + off + n;

				assert_int_equal(buf[i], in ? 0x5c : 0xee);
			}
		}
	}
}

static void test_memcpy_sweep(void **state)
{
	unsigned char src[8 + SWEEP_LEN],
		dst[SWEEP_PAD + 8 + SWEEP_LEN + SWEEP_PAD];
	size_t doff, soff, n, i;

	(void)state;
	for (i = 0; i < sizeof(src); i++)
		src[i] = (unsigned char)(i * 7 + 1);
	for (doff = 0; doff < 8; doff++) {
		for (soff = 0; soff < 8; soff += 3) {
			for (n = 0; n <= SWEEP_LEN; n++) {
				for (i = 0; i < sizeof(dst); i++)
					dst[i] = 0xee;
				memcpy(dst + SWEEP_PAD + doff, src + soff, n);
				for (i = 0; i < sizeof(dst); i++) {
					size_t at = i - SWEEP_PAD - doff;

					if (i >= SWEEP_PAD + doff && at < n)
						assert_int_equal(
							dst[i], src[soff + at]);
					else
						assert_int_equal(dst[i], 0xee);
				}
			}
		}
	}
}

static void test_memmove_sweep(void **state)
{
	unsigned char b[64], ref[64];
	size_t d, s, n, i;

	(void)state;
	for (d = 0; d < 24; d++) {
		for (s = 0; s < 24; s++) {
			for (n = 0; n <= 40; n++) {
				for (i = 0; i < sizeof(b); i++)
					b[i] = ref[i] = (unsigned char)i;
				/* The reference goes through a scratch copy. */
				for (i = 0; i < n; i++)
					ref[d + i] = (unsigned char)(s + i);
				memmove(b + d, b + s, n);
				assert_memory_equal(b, ref, sizeof(b));
			}
		}
	}
}

static void test_memmove_overlap_forward(void **state)
{
	unsigned char *b = filled(20, 0);
	size_t i;

	(void)state;
	/* dst after src inside it: must copy from the end. */
	memmove(b + 4, b, 16);
	for (i = 0; i < 16; i++)
		assert_int_equal(b[4 + i], i);
	free(b);
}

static void test_memmove_overlap_backward(void **state)
{
	unsigned char *b = filled(20, 0);
	size_t i;

	(void)state;
	memmove(b, b + 4, 16);
	for (i = 0; i < 16; i++)
		assert_int_equal(b[i], i + 4);
	memmove(b, b, 20);
	assert_int_equal(b[19], 19);
	free(b);
}

static void test_memcmp_orders_as_unsigned(void **state)
{
	const unsigned char a[] = {1, 2, 0x80}, b[] = {1, 2, 0x01};

	(void)state;
	assert_true(memcmp(a, b, 3) > 0);
	assert_true(memcmp(b, a, 3) < 0);
	assert_int_equal(memcmp(a, b, 2), 0);
	assert_int_equal(memcmp(a, b, 0), 0);
}

static void test_strlen_and_strnlen(void **state)
{
	char *s = (char *)filled(6, 'a');

	(void)state;
	s[5] = '\0';
	assert_int_equal(strlen(s), 5);
	assert_int_equal(strlen(""), 0);
	assert_int_equal(strnlen(s, 3), 3);
	assert_int_equal(strnlen(s, 100), 5);
	assert_int_equal(strnlen(s, 0), 0);
	/* An unterminated buffer: strnlen must not read past max. */
	s[5] = 'x';
	assert_int_equal(strnlen(s, 6), 6);
	free(s);
}

static void test_strcmp_signs(void **state)
{
	(void)state;
	assert_int_equal(strcmp("abc", "abc"), 0);
	assert_true(strcmp("abc", "abd") < 0);
	assert_true(strcmp("abd", "abc") > 0);
	assert_true(strcmp("ab", "abc") < 0);
	assert_true(strcmp("abc", "ab") > 0);
	assert_true(strcmp("\xff", "a") > 0);
	assert_int_equal(strcmp("", ""), 0);
}

static void test_strncmp_stops_at_n_and_nul(void **state)
{
	(void)state;
	assert_int_equal(strncmp("abcX", "abcY", 3), 0);
	assert_true(strncmp("abcX", "abcY", 4) < 0);
	assert_int_equal(strncmp("ab", "ab", 10), 0);
	assert_true(strncmp("ab", "abc", 10) < 0);
	assert_int_equal(strncmp("x", "y", 0), 0);
	assert_true(strncmp("\x80", "\x7f", 1) > 0);
}

static void test_strlcpy_truncates_and_terminates(void **state)
{
	char *d = malloc(4);

	(void)state;
	assert_non_null(d);
	assert_int_equal(strlcpy(d, "hello", 4), 5);
	assert_string_equal(d, "hel");
	assert_int_equal(strlcpy(d, "hi", 4), 2);
	assert_string_equal(d, "hi");
	assert_int_equal(strlcpy(d, "abc", 4), 3);
	assert_string_equal(d, "abc");
	d[0] = 'q';
	assert_int_equal(strlcpy(d, "zz", 0), 2);
	assert_int_equal(d[0], 'q');
	assert_int_equal(strlcpy(d, "zz", 1), 2);
	assert_int_equal(d[0], '\0');
	free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_memset_fills_exact_range),
		cmocka_unit_test(test_memcpy_copies_and_returns_dest),
		cmocka_unit_test(test_memset_sweep),
		cmocka_unit_test(test_memcpy_sweep),
		cmocka_unit_test(test_memmove_sweep),
		cmocka_unit_test(test_memmove_overlap_forward),
		cmocka_unit_test(test_memmove_overlap_backward),
		cmocka_unit_test(test_memcmp_orders_as_unsigned),
		cmocka_unit_test(test_strlen_and_strnlen),
		cmocka_unit_test(test_strcmp_signs),
		cmocka_unit_test(test_strncmp_stops_at_n_and_nul),
		cmocka_unit_test(test_strlcpy_truncates_and_terminates),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
