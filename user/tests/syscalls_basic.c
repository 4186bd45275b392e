/*
 * The native calls without objects: null, debug_putc, yield, kstat, and
 * numbers past the end of the native table.
 */
#include <ferry/ferry.h>

#include "tap.h"

static void test_trivial(void)
{
	const char *msg = "# debug_putc works\n";

	tap_eq(fy_null(), 0, "null returns 0");
	tap_eq(fy_yield(), 0, "yield returns 0 with nothing else to run");
	for (int i = 0; i < 100; i++)
		fy_yield();
	tap_eq(fy_null(), 0, "null after 100 yields");

	long ret = 0;
	for (const char *p = msg; *p; p++)
		ret |= fy_debug_putc(*p);
	tap_ok(ret >= 0, "debug_putc accepts a line");
}

static void test_kstat(void)
{
	long free = fy_kstat(KSTAT_FREE_FRAMES);
	long total = fy_kstat(KSTAT_TOTAL_FRAMES);

	tap_ok(free > 0 && free <= total, "kstat free frames %ld of %ld", free,
	       total);
	tap_ok(fy_kstat(KSTAT_LIVE_OBJECTS) > 0, "kstat live objects > 0");
	tap_ok(fy_kstat(KSTAT_KMALLOC_BYTES) >= 0, "kstat kmalloc bytes");
	tap_ok(fy_kstat(KSTAT_LIVE_BY_TYPE + OBJ_TYPE_CAP_GROUP) >= 2,
	       "kstat: at least two processes (init and us)");
	tap_ok(fy_kstat(KSTAT_LIVE_BY_TYPE + OBJ_TYPE_THREAD) >= 2,
	       "kstat: at least two threads");
	tap_eq(fy_kstat(-1), -EINVAL, "kstat(-1) is -EINVAL");
	tap_eq(fy_kstat(9999), -EINVAL, "kstat(9999) is -EINVAL");
	tap_eq(fy_kstat(KSTAT_LIVE_BY_TYPE + OBJ_TYPE_NR), -EINVAL,
	       "kstat past the last object type is -EINVAL");
}

/* The timer must advance KSTAT_TICKS while we spin (bounded). */
static void test_ticks(void)
{
	long t0 = fy_kstat(KSTAT_TICKS), t = t0;

	for (long i = 0; i < 200000000 && t == t0; i++)
		t = fy_kstat(KSTAT_TICKS);
	tap_ok(t > t0, "ticks advance (%ld -> %ld)", t0, t);
}

static void test_bad_numbers(void)
{
	tap_eq(fy_syscall0(FERRY_SYS_BASE + FERRY_SYS_NR), -ENOSYS,
	       "first native number past the table is -ENOSYS");
	tap_eq(fy_syscall0(0x1fff), -ENOSYS, "native 0x1fff is -ENOSYS");
	tap_eq(fy_syscall0(0x7fffffff), -ENOSYS, "0x7fffffff is -ENOSYS");
	tap_eq(fy_syscall0(-1), -ENOSYS, "-1 is -ENOSYS");
	tap_eq(fy_null(), 0, "null still works afterwards");
}

int main(void)
{
	test_trivial();
	test_kstat();
	test_ticks();
	test_bad_numbers();
	return tap_done();
}
