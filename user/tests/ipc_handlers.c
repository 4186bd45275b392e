/*
 * A handler per connection (libferry's ipc_serve): helpers/ipc_multi
 * runs two servers in one process. While one client's handler sleeps or
 * waits for a child, other connections and client processes are served;
 * the two servers keep their own routines and destructors; a server at
 * its limit refuses a client with -ECONNREFUSED and takes it once a
 * connection closes; a closed connection's handler stays idle in its
 * server's pool (IPC_SERVE_POOL at most; more are freed) and serves the
 * next connection; 1000 connections opened and closed leave no thread,
 * object, frame or kernel heap behind; the pooled handlers go with the
 * server; a handler whose client is killed
 * mid-call is freed after it; a server killed while a handler sleeps
 * fails its caller at once.
 */
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include "ipc_multi.h"
#include "ipc_test.h"
#include "tap.h"

#define STACK_SIZE 65536
#define NCONNS 4 /* with ctl, slow and 2 client processes: A's 8 */
#define LOOPS 1000

static cap_t proc = -1, srv_a = -1, srv_b = -1;
static struct ipc_conn ctl; /* on A: statistics, never blocked */
static _Alignas(16) char stack[STACK_SIZE];

static long live_threads(void)
{
	return fy_kstat(KSTAT_LIVE_BY_TYPE + OBJ_TYPE_THREAD);
}

/* Yields until at most `threads` are alive (teardowns end), 100 at most. */
static void settle(long threads)
{
	for (int i = 0; i < 100 && live_threads() > threads; i++)
		fy_yield();
}

static long stats(struct ipc_conn *c, struct srv_hdr *out)
{
	struct ipc_msg *m = req_init(c, MOP_STATS, 0, 0);
	long r = ipc_call(c, m, 0);

	*out = *req_hdr(m);
	return r;
}

/* Waits (yielding) up to `ticks` until c's server has `n` blocked. */
static int wait_blocked(struct ipc_conn *c, long n, int64_t ticks)
{
	int64_t end = srv_ticks() + ticks;
	struct srv_hdr h;

	while (srv_ticks() < end) {
		stats(c, &h);
		if (h.b == n)
			return 1;
		fy_yield();
	}
	return 0;
}

/* Waits (yielding) until c's server has run `n` destructors. */
static int wait_dtors(struct ipc_conn *c, long n, int64_t ticks)
{
	int64_t end = srv_ticks() + ticks;
	struct srv_hdr h;

	while (stats(c, &h) != n && srv_ticks() < end)
		fy_yield();
	return h.a == n;
}

static struct ipc_conn slow;
static long slow_op, slow_arg, slow_result;
static struct side side;

static void slow_job(void)
{
	slow_result = req(&slow, slow_op, slow_arg);
}

/* A client process of server A ("calls N" of helpers/ipc_client). */
static long client_of_a(const char *n)
{
	struct srv s = {proc, srv_a};

	return client_spawn(&s, "calls", n);
}

/* One handler blocks (op): every other connection is still served. */
static void test_blocked(long op, long arg, long want, const char *what)
{
	struct ipc_conn c[NCONNS];
	long procs[2], served = 0, who = 0;
	struct srv_hdr h;

	long d0 = stats(&ctl, &h);

	tap_eq(ipc_connect(srv_a, 4096, &slow), 0, "%s: connect", what);
	slow_op = op;
	slow_arg = arg;
	tap_ok(side_start(&side, slow_job, stack + STACK_SIZE) >= 0,
	       "%s: a thread of ours calls", what);
	tap_ok(wait_blocked(&ctl, 1, 300), "%s: its handler is blocked", what);
	for (int i = 0; i < 2; i++)
		procs[i] = client_of_a("100");
	for (int i = 0; i < NCONNS; i++) {
		if (ipc_connect(srv_a, 4096, &c[i]) == 0) {
			served++;
			who += req(&c[i], MOP_WHO, 0) == MULTI_A_ID;
		}
	}
	tap_eq(served, NCONNS, "%s: meanwhile %d more connections", what,
	       NCONNS);
	tap_eq(who, NCONNS, "%s: and each was served", what);
	for (int i = 0; i < 2; i++)
		tap_eq(proc_reap((cap_t)procs[i]), PROC_STATUS_EXITED(0),
		       "%s: client process %d made 100 right calls", what, i);
	stats(&ctl, &h);
	tap_eq(h.b, 1, "%s: all while the handler was still blocked", what);
	tap_eq(atomic_load(&side.done), 0, "%s: and its caller waiting", what);
	tap_eq(req(&ctl, MOP_RELEASE, 0), 0, "%s: release it", what);
	tap_ok(side_wait(&side, 500), "%s: then the blocked call ends", what);
	tap_eq(slow_result, want, "%s: with its own result", what);
	for (int i = 0; i < NCONNS; i++)
		ipc_close(&c[i]);
	tap_eq(ipc_close(&slow), 0, "%s: close", what);
	tap_ok(wait_dtors(&ctl, d0 + NCONNS + 3, 300),
	       "%s: %d connections closed, %d destructor runs", what,
	       NCONNS + 3, NCONNS + 3);
}

static void test_two_servers(void)
{
	struct ipc_conn b, b2;
	struct srv_hdr ha, hb;
	long da, db, threads;

	tap_eq(ipc_connect(srv_b, 4096, &b), 0, "connect to server B");
	tap_eq(req(&b, MOP_WHO, 0), MULTI_B_ID, "B's routine serves B");
	tap_eq(req(&ctl, MOP_WHO, 0), MULTI_A_ID, "A's routine serves A");
	tap_ok(req(&b, MOP_DEEP, 0) > 0, "a handler has a 64 KiB stack");
	da = stats(&ctl, &ha);
	db = stats(&b, &hb);
	threads = live_threads();
	tap_eq(ipc_connect(srv_b, 8192, &b2), 0, "a second connection to B");
	tap_eq(live_threads(), threads + 1,
	       "it got a handler thread of its own");
	tap_eq(ipc_close(&b2), 0, "closed");
	tap_ok(wait_dtors(&b, db + 1, 300), "B's destructor ran for it");
	tap_eq(live_threads(), threads + 1,
	       "its handler stays, idle in the pool");
	tap_eq(ipc_connect(srv_b, 8192, &b2), 0, "a third connection to B");
	tap_eq(live_threads(), threads + 1,
	       "it got the idle handler: no new thread");
	tap_eq(req(&b2, MOP_WHO, 0), MULTI_B_ID, "which serves it");
	tap_eq(ipc_close(&b2), 0, "closed");
	tap_ok(wait_dtors(&b, db + 2, 300), "B's destructor ran for it");
	tap_eq(stats(&ctl, &ha), da, "A's did not");
	tap_eq(ipc_close(&b), 0, "close B's connection");
}

/* The pool keeps IPC_SERVE_POOL idle handlers; the rest are freed. */
static void test_pool_bound(void)
{
	enum { N = IPC_SERVE_POOL + 2 };
	struct ipc_conn b, c[N];
	struct srv_hdr h;
	long d0, open;
	int n = 0;

	tap_eq(ipc_connect(srv_b, 4096, &b), 0, "pool: connect to B");
	d0 = stats(&b, &h);
	while (n < N && ipc_connect(srv_b, 4096, &c[n]) == 0)
		n++;
	tap_eq(n, N, "pool: %d more connections, each its own handler", N);
	/* The pool (at most IPC_SERVE_POOL) is empty now: all are in use. */
	open = live_threads();
	for (int i = 0; i < n; i++)
		ipc_close(&c[i]);
	tap_ok(wait_dtors(&b, d0 + n, 300), "pool: all %d torn down", n);
	settle(open - (N - IPC_SERVE_POOL));
	tap_eq(live_threads(), open - (N - IPC_SERVE_POOL),
	       "pool: %d handlers kept idle, %d freed", IPC_SERVE_POOL,
	       N - IPC_SERVE_POOL);
	tap_eq(ipc_close(&b), 0, "pool: close");
	/* The pool is full: this connection's handler is freed. */
	settle(open - (N - IPC_SERVE_POOL) - 1);
	tap_eq(live_threads(), open - (N - IPC_SERVE_POOL) - 1,
	       "pool: full, so the next closed connection's handler is freed");
}

static void test_limit(void)
{
	struct ipc_conn c[MULTI_A_MAX];
	struct srv_hdr h;
	long caps, objs, d0, r;
	int n = 0;

	/* ctl is one of A's MULTI_A_MAX. */
	while (n < MULTI_A_MAX - 1 && ipc_connect(srv_a, 4096, &c[n]) == 0)
		n++;
	tap_eq(n, MULTI_A_MAX - 1, "A takes %d connections", MULTI_A_MAX);
	caps = count_caps();
	/*
	 * Teardowns of earlier tests may still free objects meanwhile: a
	 * count that fell is tried again; one that a leak raised stays so.
	 */
	for (int i = 0; i < 5; i++) {
		objs = fy_kstat(KSTAT_LIVE_OBJECTS);
		r = ipc_connect(srv_a, 4096, &c[n]);
		objs -= fy_kstat(KSTAT_LIVE_OBJECTS);
		if (objs == 0 || r != -ECONNREFUSED)
			break;
		fy_yield();
	}
	tap_eq(r, -ECONNREFUSED, "one more is refused: -ECONNREFUSED");
	tap_eq(count_caps(), caps, "the refusal left no cap with us");
	tap_eq(objs, 0, "nor an object anywhere (connection, shm, handler)");
	tap_eq(ipc_connect(srv_a, 4096, &c[n]), -ECONNREFUSED,
	       "and again, while A is full");
	tap_eq(req(&c[0], MOP_WHO, 0), MULTI_A_ID, "A still serves the others");
	d0 = stats(&ctl, &h);
	tap_eq(ipc_close(&c[0]), 0, "one closes");
	tap_ok(wait_dtors(&ctl, d0 + 1, 300), "its handler is torn down");
	tap_eq(ipc_connect(srv_a, 4096, &c[0]), 0, "now a client is taken");
	tap_eq(req(&c[0], MOP_WHO, 0), MULTI_A_ID, "and served");
	for (int i = 0; i < n; i++)
		ipc_close(&c[i]);
	tap_ok(wait_dtors(&ctl, d0 + 1 + n, 300), "all torn down");
}

/* 1000 connections, each opened, called and closed, on server B. */
static int churn(struct ipc_conn *b, long *dtors, int n)
{
	for (int i = 0; i < n; i++) {
		long threads = live_threads();
		struct ipc_conn c;

		if (ipc_connect(srv_b, 4096, &c) ||
		    req(&c, MOP_WHO, 0) != MULTI_B_ID)
			return i;
		ipc_close(&c);
		/* The teardown runs on the handler's own context: let it. */
		if (!wait_dtors(b, ++*dtors, 100))
			return -i;
		/* And the thread's exit after the destructor. */
		settle(threads);
		/*
		 * And its way into the pool after the destructor: the next
		 * connection would otherwise find the pool empty and get a
		 * second handler, which stays (at our priority it runs when
		 * we yield).
		 */
		for (int y = 0; y < 3; y++)
			fy_yield();
	}
	return n;
}

static void test_no_leak(void)
{
	struct ipc_conn b, c2, c3;
	struct srv_hdr h;
	long dtors, objs, threads, frames, heap;

	tap_eq(ipc_connect(srv_b, 4096, &b), 0, "connect to B");
	dtors = stats(&b, &h);
	/*
	 * Two idle handlers in B's pool first. A closed connection's
	 * handler goes back to the pool only after its destructor (which
	 * wait_dtors sees): a tick between the two let the next connect
	 * find the pool empty and make a handler the pool then kept, one
	 * thread more than counted (seen under a loaded host). With a
	 * second idle handler the next connect takes that one instead.
	 */
	tap_eq(ipc_connect(srv_b, 4096, &c2), 0, "two more connections");
	tap_eq(ipc_connect(srv_b, 4096, &c3), 0, "... at once");
	ipc_close(&c2);
	ipc_close(&c3);
	tap_ok(wait_dtors(&b, dtors += 2, 100), "both closed");
	/* Warm up: the kernel heap and page tables reach their size. */
	tap_eq(churn(&b, &dtors, 20), 20, "20 connections to warm up");
	objs = fy_kstat(KSTAT_LIVE_OBJECTS);
	threads = live_threads();
	frames = fy_kstat(KSTAT_FREE_FRAMES);
	heap = fy_kstat(KSTAT_KMALLOC_BYTES);
	tap_eq(churn(&b, &dtors, LOOPS), LOOPS,
	       "%d connections opened, called and closed", LOOPS);
	for (int i = 0; i < 100 && live_threads() != threads; i++)
		fy_yield();
	tap_eq(live_threads(), threads, "no handler thread is left");
	tap_eq(fy_kstat(KSTAT_LIVE_OBJECTS), objs, "nor any object");
	tap_eq(fy_kstat(KSTAT_FREE_FRAMES), frames,
	       "nor a frame (stacks and shms unmapped, their ranges reused)");
	tap_eq(fy_kstat(KSTAT_KMALLOC_BYTES), heap, "nor kernel heap");
	tap_eq(ipc_close(&b), 0, "close");
	for (int i = 0; i < 10; i++)
		fy_yield();
	tap_eq(live_threads(), threads,
	       "and its handler goes idle in the pool: no thread freed");
}

/*
 * A client killed while its handler spins: the orphaned handler ends its
 * work, then the closed connection's teardown runs on it and frees it.
 */
static void test_client_dies(void)
{
	struct srv s = {proc, srv_a};
	long threads = live_threads(), p;
	struct srv_hdr h;
	long d0 = stats(&ctl, &h);

	p = client_spawn(&s, "spin", "6000");
	tap_ok(p >= 0 && wait_blocked(&ctl, 1, 300),
	       "a client process's handler spins");
	fy_proc_kill((cap_t)p);
	tap_eq(proc_reap((cap_t)p), PROC_STATUS_KILLED(PROC_SIG_KILL),
	       "the client is killed meanwhile");
	tap_eq(req(&ctl, MOP_RELEASE, 0), 0, "release the handler");
	tap_ok(wait_blocked(&ctl, 0, 300), "its orphaned handler finishes");
	tap_ok(wait_dtors(&ctl, d0 + 1, 300), "then the destructor runs on it");
	for (int i = 0; i < 100 && live_threads() != threads; i++)
		fy_yield();
	tap_eq(live_threads(), threads, "and the handler is freed");
}

/* The server killed while a handler sleeps: its caller learns at once. */
/*
 * A waiter granted a handler issues its call again on whatever its slot
 * names by then (docs/ipc.md, "Issue again"). Here the thread the first
 * handler returned to puts a new connection in that slot first, and
 * keeps the new connection's handler busy: the waiter waits for that
 * one instead. The grant of the first handler must pass on (the kernel
 * dropped it with the reference it held: the first handler stayed busy
 * for good, its thread object leaked, and the server's death later
 * touched the waiter's freed thread).
 */
static struct ipc_conn rg1, rg2;
static cap_t rg_slot;
static long rg_wait_result, rg_new_slot;
static atomic_int rg_swapped, rg_called, rg_end;
static struct side rg_side[2];
static _Alignas(16) char rg_stack[2][16384];

static void sleep_10ms(void)
{
	nanosleep(&(struct timespec){0, 10000000}, NULL);
}

/* Sleeps (lower priorities run) until *flag is set, 300 ticks at most. */
static int sleep_until(atomic_int *flag)
{
	int64_t end = srv_ticks() + 300;

	while (!atomic_load(flag) && srv_ticks() < end)
		sleep_10ms();
	return atomic_load(flag);
}

/* Sleeps until server A has n handlers blocked, 300 ticks at most. */
static int sleep_until_blocked(long n)
{
	int64_t end = srv_ticks() + 300;
	struct srv_hdr h;

	while (stats(&ctl, &h), h.b != n && srv_ticks() < end)
		sleep_10ms();
	return h.b == n;
}

static void rg_holder_job(void)
{
	struct ipc_shm_config cfg;
	long pmo = fy_pmo_create(4096, PMO_ANONYMOUS);
	char *a =
		mmap(NULL, 8192, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (pmo < 0 || a == MAP_FAILED)
		return;
	munmap(a + 4096, 4096); /* the hole the kernel maps the shm into */
	cfg.shm_cap = (cap_t)pmo;
	cfg.shm_addr = (uintptr_t)a + 4096;
	req(&rg1, MOP_SLEEP, 3000);
	/* Returned, the waiter granted below us: a new connection there. */
	fy_cap_delete(rg_slot);
	rg_new_slot = fy_register_client(srv_a, &cfg);
	if (rg_new_slot < 0)
		return;
	rg2.cap = (cap_t)rg_new_slot;
	rg2.shm_cap = (cap_t)pmo;
	rg2.shm = a + 4096;
	rg2.shm_size = 4096;
	atomic_store(&rg_swapped, 1);
	req(&rg2, MOP_SLEEP, 3000);
}

/* Calls, then stays alive until told: a grant it kept ends with it. */
static void rg_waiter_job(void)
{
	rg_wait_result = fy_ipc_call(rg_slot, NULL, 0, 0);
	atomic_store(&rg_called, 1);
	while (!atomic_load(&rg_end))
		sleep_10ms();
}

static void test_regrant_elsewhere(void)
{
	tap_eq(ipc_connect(srv_a, 4096, &rg1), 0, "regrant: connect");
	rg_slot = rg1.cap;
	/* We sleep whenever the others must run. */
	fy_thread_set_prio(CAP_SELF_MAIN_THREAD, 20);
	tap_ok(side_start(&rg_side[0], rg_holder_job,
			  rg_stack[0] + sizeof(rg_stack[0])) >= 0 &&
		       fy_thread_set_prio(rg_side[0].thread, 18) == 0,
	       "regrant: a thread at 18 keeps the handler busy");
	tap_ok(sleep_until_blocked(1), "regrant: its handler sleeps");
	tap_ok(side_start(&rg_side[1], rg_waiter_job,
			  rg_stack[1] + sizeof(rg_stack[1])) >= 0 &&
		       fy_thread_set_prio(rg_side[1].thread, 10) == 0,
	       "regrant: a thread at 10 calls it too and waits");
	sleep_10ms();
	sleep_10ms();
	tap_eq(req(&ctl, MOP_RELEASE, 0), 0, "regrant: release the handler");
	sleep_until(&rg_swapped);
	tap_ok(rg_new_slot == rg_slot,
	       "regrant: a new connection in the waiter's slot (%ld, %d)",
	       rg_new_slot, (int)rg_slot);
	tap_ok(sleep_until_blocked(1), "regrant: its handler sleeps too");
	sleep_10ms();
	sleep_10ms();
	tap_eq(req(&ctl, MOP_RELEASE, 0), 0, "regrant: release it");
	tap_ok(sleep_until(&rg_called), "regrant: the waiter's call ended");
	tap_ok(rg_wait_result > 0,
	       "regrant: served by the new connection's handler (%ld)",
	       rg_wait_result);
	atomic_store(&rg_end, 1);
	tap_ok(sleep_until(&rg_side[1].done), "regrant: the waiter ends");
	tap_ok(sleep_until(&rg_side[0].done), "regrant: the holder ends");
	fy_cap_delete(rg_side[0].thread);
	fy_cap_delete(rg_side[1].thread);
	fy_thread_set_prio(CAP_SELF_MAIN_THREAD, PRIO_DEFAULT);
	tap_eq(ipc_close(&rg2), 0, "regrant: close the new connection");
	/* The first one's cap is gone: our exit closes it. */
}

static void test_server_dies(void)
{
	struct ipc_conn b;
	int64_t t0;

	tap_eq(ipc_connect(srv_b, 4096, &b), 0, "connect to B");
	tap_eq(ipc_connect(srv_b, 4096, &slow), 0, "and again");
	slow_op = MOP_SLEEP;
	slow_arg = 10000;
	side_start(&side, slow_job, stack + STACK_SIZE);
	tap_ok(wait_blocked(&b, 1, 300), "B's handler sleeps");
	t0 = srv_ticks();
	fy_proc_kill(proc);
	tap_ok(side_wait(&side, 300), "the server is killed: the call ends");
	tap_ok(srv_ticks() - t0 < 300, "at once, not after the 10 s sleep");
	tap_eq(slow_result, -ESRCH, "with -ESRCH");
	tap_eq(fy_proc_wait(proc), PROC_STATUS_KILLED(PROC_SIG_KILL),
	       "server process killed");
	tap_eq(req(&b, OP_NOP, 0), -EDEADSRV, "B's other connection is dead");
	tap_eq(ipc_close(&slow), 0, "close");
	tap_eq(ipc_close(&b), 0, "close");
}

int main(void)
{
	static const char *const argv[] = {"helpers/ipc_multi", NULL};
	long threads0 = live_threads();
	long r = fy_spawn(argv[0], argv, NULL), slot;

	tap_ok(r >= 0, "spawn the two-server process (%ld)", r);
	if (r < 0)
		return tap_done();
	proc = (cap_t)r;
	r = fy_cap_fetch(proc, CAP_SELF_MAIN_THREAD,
			 CAP_RIGHT_CALL | CAP_RIGHT_GRANT);
	srv_a = (cap_t)r;
	tap_eq(ipc_connect(srv_a, 4096, &ctl), 0, "connect to server A");
	slot = req(&ctl, MOP_B_SLOT, 0);
	r = fy_cap_fetch(proc, (cap_t)slot, CAP_RIGHT_CALL);
	tap_ok(r >= 0, "fetch server B's thread (slot %ld)", slot);
	srv_b = (cap_t)r;

	test_blocked(MOP_SLEEP, 60000, 1, "nanosleep");
	test_blocked(MOP_CHILD, 0, PROC_STATUS_KILLED(PROC_SIG_KILL),
		     "proc_wait");
	test_two_servers();
	test_limit();
	test_no_leak();
	test_pool_bound();
	test_client_dies();
	test_regrant_elsewhere();
	test_server_dies();

	tap_eq(ipc_close(&ctl), 0, "close");
	fy_cap_delete(srv_a);
	fy_cap_delete(srv_b);
	fy_cap_delete(proc);
	for (int i = 0; i < 100 && live_threads() != threads0; i++)
		fy_yield();
	tap_eq(live_threads(), threads0,
	       "the server gone, its pooled handlers are freed with it");
	return tap_done();
}
