/*
 * Platform rights (issue 8 item 7): powering off and reading kernel
 * counters need the platform capability, which the kernel gives init
 * alone and init passes on to the programs it starts (this test among
 * them). A process without it is refused (-ECAPBILITY) and the machine
 * runs on; a copy with READ only reads counters but cannot power off.
 */
#include <ferry/ferry.h>

#include "tap.h"
#include "util.h"

#define PROBE "helpers/platform_probe"

/* helpers/platform_probe's exit-code bits. */
#define P_KSTAT 1
#define P_TICKS 2
#define P_NO_POWEROFF 4
#define P_FORGED_REFUSED 8

static long probe_with(cap_t cap)
{
	static const char *const argv[] = {PROBE, NULL};
	static const char *const envp[] = {NULL};
	static const char *const names[] = {"platform"};
	cap_t caps[] = {cap};
	struct fy_spawn_attr a = {.prio = SPAWN_SCHED_DEFAULT,
				  .mcp = SPAWN_SCHED_DEFAULT,
				  .ncaps = cap >= 0,
				  .names = names,
				  .caps = caps};
	long proc = fy_spawn_caps(PROBE, argv, envp, &a), st;

	if (proc < 0)
		return proc;
	st = fy_proc_wait((cap_t)proc);
	fy_cap_delete((cap_t)proc);
	return st;
}

int main(void)
{
	cap_t plat = fy_platform_cap();
	long info, ro;

	tap_ok(plat >= 0, "init passed us the platform capability (slot %d)",
	       plat);
	info = fy_cap_info(plat);
	tap_eq(FY_CAP_INFO_TYPE(info), OBJ_TYPE_PLATFORM, "its type");
	tap_eq(FY_CAP_INFO_RIGHTS(info) &
		       (CAP_RIGHT_READ | CAP_RIGHT_CONTROL | CAP_RIGHT_GRANT),
	       CAP_RIGHT_READ | CAP_RIGHT_CONTROL | CAP_RIGHT_GRANT,
	       "READ (kstat), CONTROL (poweroff), GRANT");
	tap_ok(fy_kstat(KSTAT_FREE_FRAMES) > 0, "kstat with it");
	tap_eq(fy_syscall2(SYS_kstat, CAP_SELF_GROUP, KSTAT_FREE_FRAMES),
	       -ECAPBILITY, "kstat naming another object: -ECAPBILITY");
	tap_eq(fy_syscall2(SYS_kstat, -1, KSTAT_FREE_FRAMES), -ECAPBILITY,
	       "kstat with slot -1: -ECAPBILITY");
	tap_eq(fy_syscall2(SYS_kstat, plat, 9999), -EINVAL,
	       "kstat of an unknown id: -EINVAL");
	tap_eq(fy_syscall2(SYS_poweroff, CAP_SELF_GROUP, 0), -ECAPBILITY,
	       "poweroff naming another object: -ECAPBILITY, still running");

	tap_eq(probe_with(-1),
	       PROC_STATUS_EXITED(P_TICKS | P_NO_POWEROFF | P_FORGED_REFUSED),
	       "a program without it: no counters, no poweroff, ticks only");
	ro = fy_cap_copy(plat, CAP_RIGHT_READ | CAP_RIGHT_GRANT);
	tap_ok(ro >= 0, "a READ-only copy");
	tap_eq(probe_with((cap_t)ro),
	       PROC_STATUS_EXITED(P_KSTAT | P_TICKS | P_NO_POWEROFF |
				  P_FORGED_REFUSED),
	       "a program with READ only: counters, but no poweroff");
	if (ro >= 0)
		fy_cap_delete((cap_t)ro);
	return tap_done();
}
