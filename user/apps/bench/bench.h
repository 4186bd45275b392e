/*
 * Micro-benchmarks in guest instructions. Under QEMU's -icount shift=0
 * each guest instruction advances the virtual clock by 1 ns and rdtsc reads
 * that clock, so a rdtsc difference is an instruction count that repeats
 * from run to run. Each figure is (cycles of the measured loop - cycles of
 * the same loop with an empty body) / iterations.
 *
 * Only init's bench mode (`make bench`, which boots with -icount) knows
 * that: it passes BENCH_ICOUNT_ARG, and the report lines then read
 * "insns_per_op". Started any other way (from the shell, under plain TCG)
 * a program prints "tsc_ticks_per_op": TSC ticks, which follow the host's
 * speed and load, not instruction counts.
 */
#ifndef BENCH_BENCH_H
#define BENCH_BENCH_H

#include <stdint.h>

#define BENCH_ITERS 10000
#define BENCH_WARMUP 1000

/* argv word by which init's bench mode says "rdtsc counts instructions". */
#define BENCH_ICOUNT_ARG "--icount"

static inline uint64_t bench_rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi)::"memory");
	return ((uint64_t)hi << 32) | lo;
}

/* Reads the argv words above; line-buffers stdout. Call first. */
void bench_init(int argc, char **argv);

/* Cycles of `iters` turns of a loop doing nothing. */
uint64_t bench_empty_loop(long iters);

/* Prints the one line per figure that tools/qemu.sh bench keeps. */
void bench_report(const char *name, uint64_t cycles, uint64_t overhead,
		  long ops);

/* Each returns 0, or nonzero after printing why it could not measure. */
int bench_page_fault(void);
int bench_page_fault_regions(void);
int bench_pager_fault(void);
int bench_thread(void);
int bench_spawn(void);
int bench_shm(void);
int bench_cap(void);
int bench_reserve(void);

#endif
