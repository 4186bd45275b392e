/*
 * notify_wake: a notify, and the thread of another process waiting on
 * that notification runs (docs/ipc.md, "Notifications"). ipcbench runs
 * itself as the peer ("ipcbench notify-peer"), which waits on "in" and
 * notifies "out" back; both at one priority. The figure is half a round
 * trip: notify, the notifier's wait blocking, the switch to the waiter
 * and its wait returning the bits.
 */
#include <stdio.h>
#include <string.h>

#include <ferry/ferry.h>
#include <ferry/initcaps.h>

#include "../bench/bench.h"
#include "notify.h"

#define NOTIFY_ITERS 5000
#define NOTE_STOP (1ull << 63)

int notify_peer(void)
{
	long in = fy_initial_cap("in"), out = fy_initial_cap("out");
	uint64_t bits;

	if (in < 0 || out < 0)
		return 1;
	for (;;) {
		if (fy_notification_wait((cap_t)in, 0, &bits))
			return 2;
		fy_notify((cap_t)out, bits);
		if (bits & NOTE_STOP)
			return 0;
	}
}

static uint64_t round_trips(cap_t to, cap_t back, long iters)
{
	uint64_t bits, t0 = bench_rdtsc();

	for (long i = 0; i < iters; i++) {
		fy_notify(to, 1);
		fy_notification_wait(back, 0, &bits);
	}
	return bench_rdtsc() - t0;
}

int bench_notify(void)
{
	static const char *const names[] = {"in", "out"};
	const char *argv[] = {"ipcbench", "notify-peer", NULL};
	long to = fy_notification_create(), back = fy_notification_create();
	long to_r = -1, back_w = -1, p = -1, st;
	uint64_t cycles, bits;
	int failed = 1;

	if (to < 0 || back < 0)
		goto out;
	to_r = fy_cap_copy((cap_t)to, CAP_RIGHT_READ | CAP_RIGHT_GRANT);
	back_w = fy_cap_copy((cap_t)back, CAP_RIGHT_WRITE | CAP_RIGHT_GRANT);
	cap_t caps[] = {(cap_t)to_r, (cap_t)back_w};
	struct fy_spawn_attr a = {.prio = SPAWN_SCHED_DEFAULT,
				  .mcp = SPAWN_SCHED_DEFAULT,
				  .ncaps = 2,
				  .names = names,
				  .caps = caps};
	p = fy_spawn_caps(argv[0], argv, NULL, &a);
	if (p < 0) {
		printf("# bench notify_wake: cannot spawn the peer (%ld)\n", p);
		goto out;
	}
	round_trips((cap_t)to, (cap_t)back, NOTIFY_ITERS / 10);
	cycles = round_trips((cap_t)to, (cap_t)back, NOTIFY_ITERS);
	bench_report("notify_wake", cycles, 0, 2 * NOTIFY_ITERS);
	fy_notify((cap_t)to, NOTE_STOP);
	fy_notification_wait((cap_t)back, 0, &bits);
	st = fy_proc_wait((cap_t)p);
	failed = st != 0;
	if (failed)
		printf("# bench notify_wake: the peer ended with %ld\n", st);
out:
	if (p >= 0)
		fy_cap_delete((cap_t)p);
	if (to_r >= 0)
		fy_cap_delete((cap_t)to_r);
	if (back_w >= 0)
		fy_cap_delete((cap_t)back_w);
	if (to >= 0)
		fy_cap_delete((cap_t)to);
	if (back >= 0)
		fy_cap_delete((cap_t)back);
	return failed;
}
