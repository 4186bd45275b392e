/*
 * name_lookup: one fy_ns_lookup of a registered name and the deletion
 * of the capability it returns (docs/naming.md). What one op holds:
 * libferry's lock, the request laid into the cached connection's shm,
 * the IPC call into the name server's handler (its copy of the request,
 * the name checked, the lock, the table searched, the server's
 * CAP_INFO_DEAD read, a cap_copy of the server thread, the return that
 * moves it to us), and our cap_delete of it. ipcbench's spawned server
 * is the name's service.
 */
#include <stdio.h>

#include <ferry/ns.h>

#include "../bench/bench.h"
#include "name.h"

#define LOOKUP_ITERS 2000
#define NAME "bench.ipcbench"

static uint64_t lookups(long iters, long *bad)
{
	uint64_t t0 = bench_rdtsc();

	for (long i = 0; i < iters; i++) {
		long s = fy_ns_lookup(NAME, 0);

		if (s < 0)
			(*bad)++;
		else
			fy_cap_delete((cap_t)s);
	}
	return bench_rdtsc() - t0;
}

int bench_name_lookup(cap_t proc)
{
	long srv = fy_cap_fetch(proc, CAP_SELF_MAIN_THREAD,
				CAP_RIGHT_CALL | CAP_RIGHT_GRANT);
	long r, bad = 0;
	uint64_t cycles;

	if (srv < 0)
		return printf("# bench name_lookup: no server (%ld)\n", srv), 1;
	r = fy_ns_register(NAME, srv);
	if (r < 0) {
		printf("# bench name_lookup: cannot register (%ld)\n", r);
		fy_cap_delete((cap_t)srv);
		return 1;
	}
	lookups(LOOKUP_ITERS / 10, &bad);
	cycles = lookups(LOOKUP_ITERS, &bad);
	if (!bad)
		bench_report("name_lookup", cycles,
			     bench_empty_loop(LOOKUP_ITERS), LOOKUP_ITERS);
	else
		printf("# bench name_lookup: %ld lookups failed\n", bad);
	fy_ns_unregister(NAME);
	fy_cap_delete((cap_t)srv);
	return bad != 0;
}
