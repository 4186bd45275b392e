/* bench: the kernel's basic costs. See bench.h for what a figure means. */
#include <stdio.h>

#include <ferry/ferry.h>

#include "bench.h"

static uint64_t loop_null(long iters)
{
	uint64_t t0 = bench_rdtsc();

	for (long i = 0; i < iters; i++)
		fy_null();
	return bench_rdtsc() - t0;
}

/* Linux getpid (39) as a raw syscall: the Linux-ABI entry's cost. */
static uint64_t loop_getpid(long iters)
{
	uint64_t t0 = bench_rdtsc();

	for (long i = 0; i < iters; i++)
		fy_syscall0(39);
	return bench_rdtsc() - t0;
}

static void bench_loop(const char *name, uint64_t (*loop)(long))
{
	uint64_t overhead, cycles;

	loop(BENCH_WARMUP);
	overhead = bench_empty_loop(BENCH_ITERS);
	cycles = loop(BENCH_ITERS);
	bench_report(name, cycles, overhead, BENCH_ITERS);
}

int main(int argc, char **argv)
{
	int failed = 0;

	bench_init(argc, argv);
	bench_loop("null_syscall", loop_null);
	bench_loop("linux_getpid", loop_getpid);
	failed |= bench_page_fault();
	failed |= bench_thread();
	failed |= bench_spawn();
	failed |= bench_shm();
	failed |= bench_cap();
	failed |= bench_reserve();
	/* After the others: the tables its mappings leave move no figure. */
	failed |= bench_page_fault_regions();
	/* Last: it leaves this process a server, which others need not pay for.
	 */
	failed |= bench_pager_fault();
	return failed;
}
