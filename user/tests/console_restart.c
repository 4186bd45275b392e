/*
 * A console server killed while a program writes, then another started
 * (what init does for the system's console, user/servers/init/console.c,
 * done here with a console of this test's own): the writer's next write
 * fails with -EIO at once, it is not left waiting, the kernel carries
 * on, and a program started on the new server writes through it. The
 * servers are user/servers/console itself; init's holds the keyboard,
 * so these serve output only.
 */
#include <time.h>

#include <ferry/ipc.h>
#include <uapi/ferry/proto/console.h>

#include "tap.h"

struct con {
	cap_t proc, thread;
	struct ipc_conn c;
};

static int con_start(struct con *k)
{
	const char *argv[] = {"console", NULL};
	long p = fy_spawn(argv[0], argv, NULL), t;

	k->proc = k->thread = -1;
	if (p < 0)
		return 0;
	k->proc = (cap_t)p;
	t = fy_cap_fetch(k->proc, CAP_SELF_MAIN_THREAD, CAP_RIGHT_CALL);
	if (t < 0)
		return 0;
	k->thread = (cap_t)t;
	return ipc_connect(k->thread, CONSOLE_SHM_MIN, &k->c) == 0;
}

static void con_free(struct con *k)
{
	ipc_close(&k->c);
	fy_cap_delete(k->thread);
	fy_cap_delete(k->proc);
}

/*
 * Spawns helpers/con_writer with k's server as its initial capability
 * "console", which it makes its console (procmgr's children get
 * procmgr's console, not ours: the console is passed by name).
 */
static long writer(struct con *k, const char *mode)
{
	const char *argv[] = {"helpers/con_writer", mode, NULL};
	const char *names[] = {"console"};
	long t = fy_cap_fetch(k->proc, CAP_SELF_MAIN_THREAD,
			      CAP_RIGHT_CALL | CAP_RIGHT_GRANT);
	cap_t caps[1] = {(cap_t)t};
	struct fy_spawn_attr a = {.prio = SPAWN_SCHED_DEFAULT,
				  .mcp = SPAWN_SCHED_DEFAULT,
				  .ncaps = 1,
				  .names = names,
				  .caps = caps};
	long p;

	if (t < 0)
		return t;
	p = fy_spawn_caps(argv[0], argv, NULL, &a);
	fy_cap_delete((cap_t)t);
	return p;
}

int main(void)
{
	struct con a, b;
	struct timespec ms100 = {0, 100 * 1000 * 1000};
	long w, t0, st;

	tap_eq(fy_console_set(-1, CONSOLE_SET_SYSTEM), -EPERM,
	       "the system's console is init's to set (MCP %d)", PRIO_MAX);
	if (!tap_ok(con_start(&a), "start a console server"))
		return tap_done();
	w = writer(&a, "loop");
	tap_ok(w >= 0, "start a writer on it");
	nanosleep(&ms100, NULL);
	tap_eq(fy_proc_kill(a.proc), 0, "kill the server while it writes");
	tap_eq(fy_proc_wait(a.proc), PROC_STATUS_KILLED(PROC_SIG_KILL),
	       "the server is gone");
	t0 = fy_kstat(KSTAT_TICKS);
	st = fy_proc_wait((cap_t)w);
	tap_eq(st, PROC_STATUS_EXITED(0),
	       "the writer's next write failed with -EIO (status 0x%lx)", st);
	tap_ok(fy_kstat(KSTAT_TICKS) - t0 < 100, "within a second (%ld ticks)",
	       fy_kstat(KSTAT_TICKS) - t0);
	fy_cap_delete((cap_t)w);
	con_free(&a);

	if (!tap_ok(con_start(&b), "start another server"))
		return tap_done();
	w = writer(&b, "once");
	tap_eq(fy_proc_wait((cap_t)w), PROC_STATUS_EXITED(0),
	       "a new program writes through it");
	fy_cap_delete((cap_t)w);
	fy_proc_kill(b.proc);
	fy_proc_wait(b.proc);
	con_free(&b);
	return tap_done();
}
