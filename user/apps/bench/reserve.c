/*
 * mmap_reserve_1tib: a Linux mmap of 1 TiB PROT_NONE and its munmap (issue
 * 11: reservations as large as the address space cost a PMO and a region,
 * no frames and no page tables, and their unmap walks only the page
 * tables there are, never the terabyte page by page).
 * mmap_reserve_4k: the same for one page, the figure the first one
 * should stay close to.
 */
#include <stdio.h>

#include <ferry/ferry.h>

#include "bench.h"

#define LX_MMAP 9
#define LX_MUNMAP 11
#define PROT_NONE 0
#define MAP_PRIVATE_ANON 0x22
#define RESERVE_ITERS 1000
/*
 * At a hint where no page table exists yet (64 TiB, a 512 GiB boundary):
 * the figure is the reservation's own cost. One placed among other
 * mappings also scans the page tables they left in its range, up to 512
 * entries a table (docs/memory.md, "Sizes").
 */
#define RESERVE_HINT 0x400000000000l

static long reserve_len;

static uint64_t loop_reserve(long iters)
{
	uint64_t t0 = bench_rdtsc();

	for (long i = 0; i < iters; i++) {
		long a = fy_syscall6(LX_MMAP, RESERVE_HINT, reserve_len,
				     PROT_NONE, MAP_PRIVATE_ANON, -1, 0);

		fy_syscall2(LX_MUNMAP, a, reserve_len);
	}
	return bench_rdtsc() - t0;
}

static int measure(const char *name, long len)
{
	long probe = fy_syscall6(LX_MMAP, RESERVE_HINT, len, PROT_NONE,
				 MAP_PRIVATE_ANON, -1, 0);
	uint64_t overhead, cycles;

	if (probe < 0) {
		printf("# bench %s: mmap: %ld\n", name, probe);
		return 1;
	}
	fy_syscall2(LX_MUNMAP, probe, len);
	reserve_len = len;
	loop_reserve(RESERVE_ITERS / 10);
	overhead = bench_empty_loop(RESERVE_ITERS);
	cycles = loop_reserve(RESERVE_ITERS);
	bench_report(name, cycles, overhead, RESERVE_ITERS);
	return 0;
}

int bench_reserve(void)
{
	return measure("mmap_reserve_4k", 4096) |
	       measure("mmap_reserve_1tib", 1l << 40);
}
