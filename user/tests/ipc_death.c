/*
 * Deaths around IPC. Clients: ipc_close, a normal exit with connections
 * open and a kill in the middle of a call each run the server's
 * destructor exactly once, and the server serves on. Servers: a handler
 * that faults or exits during a call fails that call with -ESRCH and the
 * connection with -EDEADSRV from then on; so does a server killed while
 * idle; a server started again does not revive old connections. Nobody
 * is left waiting.
 */
#include "ipc_test.h"
#include "tap.h"

static struct srv s;
static struct ipc_conn t; /* ours to s: asks for the destructor count */

static void test_close(void)
{
	struct ipc_conn x;
	long d0 = srv_dtors(&t);

	tap_eq(ipc_connect(s.thread, 4096, &x), 0, "connect");
	tap_eq(req(&x, OP_NOP, 0), SRV_NOP_RET, "call");
	tap_eq(srv_dtors(&t), d0, "no destructor run while it is open");
	tap_eq(ipc_close(&x), 0, "ipc_close");
	tap_eq(srv_dtors(&t), d0 + 1, "the destructor ran for it");
	tap_eq(fy_ipc_call(x.cap, NULL, 0, 0), -ECAPBILITY,
	       "its cap slot is empty");
	tap_eq(srv_dtors(&t), d0 + 1, "and does not run again");
}

static void test_exit_open(void)
{
	long d0 = srv_dtors(&t), p = client_spawn(&s, "open", NULL);

	tap_ok(p >= 0, "spawn a client that leaves 2 connections open");
	tap_eq(proc_reap((cap_t)p), PROC_STATUS_EXITED(0), "it exits 0");
	tap_eq(srv_dtors(&t), d0 + 2, "the destructor ran for both");
}

static void test_kill_in_call(void)
{
	long d0 = srv_dtors(&t), spins0 = req(&t, OP_SPINS, 0), p;
	int64_t t0;

	p = client_spawn(&s, "spin", "30");
	tap_ok(p >= 0, "spawn a client whose call spins 30 ticks");
	tap_ok(wait_busy(&t, 300), "its call is in flight");
	t0 = srv_ticks();
	tap_eq(fy_proc_kill((cap_t)p), 0, "kill it meanwhile");
	tap_eq(proc_reap((cap_t)p), PROC_STATUS_KILLED(PROC_SIG_KILL),
	       "it is gone");
	tap_ok(srv_ticks() - t0 < 25,
	       "without waiting for the handler (%ld ticks)",
	       (long)(srv_ticks() - t0));
	tap_eq(srv_dtors(&t), d0 + 1,
	       "the handler finished and the destructor ran once");
	tap_eq(req(&t, OP_SPINS, 0), spins0 + 1, "the spin was not cut short");
	tap_eq(srv_dtors(&t), d0 + 1, "still once, later");
}

/* A server whose handler dies in a call: `op` is how. */
static void handler_dies(int64_t op, const char *how)
{
	struct srv d = srv_spawn();
	struct ipc_conn c, c2, c3;
	long r;

	tap_eq(ipc_connect(d.thread, 4096, &c), 0, "%s: connect", how);
	tap_eq(ipc_connect(d.thread, 4096, &c2), 0, "%s: a second connection",
	       how);
	tap_eq(req(&c, op, 0), -ESRCH, "%s: the call fails with -ESRCH", how);
	tap_eq(req(&c, OP_NOP, 0), -EDEADSRV, "%s: the next call is -EDEADSRV",
	       how);
	tap_eq(req(&c, OP_NOP, 0), -EDEADSRV, "%s: and stays so", how);
	/*
	 * Our choice: the handler is gone, so every connection it served is
	 * dead, not only the one whose call it died in.
	 */
	tap_eq(req(&c2, OP_NOP, 0), -EDEADSRV,
	       "%s: the other connection is dead too", how);
	if (op == OP_FAULT) {
		tap_eq(fy_proc_wait(d.proc), PROC_STATUS_KILLED(PROC_SIG_SEGV),
		       "%s: the server died of it", how);
	} else {
		/*
		 * The process lives on in its register callback. The kernel
		 * refuses the dead handler (-ESRCH to the callback), libferry's
		 * callback then ends, and the client sees -ESRCH; any later
		 * client gets -EDEADSRV. It is never served. The callback was
		 * the server's last thread (its spare passive thread, whose
		 * cap it deleted, was reclaimed then), so the process ends
		 * with it, status 0; killing it then changes nothing.
		 */
		r = ipc_connect(d.thread, 4096, &c3);
		tap_ok(r == -ESRCH || r == -EDEADSRV,
		       "%s: a new client is not served (%ld)", how, r);
		if (r == 0)
			ipc_close(&c3);
		tap_eq(fy_proc_kill(d.proc), 0, "%s: kill the server", how);
		tap_eq(fy_proc_wait(d.proc), PROC_STATUS_EXITED(0),
		       "%s: it is gone, ended by its last thread", how);
	}
	tap_eq(ipc_connect(d.thread, 4096, &c3), -EDEADSRV,
	       "%s: connecting to the dead server is -EDEADSRV", how);
	tap_eq(ipc_close(&c), 0, "%s: closing a dead connection works", how);
	tap_eq(ipc_close(&c2), 0, "%s: so does closing the other", how);
	srv_stop(&d);
}

static void test_handler_dies(void)
{
	handler_dies(OP_FAULT, "handler faults");
	handler_dies(OP_THREAD_EXIT, "handler exits");
}

/* The server is killed while its handler spins in our call. */
static struct srv victim;
static struct ipc_conn watch;
static long victim_kill = 1;

static void kill_victim_job(void)
{
	if (wait_busy(&watch, 300))
		victim_kill = fy_proc_kill(victim.proc);
}

static void test_server_killed_in_call(void)
{
	static _Alignas(16) char stack[16384];
	struct ipc_conn c;
	struct side killer;

	victim = srv_spawn();
	tap_eq(ipc_connect(victim.thread, 4096, &c), 0, "connect");
	tap_eq(ipc_connect(victim.thread, 4096, &watch), 0,
	       "a second connection to watch it");
	tap_ok(side_start(&killer, kill_victim_job, stack + sizeof(stack)) >= 0,
	       "a thread that kills the server once it is busy");
	tap_eq(req(&c, OP_SPIN, 30), -ESRCH,
	       "server killed during our call: -ESRCH");
	tap_ok(side_wait(&killer, 300), "the killer finished");
	tap_eq(victim_kill, 0, "it killed the server");
	tap_eq(fy_proc_wait(victim.proc), PROC_STATUS_KILLED(PROC_SIG_KILL),
	       "the server is gone");
	tap_eq(req(&c, OP_NOP, 0), -EDEADSRV, "the next call is -EDEADSRV");
	tap_eq(req(&watch, OP_NOP, 0), -EDEADSRV, "on both connections");
	tap_eq(ipc_close(&c), 0, "close");
	tap_eq(ipc_close(&watch), 0, "close the other");
	srv_stop(&victim);
}

static void test_idle_killed_restart(void)
{
	struct srv d = srv_spawn(), d2;
	struct ipc_conn c, c2;
	cap_t old_thread = (cap_t)fy_cap_copy(d.thread, CAP_RIGHT_ALL);

	tap_eq(ipc_connect(d.thread, 4096, &c), 0, "connect");
	tap_eq(req(&c, OP_NOP, 0), SRV_NOP_RET, "call");
	tap_eq(fy_proc_kill(d.proc), 0, "kill the idle server");
	tap_eq(fy_proc_wait(d.proc), PROC_STATUS_KILLED(PROC_SIG_KILL),
	       "it is gone");
	tap_eq(req(&c, OP_NOP, 0), -EDEADSRV, "a call is -EDEADSRV");
	tap_eq(fy_ipc_call(c.cap, NULL, 0, 0), -EDEADSRV,
	       "an empty raw call too");
	tap_eq(ipc_connect(d.thread, 4096, &c2), -EDEADSRV,
	       "connecting is -EDEADSRV");
	srv_stop(&d);

	d2 = srv_spawn();
	tap_ok(d2.thread >= 0, "start the server again");
	tap_eq(req(&c, OP_NOP, 0), -EDEADSRV, "the old connection stays dead");
	tap_eq(ipc_connect(old_thread, 4096, &c2), -EDEADSRV,
	       "and the old server cap names the dead thread");
	tap_eq(ipc_connect(d2.thread, 4096, &c2), 0,
	       "a new connection to the new server");
	tap_eq(req(&c2, OP_NOP, 0), SRV_NOP_RET, "works");
	tap_eq(ipc_close(&c), 0, "close the old connection");
	tap_eq(ipc_close(&c2), 0, "close the new one");
	tap_eq(srv_stop(&d2), PROC_STATUS_KILLED(PROC_SIG_KILL),
	       "stop the new server");
	fy_cap_delete(old_thread);
}

int main(void)
{
	s = srv_spawn();
	tap_ok(s.thread >= 0, "spawn the server (%d)", s.thread);
	tap_eq(ipc_connect(s.thread, 4096, &t), 0, "connect");
	test_close();
	test_exit_open();
	test_kill_in_call();
	test_handler_dies();
	test_server_killed_in_call();
	test_idle_killed_restart();
	tap_eq(req(&t, OP_NOP, 0), SRV_NOP_RET,
	       "the first server served through it all");
	tap_eq(ipc_close(&t), 0, "close");
	tap_eq(srv_stop(&s), PROC_STATUS_KILLED(PROC_SIG_KILL),
	       "server killed");
	return tap_done();
}
