/*
 * cap_copy and cap_copy_960: a cap_copy (into the lowest free slot) and
 * the cap_delete of the copy, with only the process's own caps held, then
 * with 960 more held below the free slot the copy lands in. The two
 * figures differ by what slot allocation costs as a table fills
 * (docs/architecture.md, "Capability tables"): equal when it is flat.
 */
#include <stdio.h>

#include <ferry/ferry.h>

#include "bench.h"

#define CAP_HELD 960

static uint64_t loop_copy(long iters)
{
	uint64_t t0 = bench_rdtsc();

	for (long i = 0; i < iters; i++)
		fy_cap_delete(
			(cap_t)fy_cap_copy(CAP_SELF_VMSPACE, CAP_RIGHT_ALL));
	return bench_rdtsc() - t0;
}

static int measure(const char *name)
{
	long probe = fy_cap_copy(CAP_SELF_VMSPACE, CAP_RIGHT_ALL);
	uint64_t overhead, cycles;

	if (probe < 0) {
		printf("# bench %s: cap_copy: %ld\n", name, probe);
		return 1;
	}
	fy_cap_delete((cap_t)probe);
	loop_copy(BENCH_WARMUP);
	overhead = bench_empty_loop(BENCH_ITERS);
	cycles = loop_copy(BENCH_ITERS);
	bench_report(name, cycles, overhead, BENCH_ITERS);
	return 0;
}

int bench_cap(void)
{
	static cap_t held[CAP_HELD];
	int n, failed;

	if (measure("cap_copy"))
		return 1;
	for (n = 0; n < CAP_HELD; n++) {
		long c = fy_cap_copy(CAP_SELF_VMSPACE, CAP_RIGHT_ALL);

		if (c < 0) {
			printf("# bench cap_copy_960: cap_copy %d: %ld\n", n,
			       c);
			break;
		}
		held[n] = (cap_t)c;
	}
	failed = n < CAP_HELD || measure("cap_copy_960");
	while (n > 0)
		fy_cap_delete(held[--n]);
	return failed;
}
