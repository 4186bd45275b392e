/*
 * Many callers on one handler: badges (one per client process, the same
 * for all its threads and connections, and not forgeable), several
 * client processes at once, and threads of one client racing on one
 * connection and on several (a busy handler is waited for in the kernel).
 */
#include <string.h>

#include "ipc_test.h"
#include "tap.h"

#define NCLIENTS 4
#define RACE_CALLS 300
#define STACK_SIZE 65536

static struct srv s;
static struct ipc_conn c;
static long my_badge;
static _Alignas(16) char stack[STACK_SIZE];

static struct side side;
static long thread_errors;

/* Runs job in a second thread; main_job meanwhile; waits for both. */
static int run_pair(void (*job)(void), void (*main_job)(void))
{
	thread_errors = 0;
	if (side_start(&side, job, stack + STACK_SIZE) < 0)
		return 0;
	if (main_job)
		main_job();
	return side_wait(&side, 1000);
}

/* OP_XFORM calls with the message at msg_off of c's shm; errors seen. */
static long xform_calls(struct ipc_conn *conn, size_t msg_off, int n, int seed)
{
	struct ipc_msg *m = (struct ipc_msg *)((char *)conn->shm + msg_off);
	unsigned char *p = (unsigned char *)m + 16 + SRV_PAYLOAD;
	long errors = 0;

	for (int i = 0; i < n; i++) {
		uint32_t len = 1 + (uint32_t)(i * 31 % 1000);
		long sum = 0;

		*m = (struct ipc_msg){.data_len = SRV_PAYLOAD + len,
				      .data_offset = 16,
				      .cap_offset = 16};
		((struct srv_hdr *)((char *)m + 16))->op = OP_XFORM;
		for (uint32_t j = 0; j < len; j++)
			sum += p[j] = (unsigned char)(seed + i + j);
		errors += ipc_call(conn, m, 0) != sum;
		for (uint32_t j = 0; j < len; j++)
			errors += p[j] != (unsigned char)(seed + i + j + 1);
	}
	return errors;
}

static long badge_on(struct ipc_conn *conn)
{
	return req(conn, OP_BADGE, 0);
}

static void test_badges(void)
{
	struct ipc_conn c2;
	struct ipc_msg *m;
	long r;

	my_badge = badge_on(&c);
	tap_ok(my_badge > 0, "the handler gets a badge (%#lx)", my_badge);
	tap_eq(ipc_call(&c, NULL, 0), my_badge, "the same on an empty call");
	tap_eq(ipc_connect(s.thread, 4096, &c2), 0, "a second connection");
	tap_eq(badge_on(&c2), my_badge, "has the same badge: one per process");

	/* The badge is the kernel's word: data and stray registers. */
	m = req_init(&c, OP_BADGE, my_badge + 1, 0);
	r = ipc_call(&c, m, 0);
	tap_eq(r, my_badge, "a fake badge in the message changes nothing");
	tap_eq(req_hdr(m)->b, my_badge + 1, "the handler saw it only as data");
	m = req_init(&c, OP_BADGE, 0, 0);
	r = fy_syscall6(SYS_ipc_call, c.cap, (long)m, 0, 0, my_badge + 2,
			my_badge + 3);
	tap_eq(r, my_badge, "nor do values in the unused argument registers");

	/* A connection cannot be handed on: it has no GRANT. */
	tap_eq(fy_cap_copy(c.cap, CAP_RIGHT_CALL), -ECAPBILITY,
	       "the connection cap cannot be copied");
	tap_eq(fy_cap_transfer(CAP_SELF_GROUP, c.cap, CAP_RIGHT_CALL, -1),
	       -ECAPBILITY, "nor transferred");
	tap_eq(ipc_close(&c2), 0, "close the second connection");
}

static long thread_badge_shared, thread_badge_own;

static void badge_job(void)
{
	struct ipc_conn own;
	struct ipc_msg *m;

	/* Our own message place in the shared shm: past main's. */
	m = (struct ipc_msg *)((char *)c.shm + 2048);
	*m = (struct ipc_msg){.data_offset = 16, .cap_offset = 16};
	thread_badge_shared = ipc_call(&c, m, 0);
	if (ipc_connect(s.thread, 4096, &own) == 0) {
		thread_badge_own = badge_on(&own);
		ipc_close(&own);
	}
}

static void test_thread_badges(void)
{
	tap_ok(run_pair(badge_job, NULL), "a second thread ran");
	tap_eq(thread_badge_shared, my_badge,
	       "it has our badge on our connection");
	tap_eq(thread_badge_own, my_badge, "and on a connection of its own");
}

static void test_processes(void)
{
	long procs[NCLIENTS], h_before, h_after, dt_before;
	struct ipc_msg *m;

	m = req_init(&c, OP_STATS, 0, 0);
	dt_before = ipc_call(&c, m, 0);
	h_before = req_hdr(m)->c;
	for (int i = 0; i < NCLIENTS; i++) {
		procs[i] = client_spawn(&s, "calls", "300");
		tap_ok(procs[i] >= 0, "spawn client %d (%ld)", i, procs[i]);
	}
	for (int i = 0; i < NCLIENTS; i++)
		tap_eq(proc_reap((cap_t)procs[i]), PROC_STATUS_EXITED(0),
		       "client %d got 300 right answers and one badge", i);
	m = req_init(&c, OP_STATS, 0, 0);
	tap_eq(ipc_call(&c, m, 0), dt_before + NCLIENTS,
	       "the destructor ran once per client connection");
	h_after = req_hdr(m)->c;
	tap_eq(h_after, h_before + NCLIENTS,
	       "the handler saw %d new badges, one per process", NCLIENTS);
	tap_eq(badge_on(&c), my_badge, "ours has not changed");
}

/* Two threads, one connection, each with its own message place. */
static void race_shared_job(void)
{
	thread_errors = xform_calls(&c, 2048, RACE_CALLS, 100);
}

static long main_errors;

static void race_shared_main(void)
{
	main_errors = xform_calls(&c, 0, RACE_CALLS, 7);
}

static void test_race_shared(void)
{
	tap_ok(run_pair(race_shared_job, race_shared_main),
	       "two threads raced on one connection and both finished");
	tap_eq(main_errors, 0, "the main thread's %d answers are right",
	       RACE_CALLS);
	tap_eq(thread_errors, 0, "the second thread's %d answers are right",
	       RACE_CALLS);
}

/* Two threads with a connection each, and client processes meanwhile. */
static void race_own_job(void)
{
	struct ipc_conn own;

	if (ipc_connect(s.thread, 8192, &own)) {
		thread_errors = -1;
		return;
	}
	thread_errors = xform_calls(&own, 4096 + 1, RACE_CALLS, 33);
	ipc_close(&own);
}

static void test_race_all(void)
{
	long procs[2];

	for (int i = 0; i < 2; i++)
		procs[i] = client_spawn(&s, "calls", "200");
	tap_ok(run_pair(race_own_job, race_shared_main),
	       "two threads on two connections, with two client processes");
	tap_eq(main_errors, 0, "the main thread's answers are right");
	tap_eq(thread_errors, 0, "the second thread's answers are right");
	for (int i = 0; i < 2; i++)
		tap_eq(proc_reap((cap_t)procs[i]), PROC_STATUS_EXITED(0),
		       "client process %d was right too", i);
}

/* ipc_close while another of our threads has a call in flight. */
static struct ipc_conn busy_conn;
static long spin_result;

static void spin_job(void)
{
	spin_result = req(&busy_conn, OP_SPIN, 20);
}

static void close_while_busy(void)
{
	tap_ok(wait_busy(&c, 200), "the other thread's call is in flight");
	tap_eq(ipc_close(&busy_conn), 0,
	       "closing its connection meanwhile waits for that call, then "
	       "closes");
}

static void test_close_busy(void)
{
	long d0 = srv_dtors(&c);

	tap_eq(ipc_connect(s.thread, 4096, &busy_conn), 0, "connect");
	tap_ok(run_pair(spin_job, close_while_busy), "the spinner finished");
	tap_eq(spin_result, 20, "its call was not disturbed");
	tap_eq(srv_dtors(&c), d0 + 1, "and the destructor ran");
}

int main(void)
{
	s = srv_spawn();
	tap_ok(s.thread >= 0, "spawn the server (%d)", s.thread);
	tap_eq(ipc_connect(s.thread, 4096, &c), 0, "connect");
	test_badges();
	test_thread_badges();
	test_processes();
	test_race_shared();
	test_race_all();
	test_close_busy();
	tap_eq(ipc_close(&c), 0, "close");
	tap_eq(srv_stop(&s), PROC_STATUS_KILLED(PROC_SIG_KILL),
	       "server killed");
	return tap_done();
}
