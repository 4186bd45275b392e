/*
 * A handler in the middle of long preemptible system calls (getrandom
 * and munmap of 32 MiB, preempted many times) while it runs on its
 * caller's scheduling context, when the caller's deadline passes, when
 * the caller's process is killed, and when the server itself is killed.
 * Nobody hangs, the caller gets its error, nothing leaks.
 */
#include <stdint.h>
#include <sys/syscall.h>
#include <time.h>

#include "ipc_test.h"
#include "tap.h"

#define MS 1000000l

static struct srv s;
static struct ipc_conn c;
static char side_stack[16384] __attribute__((aligned(16)));

static void sleep_ms(long ms)
{
	struct timespec ts = {0, ms * MS};

	fy_syscall2(SYS_nanosleep, (long)&ts, 0);
}

static void test_deadline(void)
{
	long spins0 = req(&c, OP_SPINS, 0), r;

	r = ipc_call_timeout(&c, req_init(&c, OP_LONGCALL, 32, 0), 0, 30000);
	tap_eq(r, -ETIMEDOUT,
	       "a 30 ms deadline passes while the handler is in getrandom");
	tap_eq(req(&c, OP_SPINS, 0), spins0 + 1,
	       "the orphaned handler finishes its calls, then the "
	       "connection works");
	tap_eq(req(&c, OP_LONGCALL, 1), 1 << 20,
	       "a long call with no deadline gets its whole answer");
}

static void test_client_killed(void)
{
	long spins0 = req(&c, OP_SPINS, 0);
	long dtors0 = srv_dtors(&c);
	long proc = client_spawn(&s, "long", "32"), st;

	tap_ok(proc >= 0, "a client making a 32 MiB long call");
	sleep_ms(60);
	fy_proc_kill((cap_t)proc);
	st = proc_reap((cap_t)proc);
	tap_eq(st, PROC_STATUS_KILLED(PROC_SIG_KILL),
	       "killed while its handler was in the middle of it");
	for (int i = 0; i < 300 && srv_dtors(&c) == dtors0; i++)
		sleep_ms(10);
	tap_eq(srv_dtors(&c), dtors0 + 1,
	       "the handler went on orphaned; the destructor ran");
	tap_ok(req(&c, OP_SPINS, 0) >= spins0 + 1,
	       "the orphaned long call finished");
}

static void killer(void)
{
	sleep_ms(60);
	fy_proc_kill(s.proc);
}

static void test_server_killed(void)
{
	struct side sd;
	long r;

	tap_ok(side_start(&sd, killer, side_stack + sizeof(side_stack)) >= 0,
	       "a thread that kills the server in 60 ms");
	r = req(&c, OP_LONGCALL, 64);
	tap_ok(r == -ESRCH || r == -EDEADSRV,
	       "the server killed mid-call: the caller gets an error (%ld)", r);
	tap_eq(req(&c, OP_NOP, 0), -EDEADSRV, "and the connection is dead");
	tap_ok(side_wait(&sd, 100), "the killer thread ends");
}

int main(void)
{
	s = srv_spawn();
	tap_ok(s.thread >= 0, "spawn the server (%d)", s.thread);
	tap_eq(ipc_connect(s.thread, 4096, &c), 0, "connect");
	test_deadline();
	test_client_killed();
	test_server_killed();
	tap_eq(ipc_close(&c), 0, "close");
	tap_eq(srv_stop(&s), PROC_STATUS_KILLED(PROC_SIG_KILL),
	       "server killed");
	return tap_done();
}
