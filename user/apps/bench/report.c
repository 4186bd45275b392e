/* What every benchmark program shares: the empty loop and the report line. */
#include <stdio.h>

#include "bench.h"

uint64_t bench_empty_loop(long iters)
{
	uint64_t t0 = bench_rdtsc();

	for (long i = 0; i < iters; i++)
		__asm__ volatile("" ::: "memory");
	return bench_rdtsc() - t0;
}

void bench_report(const char *name, uint64_t cycles, uint64_t overhead,
		  long ops)
{
	uint64_t net = cycles > overhead ? cycles - overhead : 0;

	printf("bench %s insns_per_op=%llu\n", name,
	       (unsigned long long)((net + ops / 2) / ops));
}
