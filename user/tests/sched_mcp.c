/*
 * Maximum controlled priorities (docs/syscalls.md, SYS_thread_set_prio,
 * SYS_thread_set_mcp, procmgr's spawn): no thread sets a priority or an MCP
 * above its own MCP; a new thread inherits its creator's; and a program
 * raised to its MCP and spinning cannot starve a thread above it, which
 * is what keeps the shell and init answering. init starts this test with
 * MCP PRIO_USER_MCP, as the shell starts any program.
 */
#include <stdatomic.h>
#include <time.h>

#include <ferry/ferry.h>
#include <ferry/status.h>

#include "tap.h"

static char stack[16384] __attribute__((aligned(16)));
static atomic_int go, done;
static cap_t child_cap;
static long child_res[5];

/* Runs at 16 with MCP 20, given by the main thread below. */
static void child(void *arg)
{
	(void)arg;
	while (!atomic_load(&go))
		fy_yield();
	child_res[0] = fy_thread_set_prio(child_cap, 21);
	child_res[1] = fy_thread_set_prio(child_cap, 20);
	child_res[2] = fy_thread_set_mcp(child_cap, 21);
	child_res[3] = fy_thread_set_mcp(child_cap, 19);
	child_res[4] = fy_thread_set_prio(child_cap, 20);
	atomic_store(&done, 1);
	fy_thread_exit();
}

static void test_own_ceiling(void)
{
	const cap_t self = CAP_SELF_MAIN_THREAD;

	tap_eq(fy_thread_set_prio(self, PRIO_USER_MCP + 1), -EPERM,
	       "set_prio one above our MCP is -EPERM");
	tap_eq(fy_thread_set_prio(self, PRIO_MAX), -EPERM,
	       "set_prio(PRIO_MAX) is -EPERM");
	tap_eq(fy_thread_set_prio(self, PRIO_MAX + 1), -EINVAL,
	       "set_prio(32) is -EINVAL before -EPERM");
	tap_eq(fy_thread_set_mcp(self, PRIO_USER_MCP + 1), -EPERM,
	       "set_mcp above our MCP is -EPERM");
	tap_eq(fy_thread_set_mcp(self, PRIO_MAX + 1), -EINVAL,
	       "set_mcp(32) is -EINVAL");
	tap_eq(fy_thread_set_mcp(-1, 5), -ECAPBILITY,
	       "set_mcp on cap -1 is -ECAPBILITY");
	tap_eq(fy_thread_set_mcp(CAP_SELF_GROUP, 5), -ECAPBILITY,
	       "set_mcp on a cap_group is -ECAPBILITY");
	tap_eq(fy_thread_set_mcp(self, PRIO_USER_MCP), 0,
	       "set_mcp to our own MCP is allowed");
	tap_eq(fy_thread_set_prio(self, PRIO_DEFAULT), 0, "back to default");
}

static void test_child_thread(void)
{
	long t = fy_thread_create(CAP_SELF_GROUP, child, stack + sizeof(stack),
				  0, 0);

	if (!tap_ok(t >= 0, "a child thread (%ld)", t))
		return;
	child_cap = (cap_t)t;
	tap_eq(fy_thread_set_mcp(child_cap, PRIO_USER_MCP + 1), -EPERM,
	       "a child's MCP cannot be set above ours");
	tap_eq(fy_thread_set_mcp(child_cap, 20), 0, "child MCP 20");
	atomic_store(&go, 1);
	while (!atomic_load(&done))
		fy_yield();
	tap_eq(child_res[0], -EPERM, "child: set_prio(21) above its MCP");
	tap_eq(child_res[1], 0, "child: set_prio(20) at its MCP");
	tap_eq(child_res[2], -EPERM, "child: set_mcp(21) above its MCP");
	tap_eq(child_res[3], 0, "child: set_mcp(19) lowers it");
	tap_eq(child_res[4], -EPERM, "child: set_prio(20) is now -EPERM");
	fy_cap_delete(child_cap);
}

static void test_spawn_limits(void)
{
	const char *argv[] = {"helpers/exit_with", "0", NULL};
	const char *p = argv[0];
	long r;

	tap_eq(fy_spawn_sched(p, argv, NULL, PRIO_USER_MCP + 1,
			      SPAWN_SCHED_DEFAULT),
	       -EPERM, "spawn at a priority above our MCP is -EPERM");
	tap_eq(fy_spawn_sched(p, argv, NULL, SPAWN_SCHED_DEFAULT, PRIO_MAX),
	       -EPERM, "spawn with an MCP above ours is -EPERM");
	tap_eq(fy_spawn_sched(p, argv, NULL, 5, PRIO_MAX + 9), -EINVAL,
	       "spawn with MCP 40 is -EINVAL");
	tap_eq(fy_spawn_sched(p, argv, NULL, -2, SPAWN_SCHED_DEFAULT), -EINVAL,
	       "spawn at priority -2 is -EINVAL");
	tap_eq(fy_spawn_sched(p, argv, NULL, 10, 5), -EINVAL,
	       "spawn at a priority above the child's own MCP is -EINVAL");
	/* A child with MCP 5 starts at 5 (PRIO_DEFAULT capped) and runs. */
	r = fy_spawn_sched(p, argv, NULL, SPAWN_SCHED_DEFAULT, 5);
	if (tap_ok(r >= 0, "spawn with MCP 5 (%ld)", r)) {
		tap_eq(fy_proc_wait((cap_t)r), PROC_STATUS_EXITED(0),
		       "it runs and exits 0");
		fy_cap_delete((cap_t)r);
	}
}

static long ticks(void)
{
	return fy_kstat(KSTAT_TICKS);
}

/*
 * The Ctrl-C case: a program raises itself to its MCP (20) and spins; we
 * sit one above, outside its reach, so our sleeps end on time and our
 * kill lands.
 */
static void test_spinner_below(void)
{
	const char *argv[] = {"helpers/spin_max", "20", NULL};
	struct timespec ts = {0, 50 * 1000 * 1000};
	long proc, t0, late, st;

	tap_eq(fy_thread_set_prio(CAP_SELF_MAIN_THREAD, 21), 0, "we run at 21");
	proc = fy_spawn_sched(argv[0], argv, NULL, SPAWN_SCHED_DEFAULT, 20);
	if (!tap_ok(proc >= 0, "spawn spin_max with MCP 20 (%ld)", proc))
		return;
	/* It runs only while we sleep: twice 50 ms, each on time. */
	for (int i = 0; i < 2; i++) {
		t0 = ticks();
		nanosleep(&ts, NULL);
		late = ticks() - t0 - 5;
		tap_ok(late <= 3,
		       "sleep %d of 50 ms ends on time beside the "
		       "spinner (%ld ticks late)",
		       i, late);
	}
	t0 = ticks();
	tap_eq(fy_proc_kill((cap_t)proc), 0, "kill it");
	st = fy_proc_wait((cap_t)proc);
	tap_eq(st, PROC_STATUS_KILLED(PROC_SIG_KILL),
	       "it was spinning at its MCP when killed (not exited 3/4/5)");
	tap_ok(ticks() - t0 <= 2, "the kill landed within 2 ticks (%ld)",
	       ticks() - t0);
	fy_cap_delete((cap_t)proc);
	fy_thread_set_prio(CAP_SELF_MAIN_THREAD, PRIO_DEFAULT);
}

/*
 * A handler's exit routines run on a context the kernel makes for the
 * handler: at most the handler's MCP, or a program spawned with a low
 * MCP could run its destructors above it. helpers/exit_prio (MCP 5)
 * spins 30 ticks in a destructor while we, at 10, sleep 10 ms at a time:
 * each sleep must end on time.
 */
static void test_exit_routine_below_mcp(void)
{
	const char *argv[] = {"helpers/exit_prio", NULL};
	struct timespec ts = {0, 10 * 1000 * 1000};
	long proc, start, t0, late, worst = 0;

	tap_eq(fy_thread_set_prio(CAP_SELF_MAIN_THREAD, 10), 0, "we run at 10");
	proc = fy_spawn_sched(argv[0], argv, NULL, SPAWN_SCHED_DEFAULT, 5);
	if (!tap_ok(proc >= 0, "spawn exit_prio with MCP 5 (%ld)", proc))
		goto out;
	start = ticks();
	while (ticks() - start < 100) {
		t0 = ticks();
		nanosleep(&ts, NULL);
		late = ticks() - t0 - 1;
		if (late > worst)
			worst = late;
	}
	tap_ok(worst <= 3,
	       "a destructor of a process with MCP 5 delays no sleep of ours "
	       "at 10 (worst %ld ticks late)",
	       worst);
	tap_eq(fy_proc_wait((cap_t)proc), PROC_STATUS_EXITED(0),
	       "its destructor ran and it exited 0");
	fy_cap_delete((cap_t)proc);
out:
	fy_thread_set_prio(CAP_SELF_MAIN_THREAD, PRIO_DEFAULT);
}

int main(void)
{
	test_own_ceiling();
	test_child_thread();
	test_spawn_limits();
	test_spinner_below();
	test_exit_routine_below_mcp();
	return tap_done();
}
