/*
 * Death watches on processes that never ran (SYS_proc_create, not
 * started), which end without a thread of their own exiting: the last
 * cap to one dropped, or a kill. The watch must fire once, also into a
 * notification whose every cap was deleted meanwhile (the watch holds
 * it), a thread cap of such a process must name it, a watch on a process
 * already ended fires at once, and everything must be freed (init's
 * leak check). Also: a watch whose target is our own thread cap, and a
 * cancel of a watch that has fired.
 */
#include <time.h>

#include <ferry/ferry.h>

#include "tap.h"

static uint64_t pending(cap_t n, uint64_t timeout_us)
{
	uint64_t bits = 0;

	return fy_notification_wait(n, timeout_us, &bits) ? 0 : bits;
}

static void entry(void *arg)
{
	(void)arg;
	fy_thread_exit();
}

int main(void)
{
	long n = fy_notification_create(), n2, p, q, th, copy;
	static char stack[4096] __attribute__((aligned(16)));

	if (!tap_ok(n >= 0, "a notification"))
		return tap_done();
	/* 1. The last cap to an unstarted process goes: it ends. */
	p = fy_proc_create("unstarted1", PROC_CREATE_NATIVE);
	tap_ok(p >= 0, "an unstarted process");
	tap_eq(fy_death_watch((cap_t)p, (cap_t)n, 0x1), 0, "watch it");
	tap_eq(fy_cap_dead((cap_t)p), 0, "not dead yet");
	tap_eq(fy_cap_delete((cap_t)p), 0, "delete our only cap to it");
	tap_eq(pending((cap_t)n, 100000), 0x1, "the watch fired");
	tap_eq(pending((cap_t)n, 20000), 0, "once");

	/* 2. Killed, watched through a thread cap, into an orphan notif. */
	n2 = fy_notification_create();
	p = fy_proc_create("unstarted2", PROC_CREATE_NATIVE);
	th = fy_thread_create((cap_t)p, entry, stack + sizeof(stack), 0, 0);
	tap_ok(n2 >= 0 && p >= 0 && th >= 0,
	       "an unstarted process with a thread (%ld)", th);
	copy = fy_cap_copy((cap_t)n2, CAP_RIGHT_READ);
	tap_eq(fy_death_watch((cap_t)th, (cap_t)n2, 0x2), 0,
	       "watch it through its thread's cap");
	tap_eq(fy_death_watch((cap_t)th, (cap_t)n2, 0x4), 0, "twice");
	tap_eq(fy_death_watch((cap_t)p, (cap_t)n, 0x8), 0,
	       "and through its own cap into the other notification");
	tap_eq(fy_cap_delete((cap_t)n2), 0,
	       "delete the notification's writable cap");
	tap_eq(fy_proc_kill((cap_t)p), 0, "kill the unstarted process");
	tap_eq(pending((cap_t)n, 100000), 0x8, "its watch fired");
	tap_eq(pending((cap_t)copy, 100000), 0x6,
	       "both watches fired into the notification we only read");
	tap_eq(fy_proc_wait((cap_t)p), PROC_STATUS_KILLED(PROC_SIG_KILL),
	       "it was killed");
	tap_eq(fy_cap_dead((cap_t)th), 1, "its thread cap says DEAD");
	tap_eq(fy_death_watch((cap_t)th, (cap_t)n, 0x10), 0, "a watch now: 0");
	tap_eq(pending((cap_t)n, 1), 0x10, "signalled at once");
	tap_eq(fy_death_watch((cap_t)th, (cap_t)n, 0), -ENOENT,
	       "nothing to cancel: -ENOENT");
	fy_cap_delete((cap_t)th);
	fy_cap_delete((cap_t)p);
	fy_cap_delete((cap_t)copy);

	/* 3. Our own thread cap as the target: a watch on ourselves. */
	q = fy_death_watch(CAP_SELF_MAIN_THREAD, (cap_t)n, 0x20);
	tap_eq(q, 0, "a watch on ourselves through our thread cap");
	tap_eq(fy_death_watch(CAP_SELF_GROUP, (cap_t)n, 0), 1,
	       "cancelled through our process cap");
	tap_eq(fy_death_watch(CAP_SELF_MAIN_THREAD, (cap_t)n, 0x20), 0,
	       "set again: it goes when we exit (the leak check)");
	fy_cap_delete((cap_t)n);
	return tap_done();
}
