/*
 * kernel/lib/chacha20.c against RFC 8439's known answers, and the
 * generator in kernel/lib/random.c: exact lengths (ASan-checked), fresh
 * output each call, and a changed state after mixing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <lib/chacha20.h>
#include <lib/random.h>

extern u64 host_hw_random_value;
extern bool host_hw_random_ok;

/* RFC 8439, 2.3.2: key 00..1f, nonce 000000090000004a00000000, block 1. */
static void test_chacha20_rfc8439_2_3_2(void **state)
{
	static const u8 want[64] = {
		0x10, 0xf1, 0xe7, 0xe4, 0xd1, 0x3b, 0x59, 0x15, 0x50, 0x0f,
		0xdd, 0x1f, 0xa3, 0x20, 0x71, 0xc4, 0xc7, 0xd1, 0xf4, 0xc7,
		0x33, 0xc0, 0x68, 0x03, 0x04, 0x22, 0xaa, 0x9a, 0xc3, 0xd4,
		0x6c, 0x4e, 0xd2, 0x82, 0x64, 0x46, 0x07, 0x9f, 0xaa, 0x09,
		0x14, 0xc2, 0xd7, 0x05, 0xd9, 0x8b, 0x02, 0xa2, 0xb5, 0x12,
		0x9c, 0xd1, 0xde, 0x16, 0x4e, 0xb9, 0xcb, 0xd0, 0x83, 0xe8,
		0xa2, 0x50, 0x3c, 0x4e};
	u32 key[8], nonce[3] = {0x09000000, 0x4a000000, 0};
	u8 out[64];

	(void)state;
	for (int i = 0; i < 8; i++)
		key[i] = (u32)(4 * i) | (u32)(4 * i + 1) << 8 |
			 (u32)(4 * i + 2) << 16 | (u32)(4 * i + 3) << 24;
	chacha20_block(key, 1, nonce, out);
	assert_memory_equal(out, want, 64);
}

/* RFC 8439, A.1 test vector #1: all-zero key, nonce and counter. */
static void test_chacha20_rfc8439_a1(void **state)
{
	static const u8 want[64] = {
		0x76, 0xb8, 0xe0, 0xad, 0xa0, 0xf1, 0x3d, 0x90, 0x40, 0x5d,
		0x6a, 0xe5, 0x53, 0x86, 0xbd, 0x28, 0xbd, 0xd2, 0x19, 0xb8,
		0xa0, 0x8d, 0xed, 0x1a, 0xa8, 0x36, 0xef, 0xcc, 0x8b, 0x77,
		0x0d, 0xc7, 0xda, 0x41, 0x59, 0x7c, 0x51, 0x57, 0x48, 0x8d,
		0x77, 0x24, 0xe0, 0x3f, 0xb8, 0xd8, 0x4a, 0x37, 0x6a, 0x43,
		0xb8, 0xf4, 0x15, 0x18, 0xa1, 0x1c, 0xc3, 0x87, 0xb6, 0x69,
		0xb2, 0xee, 0x65, 0x86};
	u32 key[8] = {0}, nonce[3] = {0};
	u8 out[64];

	(void)state;
	chacha20_block(key, 0, nonce, out);
	assert_memory_equal(out, want, 64);
}

static int all_zero(const u8 *p, size_t n)
{
	while (n--)
		if (*p++)
			return 0;
	return 1;
}

static void test_random_exact_lengths(void **state)
{
	static const size_t sizes[] = {0,  1,  16, 31, 32,   33,
				       64, 95, 96, 97, 4096, 10000};

	(void)state;
	random_init();
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		/* Exact-size blocks: ASan flags any byte written past n. */
		u8 *b = malloc(sizes[i] ? sizes[i] : 1);

		assert_non_null(b);
		memset(b, 0, sizes[i]);
		random_bytes(b, sizes[i]);
		if (sizes[i] >= 16)
			assert_false(all_zero(b, sizes[i]));
		free(b);
	}
}

static void test_random_fresh_each_call(void **state)
{
	u8 a[64], b[64], big[4096];
	int seen[256] = {0}, distinct = 0;

	(void)state;
	host_hw_random_ok = true;
	host_hw_random_value = 0x0123456789abcdefull;
	random_init();
	random_bytes(a, sizeof(a));
	random_bytes(b, sizeof(b));
	assert_memory_not_equal(a, b, sizeof(a));
	/* Mixing changes what comes next. */
	random_mix("x", 1);
	random_bytes(b, sizeof(b));
	assert_memory_not_equal(a, b, sizeof(a));
	/* 4 KiB of output uses every byte value (a dead generator would not).
	 */
	random_bytes(big, sizeof(big));
	for (size_t i = 0; i < sizeof(big); i++)
		distinct += !seen[big[i]]++;
	assert_int_equal(distinct, 256);
	host_hw_random_ok = false;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_chacha20_rfc8439_2_3_2),
		cmocka_unit_test(test_chacha20_rfc8439_a1),
		cmocka_unit_test(test_random_exact_lengths),
		cmocka_unit_test(test_random_fresh_each_call),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
