/*
 * kernel/mm/uaccess.c: the range checks in front of every user copy. In
 * the hosted arch "user" pointers are host pointers (heap and stack lie
 * below USER_TOP), so a copy that passes the checks really happens,
 * and one that fails them must not touch memory at all: the kernel-half
 * addresses used here are not mapped in this process.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "kernel_env.h"
#include <arch_defs.h>
#include <mm/uaccess.h>
#include <uapi/ferry/errno.h>

#define KERNEL_VA ((void *)0xffff800000001000ul)
#define uptr(a) ((const void *)(uintptr_t)(a))

static void test_host_buffers_are_user_addresses(void **state)
{
	char stack_buf[8] = "";
	static char static_buf[8];

	(void)state;
	/* The rest of this file depends on it. */
	assert_true(user_range_ok(stack_buf, sizeof(stack_buf)));
	assert_true(user_range_ok(static_buf, sizeof(static_buf)));
}

static void test_range_edges_at_user_top(void **state)
{
	(void)state;
	assert_true(user_range_ok(uptr(USER_TOP - 1), 1));
	assert_true(user_range_ok(uptr(USER_TOP - PAGE_SIZE), PAGE_SIZE));
	assert_false(user_range_ok(uptr(USER_TOP - 1), 2));
	assert_false(user_range_ok(uptr(USER_TOP), 1));
	assert_false(user_range_ok(uptr(USER_TOP + 1), 1));
	/* The whole user half at once, and one byte more. */
	assert_true(user_range_ok(uptr(0), USER_TOP));
	assert_false(user_range_ok(uptr(0), USER_TOP + 1));
	assert_false(user_range_ok(uptr(1), USER_TOP));
}

static void test_range_wraparound(void **state)
{
	(void)state;
	assert_false(user_range_ok(uptr(0x1000), ~(size_t)0));
	assert_false(user_range_ok(uptr(0x1000), (size_t)0 - 0x1000 + 0x10));
	assert_false(user_range_ok(uptr(~0ul - 15), 32));
	assert_false(user_range_ok(uptr(~0ul), 1));
	assert_false(user_range_ok(KERNEL_VA, 16));
}

static void test_range_empty(void **state)
{
	(void)state;
	/* Empty ranges are fine anywhere a byte could start... */
	assert_true(user_range_ok(uptr(0), 0));
	assert_true(user_range_ok(uptr(0x1234), 0));
	assert_true(user_range_ok(uptr(USER_TOP - 1), 0));
	/* ...and at USER_TOP, as Linux's access_ok, but not above it. */
	assert_true(user_range_ok(uptr(USER_TOP), 0));
	assert_false(user_range_ok(uptr(USER_TOP + 1), 0));
	assert_false(user_range_ok(KERNEL_VA, 0));
	assert_false(user_range_ok(uptr(~0ul), 0));
}

static void test_copy_from_user(void **state)
{
	const char src[] = "from user";
	char dst[sizeof(src)];

	(void)state;
	memset(dst, 0, sizeof(dst));
	assert_int_equal(copy_from_user(dst, src, sizeof(src)), 0);
	assert_string_equal(dst, src);
}

static void test_copy_to_user(void **state)
{
	const char src[] = "to user";
	char dst[sizeof(src)];

	(void)state;
	memset(dst, 0, sizeof(dst));
	assert_int_equal(copy_to_user(dst, src, sizeof(src)), 0);
	assert_string_equal(dst, src);
}

static void test_copy_rejects_kernel_half(void **state)
{
	char buf[16] = "untouched";

	(void)state;
	assert_int_equal(copy_from_user(buf, KERNEL_VA, 8), -EFAULT);
	assert_int_equal(copy_to_user(KERNEL_VA, buf, 8), -EFAULT);
	assert_int_equal(copy_from_user(buf, uptr(USER_TOP), 1), -EFAULT);
	assert_int_equal(copy_to_user((void *)USER_TOP, buf, 1), -EFAULT);
	/* Even when nothing would be copied. */
	assert_int_equal(copy_from_user(buf, KERNEL_VA, 0), -EFAULT);
	assert_int_equal(copy_to_user(KERNEL_VA, buf, 0), -EFAULT);
	assert_string_equal(buf, "untouched");
}

static void test_copy_rejects_straddling_and_wrapping(void **state)
{
	char buf[16] = "untouched";

	(void)state;
	assert_int_equal(copy_from_user(buf, uptr(USER_TOP - 4), 8), -EFAULT);
	assert_int_equal(copy_to_user((void *)(USER_TOP - 4), buf, 8), -EFAULT);
	/* A valid start with a length that wraps around. */
	assert_int_equal(copy_from_user(buf, buf, ~(size_t)0), -EFAULT);
	assert_int_equal(copy_to_user(buf, buf, (size_t)0 - (uintptr_t)buf),
			 -EFAULT);
	assert_string_equal(buf, "untouched");
}

static void test_zero_length_copy_touches_nothing(void **state)
{
	char buf[4] = "abc";

	(void)state;
	/* NULL is page 0: in range, and nothing is read or written. */
	assert_int_equal(copy_from_user(buf, NULL, 0), 0);
	assert_int_equal(copy_to_user(NULL, buf, 0), 0);
	assert_string_equal(buf, "abc");
}

static void test_strncpy_lengths(void **state)
{
	char dst[16];

	(void)state;
	memset(dst, 'x', sizeof(dst));
	assert_int_equal(strncpy_from_user(dst, "hello", sizeof(dst)), 5);
	assert_string_equal(dst, "hello");
	assert_int_equal(strncpy_from_user(dst, "", sizeof(dst)), 0);
	assert_string_equal(dst, "");
	/* max counts the NUL: "hello" needs 6. */
	assert_int_equal(strncpy_from_user(dst, "hello", 6), 5);
	assert_string_equal(dst, "hello");
}

static void test_strncpy_too_long(void **state)
{
	char dst[8];

	(void)state;
	memset(dst, 'x', sizeof(dst));
	assert_int_equal(strncpy_from_user(dst, "hello", 5), -ENAMETOOLONG);
	/* What was copied is still terminated within max. */
	assert_string_equal(dst, "hell");
	assert_int_equal(dst[5], 'x');
	assert_int_equal(strncpy_from_user(dst, "ab", 1), -ENAMETOOLONG);
	assert_string_equal(dst, "");
}

static void test_strncpy_zero_max_writes_nothing(void **state)
{
	char dst[4] = "xyz";

	(void)state;
	assert_int_equal(strncpy_from_user(dst, "a", 0), -ENAMETOOLONG);
	assert_string_equal(dst, "xyz");
}

static void test_strncpy_bad_source(void **state)
{
	char dst[8] = "xyz";

	(void)state;
	assert_int_equal(strncpy_from_user(dst, KERNEL_VA, sizeof(dst)),
			 -EFAULT);
	assert_int_equal(strncpy_from_user(dst, uptr(USER_TOP), sizeof(dst)),
			 -EFAULT);
	assert_string_equal(dst, "xyz");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		kenv_test(test_host_buffers_are_user_addresses),
		kenv_test(test_range_edges_at_user_top),
		kenv_test(test_range_wraparound),
		kenv_test(test_range_empty),
		kenv_test(test_copy_from_user),
		kenv_test(test_copy_to_user),
		kenv_test(test_copy_rejects_kernel_half),
		kenv_test(test_copy_rejects_straddling_and_wrapping),
		kenv_test(test_zero_length_copy_touches_nothing),
		kenv_test(test_strncpy_lengths),
		kenv_test(test_strncpy_too_long),
		kenv_test(test_strncpy_zero_max_writes_nothing),
		kenv_test(test_strncpy_bad_source),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
