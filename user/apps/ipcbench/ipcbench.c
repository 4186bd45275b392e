/*
 * ipcbench: the cost of IPC, in guest instructions under `make bench`
 * (-icount shift=0); from the shell the figures are TSC ticks, and the
 * report lines say so (see bench.h).
 *
 * It runs itself a second time as the server ("ipcbench server") and
 * measures, per round trip through libferry (ipc_call, retry loop and
 * all), on one connection:
 *   ipc_call_empty  a call with no message, the handler returns 0
 *   ipc_call_64b    64 bytes written to the shm (the write is not
 *                   counted); the handler reads the first and last byte
 *   ipc_call_4k     the same with 4 KiB: shm IPC copies nothing, so the
 *                   size only shows in the client's own writes
 *   ipc_copy_4k     4 KiB in and 4 KiB back through real copies, as a
 *                   Unix-socket echo would make them: the client copies
 *                   its buffer into the shm, the handler copies it out to
 *                   a buffer of its own and its reply back into the shm,
 *                   and the client copies the reply out. All four copies
 *                   are counted.
 *   ipc_call_cap    one capability sent with each call: the transfer
 *                   and the handler's cap_delete of what it received
 *                   (the client's own cap_copy/cap_delete are not counted)
 *   ipc_call_yield  a call whose handler yields (finding nobody else
 *                   ready): the uncontended form of the next
 *   ipc_call_contended  two threads of the client, at one priority,
 *                   call on one connection at once, the handler yielding
 *                   once per call: each finds the handler busy with (or
 *                   kept for) the other, waits in the kernel, and is
 *                   granted it when the other returns. The figure is per
 *                   call, both threads' calls counted, waiting, switching
 *                   and the handler's yield included.
 *   ipc_register    a whole connection's life: ipc_connect (which
 *                   gives the connection a handler thread and stack,
 *                   the idle one in the server's pool after a first,
 *                   untimed connection), ipc_close, and the server's
 *                   teardown of it on that handler (its destructor,
 *                   unmapping the shm, dropping its caps, the handler
 *                   back to the pool, idle). The
 *                   teardown runs on the handler's own scheduling
 *                   context, queued at the close: each close is followed
 *                   by yields until a call on the long-lived connection
 *                   returns the expected count of destructor runs, so
 *                   the next connect starts only after the teardown has
 *                   finished. The check call's own cost, taken alone, is
 *                   subtracted; the yield that lets the teardown run is
 *                   counted. Also printed as ipc_connect_close, issue
 *                   11's name for it.
 *   ipc_call_cap_200conn, ipc_connect_close_200conn  the same two with
 *                   200 more connections open on the server (issue 11:
 *                   flat, within 10% of the figures without them)
 * and, on the system's console (init's user/servers/console):
 *   console_write   write(1, 64 bytes): a kernel-made call into the
 *                   console server, its restart, and the server's
 *                   SYS_console_output of the bytes to the UART (a
 *                   "# ..." line, which the bench log ignores)
 * and notify_wake (notify.c): a notify, and the waiting thread of
 * another process runs; name_lookup (name.c): fy_ns_lookup of a
 * registered name and the deletion of the cap it returns.
 */
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>

#include <ferry/ipc.h>

#include "../bench/bench.h"
#include "name.h"
#include "notify.h"

#define CALL_ITERS 5000
#define REG_ITERS 200
#define MANY_CONNS 200
#define COPY_LEN 4096

/* What a message asks for: the first word of its data. */
enum { OP_PEEK = 1, OP_COPY = 2, OP_DESTRUCTED = 3, OP_YIELD = 4 };

struct req {
	uint64_t op;
	unsigned char data[];
};

/* Server side. */
static volatile long destructors_run;
static unsigned char server_buf[COPY_LEN];

static long handler(struct ipc_msg *msg, uint64_t badge)
{
	(void)badge;
	if (!msg)
		return 0;
	if (msg->cap_slots) {
		fy_cap_delete(ipc_msg_caps(msg)[0]);
		return 0;
	}
	struct req *q = ipc_msg_data(msg);

	if (msg->data_len < sizeof(*q))
		return -EINVAL;
	uint32_t n = msg->data_len - sizeof(*q);

	if (q->op == OP_PEEK) {
		/*
		 * The data is already here (zero copy): read its ends to
		 * prove it, without charging a loop over every byte to the
		 * IPC figure.
		 */
		return n ? q->data[0] + q->data[n - 1] : 0;
	}
	if (q->op == OP_YIELD) {
		fy_yield(); /* lets a second client find us busy */
		return 0;
	}
	if (q->op == OP_COPY) {
		/* An echo through a buffer of our own, as read + write. */
		if (n > sizeof(server_buf))
			return -EINVAL;
		memcpy(server_buf, q->data, n);
		memcpy(q->data, server_buf, n);
		return n;
	}
	return q->op == OP_DESTRUCTED ? destructors_run : -EINVAL;
}

/* Runs on a connection's handler once it is closed. */
static void destructor(uint64_t badge)
{
	(void)badge;
	destructors_run++;
}

static int server(void)
{
	/* Room for MANY_CONNS more than the bench's own connections. */
	struct ipc_serve_config cfg = {.handler = handler,
				       .destructor = destructor,
				       .max_conns = MANY_CONNS + 8};

	if (ipc_serve_with(&cfg) < 0)
		return 1;
	fy_thread_exit();
}

/* Client side. */
static unsigned char client_buf[COPY_LEN];

static struct ipc_msg *req_init(struct ipc_conn *c, uint64_t op, uint32_t n)
{
	struct ipc_msg *m = ipc_msg_init(c, sizeof(struct req) + n, 0);

	if (m)
		((struct req *)ipc_msg_data(m))->op = op;
	return m;
}

static void fill(struct ipc_msg *m)
{
	struct req *q = ipc_msg_data(m);

	memset(q->data, 7, m->data_len - sizeof(*q));
}

static uint64_t calls(struct ipc_conn *c, struct ipc_msg *m, unsigned ncaps,
		      long iters)
{
	uint64_t t0 = bench_rdtsc();

	for (long i = 0; i < iters; i++) {
		if (m && !m->cap_slots)
			fill(m);
		cap_t k = -1;

		if (ncaps) {
			k = (cap_t)fy_cap_copy(CAP_SELF_VMSPACE, CAP_RIGHT_ALL);
			ipc_msg_caps(m)[0] = k;
		}
		ipc_call(c, m, ncaps);
		if (ncaps)
			fy_cap_delete(k);
	}
	return bench_rdtsc() - t0;
}

/* The work done around each call (filling data, copying the cap). */
static uint64_t around(struct ipc_msg *m, unsigned ncaps, long iters)
{
	uint64_t t0 = bench_rdtsc();

	for (long i = 0; i < iters; i++) {
		if (m && !m->cap_slots)
			fill(m);
		if (ncaps) {
			cap_t k = (cap_t)fy_cap_copy(CAP_SELF_VMSPACE,
						     CAP_RIGHT_ALL);
			fy_cap_delete(k); /* the server's delete is measured */
		}
		__asm__ volatile("" ::: "memory");
	}
	return bench_rdtsc() - t0;
}

static void bench_call(const char *name, struct ipc_conn *c, struct ipc_msg *m,
		       unsigned ncaps)
{
	calls(c, m, ncaps, CALL_ITERS / 10);
	uint64_t overhead = around(m, ncaps, CALL_ITERS);
	bench_report(name, calls(c, m, ncaps, CALL_ITERS), overhead,
		     CALL_ITERS);
}

/* Returns the number of round trips whose echo came back wrong. */
static long copies(struct ipc_conn *c, struct ipc_msg *m, long iters,
		   uint64_t *cycles)
{
	struct req *q = ipc_msg_data(m);
	long bad = 0;
	uint64_t t0 = bench_rdtsc();

	for (long i = 0; i < iters; i++) {
		client_buf[0] = (unsigned char)i;
		memcpy(q->data, client_buf, COPY_LEN);
		if (ipc_call(c, m, 0) != COPY_LEN)
			bad++;
		memcpy(client_buf, q->data, COPY_LEN);
		if (client_buf[0] != (unsigned char)i)
			bad++;
	}
	*cycles = bench_rdtsc() - t0;
	return bad;
}

static int bench_copy(struct ipc_conn *c)
{
	struct ipc_msg *m = req_init(c, OP_COPY, COPY_LEN);
	uint64_t cycles;

	if (!m || copies(c, m, CALL_ITERS / 10, &cycles) ||
	    copies(c, m, CALL_ITERS, &cycles)) {
		printf("# bench ipc_copy_4k: the echo came back wrong\n");
		return 1;
	}
	bench_report("ipc_copy_4k", cycles, bench_empty_loop(CALL_ITERS),
		     CALL_ITERS);
	return 0;
}

#define CONSOLE_ITERS 200

static int bench_console(void)
{
	static const char head[] = "# console_write: 64 bytes through the "
				   "console server ";
	char line[64];
	uint64_t t0, cycles;

	memset(line, '.', sizeof(line));
	memcpy(line, head, sizeof(head) - 1);
	line[sizeof(line) - 1] = '\n';
	for (int pass = 0; pass < 2; pass++) { /* warm up, then measure */
		t0 = bench_rdtsc();
		for (long i = 0; i < CONSOLE_ITERS; i++) {
			if (fy_syscall3(SYS_write, 1, (long)line, 64) != 64) {
				printf("# bench console_write: a write "
				       "failed\n");
				return 1;
			}
		}
		cycles = bench_rdtsc() - t0;
	}
	bench_report("console_write", cycles, bench_empty_loop(CONSOLE_ITERS),
		     CONSOLE_ITERS);
	return 0;
}

/* Two clients on one connection (and so one handler). */
static struct ipc_conn *contended_conn;
static struct ipc_msg *contended_msg;
static volatile int contended_done;
static _Alignas(16) unsigned char contended_stack[16384];

static void contended_side(void *arg)
{
	(void)arg;
	for (long i = 0; i < CALL_ITERS; i++)
		ipc_call(contended_conn, contended_msg, 0);
	contended_done = 1;
	fy_thread_exit();
}

static int bench_contended(struct ipc_conn *c)
{
	uint64_t t0, cycles;
	long t;

	contended_conn = c;
	contended_msg = req_init(c, OP_YIELD, 0);
	contended_done = 0;
	/* The same call with nobody to contend with, for comparison. */
	bench_call("ipc_call_yield", c, contended_msg, 0);
	t = fy_thread_create(CAP_SELF_GROUP, contended_side,
			     contended_stack + sizeof(contended_stack), NULL,
			     0);
	if (t < 0) {
		printf("# bench ipc_call_contended: thread %ld\n", t);
		return 1;
	}
	/*
	 * The side thread is ready at our priority. Each handler run
	 * yields: the other thread, if ready, runs and calls meanwhile,
	 * finds the handler busy and waits; from then on each return grants
	 * the handler to the other thread, which is waiting by then (the
	 * two go in lockstep, and the yield finds nobody ready: no switch).
	 * A time slice that ends between two calls breaks the lockstep; the
	 * next yield makes it again.
	 */
	t0 = bench_rdtsc();
	for (long i = 0; i < CALL_ITERS; i++)
		ipc_call(c, contended_msg, 0);
	while (!contended_done)
		fy_yield();
	cycles = bench_rdtsc() - t0;
	fy_cap_delete((cap_t)t);
	bench_report("ipc_call_contended", cycles,
		     bench_empty_loop(2 * CALL_ITERS), 2 * CALL_ITERS);
	return 0;
}

/*
 * Checks that the server's destructors have run `want` times; with
 * `yield`, first lets the teardown queued at our priority run (it takes
 * one yield; a few more are allowed before it counts as a failure).
 */
static int check_teardown(const char *name, struct ipc_conn *ctl,
			  struct ipc_msg *q, long want, int yield)
{
	long got;

	if (yield)
		fy_yield();
	got = ipc_call(ctl, q, 0);
	for (int y = 0; yield && got != want && y < 100; y++) {
		fy_yield();
		got = ipc_call(ctl, q, 0);
	}
	if (got != want) {
		printf("# bench %s: %ld destructor runs, not %ld\n", name, got,
		       want);
		return 1;
	}
	return 0;
}

static int bench_register(const char *name, cap_t srv, struct ipc_conn *ctl)
{
	struct ipc_msg *q = req_init(ctl, OP_DESTRUCTED, 0);
	long base, objs;
	uint64_t t0, cycles, barrier;
	struct ipc_conn w;

	/* One connection first: its handler stays idle in the server's pool. */
	base = ipc_call(ctl, q, 0) + 1;
	if (ipc_connect(srv, 4096, &w) < 0)
		return 1;
	ipc_close(&w);
	if (check_teardown(name, ctl, q, base, 1))
		return 1;
	objs = fy_kstat(KSTAT_LIVE_OBJECTS);

	t0 = bench_rdtsc();
	for (long i = 0; i < REG_ITERS; i++) {
		struct ipc_conn c;
		long r = ipc_connect(srv, 4096, &c);

		if (r < 0) {
			printf("# bench %s: connect %ld: %ld\n", name, i, r);
			return 1;
		}
		ipc_close(&c);
		if (check_teardown(name, ctl, q, base + i + 1, 1))
			return 1;
	}
	cycles = bench_rdtsc() - t0;
	/* Every connection and shm PMO is gone again: nothing was left over. */
	if (fy_kstat(KSTAT_LIVE_OBJECTS) != objs) {
		printf("# bench %s: %ld live objects, not %ld\n", name,
		       fy_kstat(KSTAT_LIVE_OBJECTS), objs);
		return 1;
	}
	/* The barrier alone: the same call with no teardown to wait for. */
	t0 = bench_rdtsc();
	for (long i = 0; i < REG_ITERS; i++)
		if (check_teardown(name, ctl, q, base + REG_ITERS, 0))
			return 1;
	barrier = bench_rdtsc() - t0;
	bench_report(name, cycles, barrier, REG_ITERS);
	if (!strcmp(name, "ipc_register"))
		bench_report("ipc_connect_close", cycles, barrier, REG_ITERS);
	return 0;
}

/*
 * ipc_call_cap and ipc_register again with MANY_CONNS more connections
 * open on the server, closed (and their teardowns waited for) after.
 */
static int bench_many(cap_t srv, struct ipc_conn *c)
{
	static struct ipc_conn many[MANY_CONNS];
	struct ipc_msg *q = req_init(c, OP_DESTRUCTED, 0);
	long base = ipc_call(c, q, 0);
	int n, failed;

	for (n = 0; n < MANY_CONNS; n++) {
		long r = ipc_connect(srv, 4096, &many[n]);

		if (r < 0) {
			printf("# bench ipc_call_cap_200conn: connect %d: "
			       "%ld\n",
			       n, r);
			break;
		}
	}
	failed = n < MANY_CONNS;
	if (!failed) {
		bench_call("ipc_call_cap_200conn", c, ipc_msg_init(c, 0, 1), 1);
		failed = bench_register("ipc_connect_close_200conn", srv, c);
		base = ipc_call(c, req_init(c, OP_DESTRUCTED, 0), 0);
	}
	for (int i = 0; i < n; i++)
		ipc_close(&many[i]);
	return check_teardown("ipc_connect_close_200conn", c,
			      req_init(c, OP_DESTRUCTED, 0), base + n, 1) ||
	       failed;
}

int main(int argc, char **argv)
{
	const char *sargv[] = {"ipcbench", "server", NULL};
	struct ipc_conn c, big;
	long proc, srv;
	int failed = 0;

	if (argc > 1 && !strcmp(argv[1], "server"))
		return server();
	if (argc > 1 && !strcmp(argv[1], "notify-peer"))
		return notify_peer();
	bench_init(argc, argv);
	proc = fy_spawn("ipcbench", sargv, NULL);
	if (proc < 0)
		return printf("ipcbench: cannot spawn the server (%ld)\n",
			      proc),
		       1;
	srv = fy_cap_fetch((cap_t)proc, CAP_SELF_MAIN_THREAD, CAP_RIGHT_CALL);
	if (srv < 0 || ipc_connect((cap_t)srv, 4096, &c) < 0 ||
	    ipc_connect((cap_t)srv, 8192, &big) < 0)
		return printf("ipcbench: cannot connect\n"), 1;

	bench_call("ipc_call_empty", &c, NULL, 0);
	bench_call("ipc_call_64b", &c, req_init(&c, OP_PEEK, 64), 0);
	bench_call("ipc_call_4k", &big, req_init(&big, OP_PEEK, 4096), 0);
	failed |= bench_copy(&big);
	bench_call("ipc_call_cap", &c, ipc_msg_init(&c, 0, 1), 1);
	failed |= bench_contended(&c);
	failed |= bench_register("ipc_register", (cap_t)srv, &c);
	failed |= bench_console();
	failed |= bench_notify();
	failed |= bench_name_lookup((cap_t)proc);
	/* Last: the state the 200 connections leave moves no other figure. */
	failed |= bench_many((cap_t)srv, &c);

	ipc_close(&c);
	ipc_close(&big);
	fy_proc_kill((cap_t)proc);
	fy_proc_wait((cap_t)proc);
	fy_cap_delete((cap_t)srv);
	fy_cap_delete((cap_t)proc);
	return failed;
}
