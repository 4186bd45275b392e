/*
 * pager_fault: one page served by an external pager (docs/memory.md).
 * This program is its own pager: a touch of an absent page of a
 * PMO_PAGED migrates the thread into our handler, which writes the page
 * (SYS_pmo_write of 4 KiB) and returns; the touch then runs again and
 * maps it. A second pass over the present pages is the loop overhead.
 */
#include <stdio.h>

#include <ferry/ipc.h>
#include <uapi/ferry/proto/pager.h>

#include "bench.h"

#define PG_PAGES 256 /* 1 MiB per round */
#define PG_ROUNDS 4  /* plus one warm-up round */
#define PG_VA 0x200010000000ul
#define PAGE 4096ul

static cap_t pmo = -1;

static long handler(struct ipc_msg *msg, uint64_t badge)
{
	static char page[PAGE];
	const struct pager_req *q = (const struct pager_req *)msg;

	(void)badge;
	return fy_pmo_write(pmo, q->offset, page, sizeof(page));
}

static uint64_t touch(volatile char *p, long pages)
{
	uint64_t t0 = bench_rdtsc();

	for (long i = 0; i < pages; i++)
		(void)p[i * PAGE];
	return bench_rdtsc() - t0;
}

static int one_round(cap_t conn, uint64_t *cycles, uint64_t *overhead)
{
	struct vm_map_args a = {.perm = VM_READ,
				.addr = PG_VA,
				.size = PG_PAGES * PAGE,
				.pager = conn};
	long p = fy_pmo_create(PG_PAGES * PAGE, PMO_PAGED), err;

	if (p < 0) {
		printf("# bench pager_fault: pmo_create: %ld\n", p);
		return 1;
	}
	pmo = (cap_t)p;
	a.pmo = pmo;
	err = fy_pmo_map_region(CAP_SELF_GROUP, &a);
	if (err < 0) {
		printf("# bench pager_fault: pmo_map_region: %ld\n", err);
		fy_cap_delete(pmo);
		return 1;
	}
	*cycles += touch((volatile char *)PG_VA, PG_PAGES);
	*overhead += touch((volatile char *)PG_VA, PG_PAGES);
	fy_pmo_unmap(CAP_SELF_GROUP, PG_VA);
	fy_cap_delete(pmo);
	return 0;
}

int bench_pager_fault(void)
{
	struct ipc_conn self;
	uint64_t cycles = 0, overhead = 0;
	long err = ipc_serve(handler, NULL);

	if (!err)
		err = ipc_connect(CAP_SELF_MAIN_THREAD, PAGER_SHM_MIN, &self);
	if (err) {
		printf("# bench pager_fault: serve/connect: %ld\n", err);
		return 1;
	}
	err = one_round(self.cap, &cycles, &overhead);
	cycles = overhead = 0;
	for (int r = 0; !err && r < PG_ROUNDS; r++)
		err = one_round(self.cap, &cycles, &overhead);
	ipc_close(&self);
	if (err)
		return 1;
	bench_report("pager_fault", cycles, overhead,
		     (long)PG_PAGES * PG_ROUNDS);
	return 0;
}
