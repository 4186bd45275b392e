/*
 * spawn_exit_wait: a small static program's whole life through procmgr,
 * one at a time: fy_spawn of helpers/tiny (procmgr opens it through
 * the file server, maps its image, pages in what it touches, builds its
 * stack and starts it), its run to exit(0), fy_proc_wait, and the cap's
 * deletion. The reaping procmgr does after the wait (closing the child's
 * pager and file connections) runs at its own priority and counts in.
 * Linux 6.1 in the same QEMU: 106,833 for fork+exit+waitpid, 131,136 for
 * posix_spawn+waitpid; the kernel's own loader (SYS_spawn) took 78,222.
 */
#include <stdio.h>

#include <ferry/ferry.h>

#include "bench.h"

#define SPAWN_ITERS 200
#define SPAWN_WARMUP 10

static int run(long iters, uint64_t *cycles)
{
	static const char *const argv[] = {"helpers/tiny", NULL};
	uint64_t t0 = bench_rdtsc();

	for (long i = 0; i < iters; i++) {
		long p = fy_spawn(argv[0], argv, NULL), st;

		if (p < 0) {
			printf("# bench spawn_exit_wait: spawn: %ld\n", p);
			return 1;
		}
		st = fy_proc_wait((cap_t)p);
		fy_cap_delete((cap_t)p);
		if (st != PROC_STATUS_EXITED(0)) {
			printf("# bench spawn_exit_wait: status 0x%lx\n", st);
			return 1;
		}
	}
	*cycles = bench_rdtsc() - t0;
	return 0;
}

int bench_spawn(void)
{
	uint64_t cycles, overhead;

	if (run(SPAWN_WARMUP, &cycles))
		return 1;
	overhead = bench_empty_loop(SPAWN_ITERS);
	if (run(SPAWN_ITERS, &cycles))
		return 1;
	bench_report("spawn_exit_wait", cycles, overhead, SPAWN_ITERS);
	return 0;
}
