/*
 * Preemption and kill: a child that spins without system calls must not
 * stop us (the timer preempts it), and SYS_proc_kill must end it with
 * status KILLED(9).
 */
#include <ferry/ferry.h>

#include "tap.h"

#define WANT_TICKS 5
#define MAX_YIELDS 10000000l

int main(void)
{
	const char *argv[] = {"helpers/spinner", NULL};
	const char *envp[] = {NULL};
	long proc, t0, t = 0, yields = 0;

	proc = fy_spawn("helpers/spinner", argv, envp);
	tap_ok(proc >= 0, "spawn the spinner (%ld)", proc);
	if (proc < 0)
		return tap_done();
	/* Each yield hands the CPU to the spinner until a tick takes it. */
	t0 = fy_kstat(KSTAT_TICKS);
	while (yields < MAX_YIELDS) {
		fy_yield();
		yields++;
		t = fy_kstat(KSTAT_TICKS);
		if (t >= t0 + WANT_TICKS)
			break;
	}
	tap_ok(t >= t0 + WANT_TICKS,
	       "we keep running while it spins (%ld ticks, %ld yields)", t - t0,
	       yields);
	tap_eq(fy_proc_kill((cap_t)proc), 0, "proc_kill");
	tap_eq(fy_proc_wait((cap_t)proc), PROC_STATUS_KILLED(PROC_SIG_KILL),
	       "the spinner's status is KILLED(9)");
	tap_eq(fy_cap_delete((cap_t)proc), 0, "delete its cap");
	return tap_done();
}
