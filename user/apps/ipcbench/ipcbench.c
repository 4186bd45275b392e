/*
 * ipcbench: the cost of IPC, in guest instructions under `make bench`
 * (-icount shift=0); from the shell the figures are TSC ticks.
 *
 * It runs itself a second time as the server ("ipcbench server") and
 * measures, per round trip through libferry (ipc_call, retry loop and
 * all), on one connection:
 *   ipc_call_empty  a call with no message, the handler returns 0
 *   ipc_call_64b    64 bytes written to the shm (the write is not
 *                   counted); the handler reads the first and last byte
 *   ipc_call_4k     the same with 4 KiB: shm IPC copies nothing, so the
 *                   size only shows in the client's own writes
 *   ipc_call_cap    one capability sent with each call: the transfer
 *                   and the handler's cap_delete of what it received
 *                   (the client's own cap_copy/cap_delete are not counted)
 *   ipc_register    ipc_connect + ipc_close of a new connection
 */
#include <stdio.h>
#include <string.h>

#include <ferry/ipc.h>

#include "../bench/bench.h"

#define CALL_ITERS 5000
#define REG_ITERS 200

enum { OP_SUM = 1, OP_CAP = 2 };

static long handler(struct ipc_msg *msg, uint64_t badge)
{
	(void)badge;
	if (!msg)
		return 0;
	if (msg->cap_slots) {
		fy_cap_delete(ipc_msg_caps(msg)[0]);
		return 0;
	}
	/*
	 * The data is already here (zero copy): read its ends to prove it,
	 * without charging a loop over every byte to the IPC figure.
	 */
	const unsigned char *d = ipc_msg_data(msg);

	return msg->data_len ? d[0] + d[msg->data_len - 1] : 0;
}

static int server(void)
{
	if (ipc_serve(handler, NULL) < 0)
		return 1;
	fy_thread_exit();
}

static void fill(struct ipc_msg *m)
{
	memset(ipc_msg_data(m), 7, m->data_len);
}

static uint64_t calls(struct ipc_conn *c, struct ipc_msg *m, unsigned ncaps,
		      long iters)
{
	uint64_t t0 = bench_rdtsc();

	for (long i = 0; i < iters; i++) {
		if (m && m->data_len)
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
		if (m && m->data_len)
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

static void bench_call(const char *name, struct ipc_conn *c,
		       struct ipc_msg *m, unsigned ncaps)
{
	calls(c, m, ncaps, CALL_ITERS / 10);
	uint64_t overhead = around(m, ncaps, CALL_ITERS);
	bench_report(name, calls(c, m, ncaps, CALL_ITERS), overhead,
		     CALL_ITERS);
}

static void bench_register(cap_t srv)
{
	uint64_t t0 = bench_rdtsc();

	for (long i = 0; i < REG_ITERS; i++) {
		struct ipc_conn c;

		long r = ipc_connect(srv, 4096, &c);

		if (r < 0) {
			printf("ipcbench: connect %ld failed: %ld\n", i, r);
			return;
		}
		ipc_close(&c);
	}
	bench_report("ipc_register", bench_rdtsc() - t0,
		     bench_empty_loop(REG_ITERS), REG_ITERS);
}

int main(int argc, char **argv)
{
	const char *sargv[] = {"ipcbench", "server", NULL};
	struct ipc_conn c, big;
	struct ipc_msg *m;
	long proc, srv;

	if (argc > 1 && !strcmp(argv[1], "server"))
		return server();
	setvbuf(stdout, NULL, _IOLBF, 0);
	proc = fy_spawn("ipcbench", sargv, NULL);
	if (proc < 0)
		return printf("ipcbench: cannot spawn the server (%ld)\n", proc), 1;
	srv = fy_cap_fetch((cap_t)proc, CAP_SELF_MAIN_THREAD, CAP_RIGHT_CALL);
	if (srv < 0 || ipc_connect((cap_t)srv, 4096, &c) < 0 ||
	    ipc_connect((cap_t)srv, 8192, &big) < 0)
		return printf("ipcbench: cannot connect\n"), 1;

	bench_call("ipc_call_empty", &c, NULL, 0);
	bench_call("ipc_call_64b", &c, ipc_msg_init(&c, 64, 0), 0);
	bench_call("ipc_call_4k", &big, ipc_msg_init(&big, 4096, 0), 0);
	m = ipc_msg_init(&c, 0, 1);
	bench_call("ipc_call_cap", &c, m, 1);
	bench_register((cap_t)srv);

	ipc_close(&c);
	ipc_close(&big);
	fy_proc_kill((cap_t)proc);
	fy_proc_wait((cap_t)proc);
	fy_cap_delete((cap_t)srv);
	fy_cap_delete((cap_t)proc);
	return 0;
}
