/* IPC smoke test: a real server process, a connection, calls. */
#include "tap.h"
#include <ferry/ipc.h>
#include <string.h>

int main(void)
{
	const char *argv[] = {"helpers/ipc_echo", NULL};
	long proc = fy_spawn("helpers/ipc_echo", argv, NULL);
	struct ipc_conn c;
	struct ipc_msg *m;
	long server, r;

	tap_ok(proc >= 0, "spawn the echo server (%ld)", proc);
	server =
		fy_cap_fetch((cap_t)proc, CAP_SELF_MAIN_THREAD, CAP_RIGHT_CALL);
	tap_ok(server >= 0, "fetch its main thread (%ld)", server);
	r = ipc_connect((cap_t)server, 4096, &c);
	tap_eq(r, 0, "connect");
	m = ipc_msg_init(&c, 5, 0);
	memcpy(ipc_msg_data(m), "hello", 5);
	r = ipc_call(&c, m, 0);
	tap_eq(r, 5, "call returns the length");
	tap_ok(!memcmp(ipc_msg_data(m), "olleh", 5), "data came back reversed");
	r = ipc_call(&c, NULL, 0);
	tap_ok(r > 0, "an empty call returns the badge (%ld)", r);
	tap_eq(ipc_close(&c), 0, "close");
	fy_proc_kill((cap_t)proc);
	tap_eq(fy_proc_wait((cap_t)proc), PROC_STATUS_KILLED(PROC_SIG_KILL),
	       "server killed");
	fy_cap_delete((cap_t)server);
	fy_cap_delete((cap_t)proc);
	return tap_done();
}
