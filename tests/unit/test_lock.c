/*
 * kernel/lib/lock.h on one CPU: a lock taken twice, or released while
 * free, panics (instead of spinning forever or going unnoticed).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "host_stubs.h"
#include <lib/lock.h>

static void test_lock_unlock_try_lock(void **state)
{
	struct spinlock l = SPINLOCK_INIT;

	(void)state;
	lock(&l);
	assert_true(is_locked(&l));
	assert_int_equal(try_lock(&l), -1);
	unlock(&l);
	assert_false(is_locked(&l));
	assert_int_equal(try_lock(&l), 0);
	unlock(&l);
}

/*
 * panic is one-shot (a panic after the first only halts), so one test
 * checks the first report in full and then that the second misuse halts.
 */
static void test_misuse_panics(void **state)
{
	static const char prefix[] = "[ferry] KERNEL PANIC: lock ";
	struct spinlock l = SPINLOCK_INIT;
	volatile int halts = 0;
	jmp_buf halt;

	(void)state;
	host_console_reset();
	host_halt_jmp = &halt;
	lock(&l);
	if (setjmp(halt) == 0)
		lock(&l); /* on one CPU this would spin forever */
	halts++;
	assert_memory_equal(host_console, prefix, strlen(prefix));
	assert_non_null(strstr(host_console, " taken while held (from "));

	lock_init(&l);
	if (setjmp(halt) == 0)
		unlock(&l);
	halts++;
	host_halt_jmp = NULL;
	assert_int_equal(halts, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lock_unlock_try_lock),
		cmocka_unit_test(test_misuse_panics),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
