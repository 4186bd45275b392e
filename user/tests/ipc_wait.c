/*
 * Callers wait for a busy handler in the kernel (docs/ipc.md, "Waiting
 * and inheritance"): the starvation case of issue 7 (a low-priority
 * call keeps the handler busy, a middle-priority thread spins, a
 * default-priority caller must still be served before its deadline),
 * many threads on one connection all served, a deadline while waiting,
 * a killed waiter, and a server that dies with callers waiting.
 *
 * Threads of one process share the connection here, so they contend for
 * it whatever handlers the server keeps. A tick is 10 ms.
 */
#include <stdint.h>
#include <time.h>

#include "ipc_test.h"
#include "tap.h"

#define STACK_SIZE 16384
#define NSIDE 6

static struct srv s;
static struct ipc_conn c;
static _Alignas(16) char stacks[NSIDE][STACK_SIZE];
static struct side sides[NSIDE];

static void sleep_ticks(int ticks)
{
	nanosleep(&(struct timespec){0, 10000000l * ticks}, NULL);
}

/* Sleeps (lets lower priorities run) until sd is done; 1 if it was. */
static int sleep_wait(struct side *sd, int64_t ticks)
{
	int64_t end = srv_ticks() + ticks;

	while (!atomic_load(&sd->done) && srv_ticks() < end)
		nanosleep(&(struct timespec){0, 10000000}, NULL);
	fy_cap_delete(sd->thread);
	sd->thread = -1;
	return atomic_load(&sd->done);
}

/*
 * Like wait_busy, but sleeping between probes so that lower priorities
 * run (the call we wait for may come from one). 1 if k's handler was
 * seen busy within 200 ticks.
 */
static int wait_busy_conn(struct ipc_conn *k)
{
	int64_t end = srv_ticks() + 200;

	while (srv_ticks() < end) {
		if (fy_ipc_call(k->cap, NULL, 0, 1) == -ETIMEDOUT)
			return 1;
		sleep_ticks(1);
	}
	return 0;
}

static int wait_busy_sleeping(void)
{
	return wait_busy_conn(&c);
}

static long start_at(int i, void (*job)(void), int prio)
{
	long r = side_start(&sides[i], job, stacks[i] + STACK_SIZE);

	if (r >= 0 && prio >= 0)
		r = fy_thread_set_prio(sides[i].thread, prio);
	return r;
}

/* --- the starvation case ------------------------------------------- */

static long low_result;
static atomic_int stop_spin;
static int64_t spin_ran;

static void low_job(void)
{
	low_result = req(&c, OP_SPIN, 50); /* 50 ticks of handler work */
}

static void spin_job(void)
{
	int64_t end = srv_ticks() + 600; /* bounded if the test fails */

	while (!atomic_load(&stop_spin) && srv_ticks() < end)
		spin_ran++;
}

static void test_starvation(void)
{
	int64_t t0, dt;
	long r;

	atomic_store(&stop_spin, 0);
	tap_ok(start_at(0, low_job, PRIO_DEFAULT - 2) >= 0,
	       "a low-priority thread (%d) starts a 50-tick call",
	       PRIO_DEFAULT - 2);
	tap_ok(wait_busy_sleeping(), "its call is in flight");
	tap_ok(start_at(1, spin_job, PRIO_DEFAULT - 1) >= 0,
	       "a middle-priority thread (%d) spins", PRIO_DEFAULT - 1);
	t0 = srv_ticks();
	/* Empty: the low call's message is in the shm's first bytes. */
	r = ipc_call_timeout(&c, NULL, 0, 3000000);
	dt = srv_ticks() - t0;
	tap_ok(r > 0,
	       "a default-priority call with a 3 s deadline is served: the "
	       "handler ran at its priority, above the spinner (%ld)",
	       r);
	tap_ok(dt <= 60, "within the low call's 50 ticks (%ld ticks)",
	       (long)dt);
	atomic_store(&stop_spin, 1);
	tap_ok(sleep_wait(&sides[1], 300), "the spinner stops");
	tap_ok(sleep_wait(&sides[0], 300), "the low thread finishes");
	tap_eq(low_result, 50, "its call finished too, undisturbed");
}

/* --- many threads on one connection -------------------------------- */

#define NCALLS 40
static long badge;
static atomic_long served, wrong;

static void many_job(void)
{
	for (int i = 0; i < NCALLS; i++) {
		/* An empty call: the handler returns our badge. */
		if (fy_ipc_call(c.cap, NULL, 0, 0) == badge)
			atomic_fetch_add(&served, 1);
		else
			atomic_fetch_add(&wrong, 1);
		if (i % 8 == 0)
			fy_yield();
	}
}

static void test_many(void)
{
	int ok = 1;

	badge = fy_ipc_call(c.cap, NULL, 0, 0);
	tap_ok(badge > 0, "our badge (%ld)", badge);
	atomic_store(&served, 0);
	atomic_store(&wrong, 0);
	for (int i = 0; i < NSIDE; i++)
		ok &= start_at(i, many_job, -1) >= 0;
	tap_ok(ok, "%d threads call on one connection", NSIDE);
	for (int i = 0; i < NSIDE; i++)
		ok &= sleep_wait(&sides[i], 1000);
	tap_ok(ok, "all of them finish");
	tap_eq(atomic_load(&served), NSIDE * NCALLS,
	       "every call was served, none refused");
	tap_eq(atomic_load(&wrong), 0, "no call failed");
}

/* --- a deadline while waiting -------------------------------------- */

static long spin_result;

static void spin30_job(void)
{
	spin_result = req(&c, OP_SPIN, 30);
}

static void test_deadline(void)
{
	long spins0 = req(&c, OP_SPINS, 0);
	int64_t t0, dt;
	long r;

	tap_ok(start_at(0, spin30_job, -1) >= 0,
	       "a thread makes a 30-tick call");
	tap_ok(wait_busy_sleeping(), "its call is in flight");
	t0 = srv_ticks();
	r = fy_ipc_call(c.cap, NULL, 0, 100000);
	dt = srv_ticks() - t0;
	tap_eq(r, -ETIMEDOUT, "a call waiting behind it with 100 ms gives up");
	tap_ok(dt >= 10 && dt <= 12, "after 100-120 ms (%ld ticks)", (long)dt);
	tap_ok(sleep_wait(&sides[0], 300), "the long call finishes");
	tap_eq(spin_result, 30, "undisturbed");
	tap_eq(req(&c, OP_SPINS, 0), spins0 + 1, "the handler works on");
}

/* --- a waiter killed ------------------------------------------------ */

static void test_kill_waiter(void)
{
	long spins0 = req(&c, OP_SPINS, 0), busy, waiter;

	busy = client_spawn(&s, "spin", "100");
	tap_ok(busy >= 0, "a client process makes a 100-tick call");
	tap_ok(wait_busy_sleeping(), "its call is in flight");
	waiter = client_spawn(&s, "spin", "1");
	tap_ok(waiter >= 0, "a second client calls meanwhile");
	sleep_ticks(10); /* it connects and waits for the handler */
	tap_eq(fy_proc_kill((cap_t)waiter), 0, "kill the waiting client");
	tap_eq(proc_reap((cap_t)waiter), PROC_STATUS_KILLED(PROC_SIG_KILL),
	       "it dies at once, its wait given up");
	tap_eq(proc_reap((cap_t)busy), PROC_STATUS_EXITED(0),
	       "the busy client's call finishes");
	tap_eq(req(&c, OP_SPINS, 0), spins0 + 1,
	       "only its spin ran; the handler works on");
}

/* --- the server dies with callers waiting -------------------------- */

static struct ipc_conn dc;
static long death_inflight, death_waiter;

static void death_spin_job(void)
{
	death_inflight = req(&dc, OP_SPIN, 100);
}

static void death_wait_job(void)
{
	death_waiter = fy_ipc_call(dc.cap, NULL, 0, 0);
}

static void test_server_death(void)
{
	struct srv d = srv_spawn();

	tap_ok(d.thread >= 0, "a second server");
	tap_eq(ipc_connect(d.thread, 4096, &dc), 0, "connect to it");
	tap_ok(start_at(0, death_spin_job, -1) >= 0, "a 100-tick call on it");
	tap_ok(wait_busy_conn(&dc), "is in flight");
	tap_ok(start_at(1, death_wait_job, -1) >= 0, "a second call waits");
	sleep_ticks(3);
	tap_eq(srv_stop(&d), PROC_STATUS_KILLED(PROC_SIG_KILL),
	       "the server is killed");
	tap_ok(sleep_wait(&sides[0], 100) && sleep_wait(&sides[1], 100),
	       "both callers resume");
	tap_eq(death_inflight, -ESRCH, "the call in flight gets -ESRCH");
	tap_eq(death_waiter, -EDEADSRV, "the waiting one gets -EDEADSRV");
	tap_eq(ipc_close(&dc), 0, "close the dead connection");
}

int main(void)
{
	s = srv_spawn();
	tap_ok(s.thread >= 0, "spawn the server (%d)", s.thread);
	tap_eq(ipc_connect(s.thread, 4096, &c), 0, "connect");
	test_starvation();
	test_many();
	test_deadline();
	test_kill_waiter();
	test_server_death();
	tap_eq(ipc_close(&c), 0, "close");
	tap_eq(srv_stop(&s), PROC_STATUS_KILLED(PROC_SIG_KILL),
	       "server killed");
	return tap_done();
}
