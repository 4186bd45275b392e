/*
 * thread_create_exit: one thread's whole life, one at a time. Per op the
 * parent creates a thread on a fixed stack, drops its cap, and yields
 * until the thread has run (it sets a flag, then calls SYS_thread_exit)
 * and the kernel's count of live threads is back to where it was, so the
 * thread is gone before the next one reuses its stack. A figure thus
 * includes: thread_create, cap_delete, the yields and switches to the
 * child and back, the child's exit, and a kstat per check.
 */
#include <stdio.h>

#include <ferry/ferry.h>

#include "bench.h"

#define THREAD_ITERS 2000
#define THREAD_WARMUP 100
#define GONE_MAX_YIELDS 10000
#define STACK_SIZE 16384

static char child_stack[STACK_SIZE] __attribute__((aligned(16)));
static volatile long child_ran;

static void child(void *arg)
{
	(void)arg;
	child_ran++;
	fy_thread_exit();
}

static int one_thread(long live_before)
{
	long ran = child_ran;
	long t = fy_thread_create(CAP_SELF_GROUP, child,
				  child_stack + STACK_SIZE, NULL, 0);

	if (t < 0) {
		printf("# bench thread_create_exit: thread_create: %ld\n", t);
		return 1;
	}
	fy_cap_delete((cap_t)t);
	for (int i = 0; i < GONE_MAX_YIELDS; i++) {
		if (child_ran != ran &&
		    fy_kstat(KSTAT_LIVE_BY_TYPE + OBJ_TYPE_THREAD) <=
			    live_before)
			return 0;
		fy_yield();
	}
	printf("# bench thread_create_exit: thread not gone after %d yields\n",
	       GONE_MAX_YIELDS);
	return 1;
}

static int run(long iters, uint64_t *cycles)
{
	long live = fy_kstat(KSTAT_LIVE_BY_TYPE + OBJ_TYPE_THREAD);
	uint64_t t0 = bench_rdtsc();

	for (long i = 0; i < iters; i++) {
		if (one_thread(live))
			return 1;
	}
	*cycles = bench_rdtsc() - t0;
	return 0;
}

int bench_thread(void)
{
	uint64_t cycles;

	if (run(THREAD_WARMUP, &cycles) || run(THREAD_ITERS, &cycles))
		return 1;
	bench_report("thread_create_exit", cycles,
		     bench_empty_loop(THREAD_ITERS), THREAD_ITERS);
	return 0;
}
