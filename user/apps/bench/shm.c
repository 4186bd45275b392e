/*
 * System V shm through the Linux calls (docs/linux-abi.md):
 *  - shm_cycle: shmget(IPC_PRIVATE, 4 KiB) + shmat + a one-byte write
 *    (the page fault and its zeroed frame) + shmdt + IPC_RMID (the
 *    frame freed): a segment's whole life. Linux 6.1's figure comes from
 *    bench/linux/shm_cycle.c in the same QEMU.
 *  - shm_attach: shmat + shmdt of one existing, untouched segment.
 */
#include <stdio.h>
#include <sys/ipc.h>
#include <sys/shm.h>

#include "bench.h"

#define SHM_ITERS 2000

static uint64_t loop_cycle(long iters, int *bad)
{
	uint64_t t0 = bench_rdtsc();

	for (long i = 0; i < iters; i++) {
		int id = shmget(IPC_PRIVATE, 4096, 0600);
		volatile char *p = shmat(id, 0, 0);

		if (p == (void *)-1) {
			(*bad)++;
			continue;
		}
		p[0] = 1;
		*bad += shmdt((void *)p) != 0;
		*bad += shmctl(id, IPC_RMID, 0) != 0;
	}
	return bench_rdtsc() - t0;
}

static uint64_t loop_attach(int id, long iters, int *bad)
{
	uint64_t t0 = bench_rdtsc();

	for (long i = 0; i < iters; i++) {
		void *p = shmat(id, 0, 0);

		*bad += p == (void *)-1 || shmdt(p) != 0;
	}
	return bench_rdtsc() - t0;
}

int bench_shm(void)
{
	uint64_t overhead, cycles;
	int bad = 0, id;

	loop_cycle(BENCH_WARMUP / 10, &bad);
	overhead = bench_empty_loop(SHM_ITERS);
	cycles = loop_cycle(SHM_ITERS, &bad);
	if (bad) {
		printf("# bench shm_cycle: %d calls failed\n", bad);
		return 1;
	}
	bench_report("shm_cycle", cycles, overhead, SHM_ITERS);
	id = shmget(IPC_PRIVATE, 4096, 0600);
	if (id < 0) {
		printf("# bench shm_attach: shmget failed\n");
		return 1;
	}
	loop_attach(id, BENCH_WARMUP / 10, &bad);
	cycles = loop_attach(id, SHM_ITERS, &bad);
	shmctl(id, IPC_RMID, 0);
	if (bad) {
		printf("# bench shm_attach: %d calls failed\n", bad);
		return 1;
	}
	bench_report("shm_attach", cycles, overhead, SHM_ITERS);
	return 0;
}
