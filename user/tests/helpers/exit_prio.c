/*
 * helpers/exit_prio: a server whose destructor spins for 30 ticks, and
 * its only client, which connects and closes. The destructor runs on the
 * scheduling context the handler keeps for its exit routines; sched_mcp
 * spawns us with MCP 5 and checks that the spinning destructor delays no
 * thread above that. Exits 0 once the destructor has run.
 */
#include <stdatomic.h>

#include <ferry/ferry.h>
#include <ferry/ipc.h>

static char srv_stack[16384] __attribute__((aligned(16)));
static atomic_int ready, done;

static long handler(struct ipc_msg *m, uint64_t badge)
{
	(void)m;
	(void)badge;
	return 0;
}

/* Runs without TLS: raw system calls only. */
static void dtor(uint64_t badge)
{
	long t0 = fy_kstat(KSTAT_TICKS);

	(void)badge;
	while (fy_kstat(KSTAT_TICKS) - t0 < 30)
		;
	atomic_store(&done, 1);
}

static void server(void *arg)
{
	(void)arg;
	atomic_store(&ready, ipc_serve(handler, dtor) == 0 ? 1 : -1);
	fy_thread_exit();
}

int main(void)
{
	struct ipc_conn c;
	long t = fy_thread_create(CAP_SELF_GROUP, server,
				  srv_stack + sizeof(srv_stack), NULL, 0);

	if (t < 0)
		return 1;
	while (!atomic_load(&ready))
		fy_yield();
	if (atomic_load(&ready) < 0)
		return 2;
	if (ipc_connect((cap_t)t, 4096, &c))
		return 3;
	if (ipc_close(&c))
		return 4;
	while (!atomic_load(&done))
		fy_yield();
	return 0;
}
