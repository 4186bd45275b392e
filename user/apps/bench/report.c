/* What every benchmark program shares: the empty loop and the report line. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "bench.h"

/* What a rdtsc difference counts in this boot (see bench.h). */
static const char *unit = "tsc_ticks_per_op";

void bench_init(int argc, char **argv)
{
	bool icount = false;

	setvbuf(stdout, NULL, _IOLBF, 0);
	for (int i = 1; i < argc; i++)
		icount |= !strcmp(argv[i], BENCH_ICOUNT_ARG);
	if (icount) {
		unit = "insns_per_op";
		return;
	}
	printf("# %s: figures are TSC ticks per operation, which vary with "
	       "the host;\n# `make bench` boots with -icount for guest "
	       "instructions per operation\n",
	       argc > 0 ? argv[0] : "bench");
}

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

	printf("bench %s %s=%llu\n", name, unit,
	       (unsigned long long)((net + ops / 2) / ops));
}
