/*
 * Reviewer's repro: killing a process in which one thread (C) waits in
 * IPC on the process's own passive handler (H), while H itself waits in
 * IPC on another server. cap_group_exit collects both on a local list
 * through t->sched_node and retires H first; H's passive_detach wakes
 * C with -ESRCH, and sched_enqueue(C) re-links C->sched_node into a run
 * queue while it is still on the local list.
 */
#include "ipc_test.h"
#include "tap.h"

int main(void)
{
	struct srv s = srv_spawn();
	struct ipc_conn t;
	long p;

	tap_ok(s.proc >= 0 && s.thread >= 0, "ipc_srv started");
	tap_eq(ipc_connect(s.thread, 4096, &t), 0, "connect to ipc_srv");
	{
		static const char *const argv[] = {"helpers/ipc_selfcall",
						   NULL};
		p = fy_spawn(argv[0], argv, NULL);
	}
	tap_ok(p >= 0, "spawn helpers/ipc_selfcall");
	tap_ok(fy_cap_transfer((cap_t)p, s.thread, CAP_RIGHT_CALL, -1) >= 0,
	       "give it ipc_srv");
	tap_ok(wait_busy(&t, 300), "C -> H -> ipc_srv chain is in flight");
	tap_diag("killing the helper (C and H both in TS_IPC_WAIT)");
	tap_eq(fy_proc_kill((cap_t)p), 0, "kill it");
	tap_eq(proc_reap((cap_t)p), PROC_STATUS_KILLED(PROC_SIG_KILL),
	       "it is gone");
	tap_eq(fy_yield(), 0, "the scheduler still works");
	ipc_close(&t);
	srv_stop(&s);
	return tap_done();
}
