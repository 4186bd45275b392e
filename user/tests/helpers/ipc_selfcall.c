/*
 * Helper of tests/ipc_exit_selfcall. A process
 * that serves itself: thread C calls our own handler H, and H calls on
 * into helpers/ipc_srv (OP_SPIN), so that both C and H wait in IPC
 * (TS_IPC_WAIT) when the test kills us. H was created before C, so
 * cap_group_exit retires H first.
 */
#include <ferry/ipc.h>

#include "../ipc_proto.h"

static struct ipc_conn next, self;
static _Alignas(16) char c_stack[65536];

/* H: forward to ipc_srv, which spins for a long time. */
static long handler(struct ipc_msg *msg, uint64_t badge)
{
	struct ipc_msg *m = ipc_msg_init(&next, SRV_PAYLOAD, 0);
	struct srv_hdr *h = ipc_msg_data(m);

	(void)msg;
	(void)badge;
	h->op = OP_SPIN;
	h->a = 2000;
	return ipc_call(&next, m, 0);
}

/* C: a client of our own server. */
static void c_entry(void *arg)
{
	(void)arg;
	if (ipc_connect(CAP_SELF_MAIN_THREAD, 4096, &self) < 0)
		fy_proc_exit(5);
	ipc_call(&self, NULL, 0);
	fy_proc_exit(6);
}

int main(void)
{
	cap_t server = srv_find_server();

	if (server < 0)
		return 2;
	if (ipc_connect(server, 4096, &next) < 0)
		return 3;
	if (ipc_serve(handler, NULL) < 0) /* H, then the register cb */
		return 4;
	if (fy_thread_create(CAP_SELF_GROUP, c_entry, c_stack + sizeof(c_stack),
			     NULL, 0) < 0)
		return 5;
	for (;;)
		fy_yield();
}
