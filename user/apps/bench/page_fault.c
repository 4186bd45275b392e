/*
 * page_fault_zero: the cost of the first touch of an anonymous page (a
 * fault, a zeroed frame, a page-table update). One byte is written per page
 * of a fresh PMO_ANONYMOUS mapping; a second pass over the same, now
 * present, pages is the loop overhead that gets subtracted.
 *
 * page_fault_512regions: the same with 512 more mappings (one page each,
 * a page apart so none could merge) below the faulting range, the case a
 * region lookup that walks a sorted list pays for (issue 11: flat, within
 * 10% of page_fault_zero, once the list is a tree).
 */
#include <stdio.h>

#include <ferry/ferry.h>

#include "bench.h"

#define PF_PAGES 1024 /* 4 MiB per round */
#define PF_ROUNDS 4   /* plus one warm-up round */
#define PF_VA 0x200000000000ul
#define PAGE 4096ul
#define PF_REGIONS 512
#define PF_REGIONS_VA (PF_VA - 0x10000000ul) /* 4 MiB of them, below */

static uint64_t touch(volatile char *p, long pages)
{
	uint64_t t0 = bench_rdtsc();

	for (long i = 0; i < pages; i++)
		p[i * PAGE] = 1;
	return bench_rdtsc() - t0;
}

static int one_round(const char *name, uint64_t *cycles, uint64_t *overhead)
{
	long pmo = fy_pmo_create(PF_PAGES * PAGE, PMO_ANONYMOUS), err;

	if (pmo < 0) {
		printf("# bench %s: pmo_create: %ld\n", name, pmo);
		return 1;
	}
	err = fy_pmo_map(CAP_SELF_GROUP, (cap_t)pmo, PF_VA, VM_READ | VM_WRITE);
	if (err < 0) {
		printf("# bench %s: pmo_map: %ld\n", name, err);
		fy_cap_delete((cap_t)pmo);
		return 1;
	}
	*cycles += touch((volatile char *)PF_VA, PF_PAGES);
	*overhead += touch((volatile char *)PF_VA, PF_PAGES);
	fy_pmo_unmap(CAP_SELF_GROUP, PF_VA);
	fy_cap_delete((cap_t)pmo);
	return 0;
}

static int measure(const char *name)
{
	uint64_t cycles = 0, overhead = 0;

	if (one_round(name, &cycles, &overhead))
		return 1;
	cycles = overhead = 0;
	for (int r = 0; r < PF_ROUNDS; r++) {
		if (one_round(name, &cycles, &overhead))
			return 1;
	}
	bench_report(name, cycles, overhead, (long)PF_PAGES * PF_ROUNDS);
	return 0;
}

int bench_page_fault(void)
{
	return measure("page_fault_zero");
}

int bench_page_fault_regions(void)
{
	long pmo;
	int n, failed;

	/* One page mapped 512 times, every other page: 512 regions. */
	pmo = fy_pmo_create(PAGE, PMO_ANONYMOUS);
	if (pmo < 0) {
		printf("# bench page_fault_512regions: pmo_create: %ld\n", pmo);
		return 1;
	}
	for (n = 0; n < PF_REGIONS; n++) {
		long err = fy_pmo_map(CAP_SELF_GROUP, (cap_t)pmo,
				      PF_REGIONS_VA + 2 * PAGE * n, VM_READ);

		if (err < 0) {
			printf("# bench page_fault_512regions: pmo_map %d: "
			       "%ld\n",
			       n, err);
			break;
		}
	}
	failed = n < PF_REGIONS || measure("page_fault_512regions");
	while (n > 0)
		fy_pmo_unmap(CAP_SELF_GROUP, PF_REGIONS_VA + 2 * PAGE * --n);
	fy_cap_delete((cap_t)pmo);
	return failed;
}
