/*
 * Hostile sleeps: deadlines so far away that a sum or a signed compare
 * could wrap. Each must sleep (Linux 6.1 saturates them to KTIME_MAX and
 * sleeps for good; checked with linux-ref), never return at once, and
 * never hang the kernel: every sleeper is a thread of its own, and the
 * test's exit (exit_group) kills them all, which the leak check sees.
 */
#include <stdatomic.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <time.h>

#include <ferry/ferry.h>

#include "tap.h"

#define MS 1000000l
#define NSLEEPERS 8

static const struct {
	int clk, flags;
	struct timespec ts;
	const char *what;
} sleeps[NSLEEPERS] = {
	{CLOCK_REALTIME,
	 TIMER_ABSTIME,
	 {INT64_MAX, 999999999},
	 "REALTIME, ABSTIME {INT64_MAX, 999999999}"},
	/* 2286-11-20: past 2^63 ns, below 2^64. */
	{CLOCK_REALTIME,
	 TIMER_ABSTIME,
	 {10000000000l, 0},
	 "REALTIME, ABSTIME {1e10 s} (year 2286)"},
	{CLOCK_REALTIME,
	 0,
	 {INT64_MAX, 999999999},
	 "REALTIME, relative {INT64_MAX, 999999999}"},
	{CLOCK_MONOTONIC,
	 TIMER_ABSTIME,
	 {INT64_MAX, 999999999},
	 "MONOTONIC, ABSTIME {INT64_MAX, 999999999}"},
	{CLOCK_MONOTONIC,
	 0,
	 {INT64_MAX, 999999999},
	 "MONOTONIC, relative {INT64_MAX, 999999999}"},
	{CLOCK_PROCESS_CPUTIME_ID,
	 0,
	 {INT64_MAX, 0},
	 "PROCESS_CPUTIME, relative {INT64_MAX, 0}"},
	{CLOCK_PROCESS_CPUTIME_ID,
	 TIMER_ABSTIME,
	 {INT64_MAX, 0},
	 "PROCESS_CPUTIME, ABSTIME {INT64_MAX, 0}"},
	{CLOCK_PROCESS_CPUTIME_ID,
	 TIMER_ABSTIME,
	 {9300000000l, 0},
	 "PROCESS_CPUTIME, ABSTIME {9.3e9 s} (past 2^63 ns)"},
};

static char stacks[NSLEEPERS][8192] __attribute__((aligned(16)));
static atomic_int woke[NSLEEPERS];
static atomic_long result[NSLEEPERS];

static void sleeper(void *arg)
{
	long i = (long)arg;

	atomic_store(&result[i],
		     fy_syscall4(SYS_clock_nanosleep, sleeps[i].clk,
				 sleeps[i].flags, (long)&sleeps[i].ts, 0));
	atomic_store(&woke[i], 1);
	fy_thread_exit();
}

int main(void)
{
	struct timespec pause = {0, 200 * MS};
	long t;

	for (long i = 0; i < NSLEEPERS; i++) {
		t = fy_thread_create(CAP_SELF_GROUP, sleeper,
				     stacks[i] + sizeof(stacks[i]), (void *)i,
				     0);
		tap_ok(t >= 0, "sleeper %ld started", i);
	}
	/* Long enough for every sleeper to have run and blocked. */
	fy_syscall2(SYS_nanosleep, (long)&pause, 0);
	for (int i = 0; i < NSLEEPERS; i++)
		tap_ok(!atomic_load(&woke[i]),
		       "%s: still asleep after 200 ms (returned %ld)",
		       sleeps[i].what, atomic_load(&result[i]));
	/* The kernel lives on: a short sleep still ends. */
	pause.tv_nsec = MS;
	tap_eq(fy_syscall2(SYS_nanosleep, (long)&pause, 0), 0,
	       "a 1 ms sleep still ends");
	return tap_done(); /* exit_group ends the sleepers */
}
