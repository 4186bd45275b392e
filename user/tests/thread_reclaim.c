/*
 * Unreachable passive threads are reclaimed (docs/architecture.md,
 * "Process and thread lifetime"): a passive thread runs only when IPC
 * enters it, so once no capability names it and no IPC binding holds it,
 * its kernel stack and object go back at once, not at process exit.
 */
#include <ferry/ferry.h>

#include "tap.h"

#define N 1000

static long objects(void)
{
	return fy_kstat(KSTAT_LIVE_OBJECTS);
}

static long frames(void)
{
	return fy_kstat(KSTAT_FREE_FRAMES);
}

static void idle(void *arg)
{
	(void)arg;
	fy_thread_exit(); /* never runs: nobody calls it */
}

static char stack[4096] __attribute__((aligned(16)));
static cap_t caps[N];

/* Makes N passive threads, then deletes every cap. */
static int round_trip(const char *what)
{
	long obj0 = objects(), fr0 = frames(), t;
	int made = 0;

	for (int i = 0; i < N; i++) {
		t = fy_thread_create(CAP_SELF_GROUP, idle,
				     stack + sizeof(stack), 0, THREAD_PASSIVE);
		if (t < 0)
			break;
		caps[made++] = (cap_t)t;
	}
	tap_eq(made, N, "%s: %d passive threads made", what, N);
	tap_eq(objects() - obj0, made, "%s: one live object each", what);
	tap_ok(fr0 - frames() >= 4 * made,
	       "%s: each holds its kernel stack (%ld frames)", what,
	       fr0 - frames());
	for (int i = 0; i < made; i++)
		fy_cap_delete(caps[i]);
	tap_eq(objects(), obj0, "%s: all reclaimed once their caps are gone",
	       what);
	return frames() == fr0;
}

int main(void)
{
	long t, c, obj0;

	/* The first round grows our cap table; the second must be exact. */
	round_trip("first");
	tap_ok(round_trip("second"), "second: free frames back exactly");

	/* Two caps: the thread lives until the second goes. */
	obj0 = objects();
	t = fy_thread_create(CAP_SELF_GROUP, idle, stack + sizeof(stack), 0,
			     THREAD_PASSIVE);
	c = fy_cap_copy((cap_t)t, CAP_RIGHT_ALL);
	tap_ok(t >= 0 && c >= 0, "a passive thread and a copy of its cap");
	fy_cap_delete((cap_t)t);
	tap_eq(objects(), obj0 + 1, "alive while a copy names it");
	tap_ok(fy_cap_info((cap_t)c) >= 0, "the copy still works");
	fy_cap_delete((cap_t)c);
	tap_eq(objects(), obj0, "gone with the last cap");

	return tap_done();
}
