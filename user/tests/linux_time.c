/*
 * Linux time calls: clock_gettime, clock_getres, clock_nanosleep,
 * nanosleep, gettimeofday, time, and musl's clock(). Every expected
 * value in the tables was measured under Linux 6.1 with linux-ref; the
 * few places where Ferry differs say why. Then what the clocks mean:
 * the wall clock is after 2020, the monotonic clock has nanosecond steps
 * and never goes back, sleeps last at least as long as asked, and the
 * CPU-time clocks count work (a dead thread's too) and not sleep.
 */
#include <stdatomic.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <ferry/ferry.h>

#include "tap.h"
#include "util.h"

#define NS 1000000000l
#define MS 1000000l
#define Y2020 1577836800l /* 2020-01-01T00:00:00Z */
#define TICK_NS (10 * MS) /* Ferry's scheduler tick */
#define EOPNOTSUPP_ 95

static long ts_ns(const struct timespec *ts)
{
	return ts->tv_sec * NS + ts->tv_nsec;
}

static long now(int clk)
{
	struct timespec ts;

	fy_syscall2(SYS_clock_gettime, clk, (long)&ts);
	return ts_ns(&ts);
}

/*
 * Per clock id: clock_gettime's and clock_getres's result, the
 * resolution, and clock_nanosleep's result for an absolute {0, 0} (a
 * deadline long past, so nothing waits). Negative ids are CPU clocks of
 * pid/tid 0, the caller: ~id >> 3 = 0, bit 2 = thread, bits 0-1 =
 * PROF/VIRT/SCHED, 3 = a clock fd.
 */
static const struct {
	int id;
	long get, res_ns, sleep;
} clocks[] = {
	/* PROF and VIRT: Linux says 4 ms (they are tick-sampled there);
	 * Ferry's count is the exact one SCHED gives, so 1 ns. */
	{-8, 0, 1, 0},
	{-7, 0, 1, 0},
	{-6, 0, 1, 0},
	{-5, -EINVAL, 0, -EOPNOTSUPP_}, /* a clock fd: no such fd */
	{-4, 0, 1, -EINVAL},		/* threads' CPU clocks cannot sleep */
	{-3, 0, 1, -EINVAL},
	{-2, 0, 1, -EINVAL},
	{-1, -EINVAL, 0, -EINVAL}, /* thread, which = 3: invalid */
	{CLOCK_REALTIME, 0, 1, 0},
	{CLOCK_MONOTONIC, 0, 1, 0},
	{CLOCK_PROCESS_CPUTIME_ID, 0, 1, 0},
	{CLOCK_THREAD_CPUTIME_ID, 0, 1, -EOPNOTSUPP_},
	{CLOCK_MONOTONIC_RAW, 0, 1, -EOPNOTSUPP_},
	/* The coarse clocks step once a tick: 4 ms on Debian's Linux
	 * (HZ=250), 10 ms on Ferry (100 Hz). */
	{CLOCK_REALTIME_COARSE, 0, TICK_NS, -EOPNOTSUPP_},
	{CLOCK_MONOTONIC_COARSE, 0, TICK_NS, -EOPNOTSUPP_},
	{CLOCK_BOOTTIME, 0, 1, 0},
	{8 /* REALTIME_ALARM */, 0, 1, 0},
	{9 /* BOOTTIME_ALARM */, 0, 1, 0},
	{10 /* SGI_CYCLE */, -EINVAL, 0, -EINVAL},
	{CLOCK_TAI, 0, 1, 0},
	{12, -EINVAL, 0, -EINVAL},
	{15, -EINVAL, 0, -EINVAL},
	{999, -EINVAL, 0, -EINVAL},
	{-240006, -EINVAL, 0, -EINVAL}, /* pid 30000: nobody */
};

static void test_clock_table(void)
{
	for (unsigned i = 0; i < sizeof(clocks) / sizeof(clocks[0]); i++) {
		struct timespec ts = {-1, -1}, zero = {0, 0};
		int id = clocks[i].id;
		long r;

		r = fy_syscall2(SYS_clock_gettime, id, (long)&ts);
		tap_eq(r, clocks[i].get, "clock_gettime(%d)", id);
		if (r == 0)
			tap_ok(ts.tv_sec >= 0 && ts.tv_nsec >= 0 &&
				       ts.tv_nsec < NS,
			       "clock %d: a valid timespec", id);
		ts.tv_nsec = -1;
		r = fy_syscall2(SYS_clock_getres, id, (long)&ts);
		tap_eq(r, clocks[i].get, "clock_getres(%d)", id);
		if (r == 0)
			tap_ok(ts.tv_sec == 0 && ts.tv_nsec == clocks[i].res_ns,
			       "clock %d: resolution %ld ns (want %ld)", id,
			       ts.tv_nsec, clocks[i].res_ns);
		tap_eq(fy_syscall2(SYS_clock_getres, id, 0), clocks[i].get,
		       "clock_getres(%d, NULL)", id);
		tap_eq(fy_syscall4(SYS_clock_nanosleep, id, TIMER_ABSTIME,
				   (long)&zero, 0),
		       clocks[i].sleep, "clock_nanosleep(%d, ABSTIME, {0,0})",
		       id);
	}
}

static void test_cpu_clock_ids(void)
{
	clockid_t c;
	struct timespec ts;

	/* musl builds a process clock id from the pid: ((-pid-1) << 3)|2. */
	tap_eq(clock_getcpuclockid(getpid(), &c), 0,
	       "clock_getcpuclockid(getpid())");
	tap_eq(fy_syscall2(SYS_clock_gettime, c, (long)&ts), 0,
	       "our own pid's CPU clock reads");
	/* Ferry deviation: Linux reads other processes' CPU clocks too. */
	tap_eq(fy_syscall2(SYS_clock_gettime, (-1 - 1) * 8 + 2, (long)&ts),
	       getpid() == 1 ? 0 : -EINVAL,
	       "pid 1's CPU clock is -EINVAL on Ferry");
}

static void test_clock_errors(void)
{
	struct timespec ts;

	/* clock_gettime(2): EFAULT "tp points outside the accessible
	 * address space"; EINVAL "the clockid specified is invalid". */
	tap_eq(fy_syscall2(SYS_clock_gettime, CLOCK_REALTIME, 8), -EFAULT,
	       "clock_gettime into page 0 is -EFAULT");
	tap_eq(fy_syscall2(SYS_clock_gettime, CLOCK_REALTIME, 0), -EFAULT,
	       "clock_gettime(NULL) is -EFAULT");
	tap_eq(fy_syscall2(SYS_clock_gettime, CLOCK_MONOTONIC,
			   (long)KERNEL_PTR),
	       -EFAULT, "clock_gettime into the kernel is -EFAULT");
	tap_eq(fy_syscall2(SYS_clock_gettime, CLOCK_PROCESS_CPUTIME_ID,
			   (long)unmapped_ptr()),
	       -EFAULT, "clock_gettime into unmapped memory is -EFAULT");
	tap_eq(fy_syscall2(SYS_clock_gettime, 99, 0), -EINVAL,
	       "a bad id is checked before the pointer: -EINVAL");
	tap_eq(fy_syscall2(SYS_clock_gettime, 1l << 32, (long)&ts), 0,
	       "clockid_t is an int: id 1 << 32 is CLOCK_REALTIME");
	tap_eq(fy_syscall2(SYS_clock_getres, CLOCK_REALTIME, 8), -EFAULT,
	       "clock_getres into page 0 is -EFAULT");
}

static void test_sleep_errors(void)
{
	static const struct timespec bad[] = {
		{0, -1}, {0, NS}, {-1, 0}, {-1, -1}};
	struct timespec ok = {0, 1000};

	/* nanosleep(2): EINVAL "tv_nsec not in 0 to 999999999 or tv_sec
	 * is negative", both for relative and absolute sleeps. */
	for (int i = 0; i < 4; i++) {
		tap_eq(fy_syscall2(SYS_nanosleep, (long)&bad[i], 0), -EINVAL,
		       "nanosleep({%ld, %ld}) is -EINVAL", bad[i].tv_sec,
		       bad[i].tv_nsec);
		tap_eq(fy_syscall4(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0,
				   (long)&bad[i], 0),
		       -EINVAL, "clock_nanosleep relative: -EINVAL");
		tap_eq(fy_syscall4(SYS_clock_nanosleep, CLOCK_MONOTONIC,
				   TIMER_ABSTIME, (long)&bad[i], 0),
		       -EINVAL, "clock_nanosleep absolute: -EINVAL");
	}
	tap_eq(fy_syscall2(SYS_nanosleep, 0, 0), -EFAULT,
	       "nanosleep(NULL) is -EFAULT");
	tap_eq(fy_syscall2(SYS_nanosleep, (long)KERNEL_PTR, 0), -EFAULT,
	       "nanosleep(kernel pointer) is -EFAULT");
	/* rem is written only when a signal interrupts the sleep. */
	tap_eq(fy_syscall2(SYS_nanosleep, (long)&ok, 8), 0,
	       "a bad rem pointer is not touched: 0");
	/* Linux looks at TIMER_ABSTIME only; flags is an int. */
	for (long fl = 0; fl < 8; fl++)
		tap_eq(fy_syscall4(SYS_clock_nanosleep, CLOCK_MONOTONIC, fl,
				   (long)&ok, 0),
		       0, "clock_nanosleep flags %ld", fl);
	tap_eq(fy_syscall4(SYS_clock_nanosleep, CLOCK_MONOTONIC, 1l << 32,
			   (long)&ok, 0),
	       0, "clock_nanosleep flags 1 << 32 (an int: 0)");
	tap_eq(fy_syscall4(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0, 0, 0),
	       -EFAULT, "clock_nanosleep(NULL) is -EFAULT");
	tap_eq(fy_syscall4(SYS_clock_nanosleep, 99, 0, 0, 0), -EINVAL,
	       "a bad clock is checked before the pointer: -EINVAL");
	tap_eq(fy_syscall4(SYS_clock_nanosleep, CLOCK_THREAD_CPUTIME_ID, 0, 0,
			   0),
	       -EOPNOTSUPP_, "a clock that cannot sleep, before the pointer");
}

static void test_wall_clock(void)
{
	struct timeval tv;
	struct {
		int minuteswest, dsttime;
	} tz = {77, 77};
	long t, real;

	real = now(CLOCK_REALTIME);
	tap_ok(real / NS > Y2020, "CLOCK_REALTIME is after 2020 (%ld s)",
	       real / NS);
	t = fy_syscall1(SYS_time, 0);
	tap_ok(t >= real / NS && t <= real / NS + 2, "time(NULL) agrees (%ld)",
	       t);
	tap_eq(fy_syscall1(SYS_time, (long)&t), t, "time(&t) returns it");
	tap_ok(t >= real / NS, "and stores it");
	tap_eq(fy_syscall1(SYS_time, 8), -EFAULT, "time(bad) is -EFAULT");
	tap_eq(fy_syscall2(SYS_gettimeofday, 0, 0), 0,
	       "gettimeofday(NULL, NULL) is 0");
	tap_eq(fy_syscall2(SYS_gettimeofday, (long)&tv, (long)&tz), 0,
	       "gettimeofday(&tv, &tz)");
	tap_ok(tv.tv_sec >= real / NS && tv.tv_sec <= real / NS + 2 &&
		       tv.tv_usec >= 0 && tv.tv_usec < 1000000,
	       "gettimeofday agrees (%ld.%06ld)", (long)tv.tv_sec,
	       (long)tv.tv_usec);
	tap_ok(tz.minuteswest == 0 && tz.dsttime == 0,
	       "the timezone is UTC, no DST");
	tap_eq(fy_syscall2(SYS_gettimeofday, 8, 0), -EFAULT,
	       "gettimeofday(bad tv) is -EFAULT");
	tap_eq(fy_syscall2(SYS_gettimeofday, (long)&tv, 8), -EFAULT,
	       "gettimeofday(bad tz) is -EFAULT");
	tap_ok(now(CLOCK_REALTIME_COARSE) <= now(CLOCK_REALTIME) &&
		       now(CLOCK_REALTIME_COARSE) >
			       now(CLOCK_REALTIME) - 3 * TICK_NS,
	       "REALTIME_COARSE trails REALTIME by less than 3 ticks");
}

static void test_monotonic(void)
{
	long a = now(CLOCK_MONOTONIC), b = a, fine = 0;
	int back = 0;

	for (int i = 0; i < 1000; i++) {
		long c = now(CLOCK_MONOTONIC);

		back |= c < b;
		fine |= c % MS != 0;
		b = c;
	}
	tap_ok(!back, "MONOTONIC never goes back (1000 reads)");
	tap_ok(b > a, "and advances");
	tap_ok(fine, "with steps finer than a millisecond");
	tap_ok(b - a < 1000 * MS, "1000 reads take under a second (%ld ns)",
	       b - a);
	a = now(CLOCK_MONOTONIC_COARSE);
	b = now(CLOCK_MONOTONIC);
	tap_ok(a <= b && a > b - 3 * TICK_NS,
	       "MONOTONIC_COARSE trails MONOTONIC by less than 3 ticks");
	tap_ok(now(CLOCK_BOOTTIME) >= b, "BOOTTIME follows MONOTONIC");
}

/*
 * clock_nanosleep(clk, TIMER_ABSTIME) to now + 20 ms on clk (named name):
 * succeeds and wakes no earlier, as two TAP lines ("woke at or after the
 * <deadline>").
 */
static void sleep_until_in_20ms(int clk, const char *name, const char *deadline)
{
	long target = now(clk) + 20 * MS;
	struct timespec abs = {target / NS, target % NS};

	tap_eq(fy_syscall4(SYS_clock_nanosleep, clk, TIMER_ABSTIME, (long)&abs,
			   0),
	       0, "clock_nanosleep(%s, ABSTIME, now + 20 ms)", name);
	tap_ok(now(clk) >= target, "woke at or after the %s", deadline);
}

static void test_sleeps(void)
{
	struct timespec req = {0, 25 * MS}, abs;
	long t0, t1;

	t0 = now(CLOCK_MONOTONIC);
	tap_eq(fy_syscall2(SYS_nanosleep, (long)&req, 0), 0,
	       "nanosleep(25 ms)");
	t1 = now(CLOCK_MONOTONIC);
	tap_ok(t1 - t0 >= 25 * MS, "slept at least 25 ms (%ld ns)", t1 - t0);
	tap_ok(t1 - t0 < 500 * MS, "and not much more");
	req.tv_nsec = 15 * MS;
	t0 = now(CLOCK_MONOTONIC);
	tap_eq(fy_syscall4(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0, (long)&req,
			   0),
	       0, "clock_nanosleep(MONOTONIC, 15 ms)");
	t1 = now(CLOCK_MONOTONIC);
	tap_ok(t1 - t0 >= 15 * MS, "slept at least 15 ms (%ld ns)", t1 - t0);
	sleep_until_in_20ms(CLOCK_MONOTONIC, "MONOTONIC", "deadline");
	sleep_until_in_20ms(CLOCK_REALTIME, "REALTIME", "wall-clock deadline");
	abs.tv_sec = 1;
	abs.tv_nsec = 0;
	tap_eq(fy_syscall4(SYS_clock_nanosleep, CLOCK_REALTIME, TIMER_ABSTIME,
			   (long)&abs, 0),
	       0, "an absolute REALTIME deadline in 1970 returns at once");
	req.tv_nsec = 20 * MS;
	t0 = now(CLOCK_MONOTONIC);
	tap_eq(nanosleep(&req, 0), 0, "musl's nanosleep(20 ms)");
	tap_ok(now(CLOCK_MONOTONIC) - t0 >= 20 * MS, "slept at least 20 ms");
}

static void spin_ms(long ms)
{
	long end = now(CLOCK_MONOTONIC) + ms * MS;

	while (now(CLOCK_MONOTONIC) < end)
		;
}

static char stack[16384] __attribute__((aligned(16)));
static atomic_int spun;

static void spinner(void *arg)
{
	(void)arg;
	spin_ms(40);
	atomic_store(&spun, 1);
	fy_thread_exit();
}

static void test_cpu_time(void)
{
	struct timespec req = {0, 50 * MS};
	long c0, c1, th0, th1, p0, p1;
	clock_t k0, k1;

	/* clock(3) is CLOCK_PROCESS_CPUTIME_ID in microseconds. */
	k0 = clock();
	tap_ok(k0 != (clock_t)-1, "clock() works (%ld)", (long)k0);
	c0 = now(CLOCK_THREAD_CPUTIME_ID);
	spin_ms(50);
	k1 = clock();
	c1 = now(CLOCK_THREAD_CPUTIME_ID);
	tap_ok(k1 - k0 >= 40000, "clock() counts 50 ms of work (%ld us)",
	       (long)(k1 - k0));
	tap_ok(c1 - c0 >= 40 * MS && c1 - c0 < 5000 * MS,
	       "THREAD_CPUTIME counts it too (%ld ns)", c1 - c0);
	th0 = now(CLOCK_THREAD_CPUTIME_ID);
	fy_syscall2(SYS_nanosleep, (long)&req, 0);
	th1 = now(CLOCK_THREAD_CPUTIME_ID);
	tap_ok(th1 - th0 < 10 * MS, "50 ms asleep cost under 10 ms (%ld ns)",
	       th1 - th0);
	/* A thread that works and dies: the process clock keeps its time. */
	p0 = now(CLOCK_PROCESS_CPUTIME_ID);
	th0 = now(CLOCK_THREAD_CPUTIME_ID);
	tap_ok(fy_thread_create(CAP_SELF_GROUP, spinner, stack + sizeof(stack),
				0, 0) >= 0,
	       "a thread that spins 40 ms");
	for (int i = 0; i < 500 && !atomic_load(&spun); i++)
		fy_syscall2(SYS_nanosleep, (long)&(struct timespec){0, MS}, 0);
	fy_syscall2(SYS_nanosleep, (long)&req, 0); /* let it exit */
	p1 = now(CLOCK_PROCESS_CPUTIME_ID);
	th1 = now(CLOCK_THREAD_CPUTIME_ID);
	tap_ok(atomic_load(&spun), "it ran");
	tap_ok(p1 - p0 - (th1 - th0) >= 35 * MS,
	       "the process clock has the dead thread's 40 ms (%ld ns)",
	       p1 - p0 - (th1 - th0));
}

int main(void)
{
	test_clock_table();
	test_cpu_clock_ids();
	test_clock_errors();
	test_sleep_errors();
	test_wall_clock();
	test_monotonic();
	test_sleeps();
	test_cpu_time();
	return tap_done();
}
