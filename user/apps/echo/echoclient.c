/*
 * echoclient WORD...: starts echoserver, connects to it, sends each word
 * in one call and prints what came back, then closes and stops it.
 * The example for docs/ipc.md.
 */
#include <stdio.h>
#include <string.h>

#include <ferry/ipc.h>

int main(int argc, char **argv)
{
	const char *sargv[] = {"echoserver", NULL};
	struct ipc_conn conn;
	long proc, server, r;

	proc = fy_spawn("echoserver", sargv, NULL);
	if (proc < 0)
		return printf("echoclient: spawn: %ld\n", proc), 1;
	server =
		fy_cap_fetch((cap_t)proc, CAP_SELF_MAIN_THREAD, CAP_RIGHT_CALL);
	r = server < 0 ? server : ipc_connect((cap_t)server, 4096, &conn);
	if (r < 0) {
		printf("echoclient: connect: %ld\n", r);
		goto out_kill;
	}
	for (int i = 1; i < argc; i++) {
		size_t n = strlen(argv[i]);
		struct ipc_msg *m = ipc_msg_init(&conn, (uint32_t)n, 0);

		if (!m) {
			printf("echoclient: '%s' does not fit the shm\n",
			       argv[i]);
			continue;
		}
		memcpy(ipc_msg_data(m), argv[i], n);
		r = ipc_call(&conn, m, 0);
		printf("%.*s (%ld)\n", (int)n, (char *)ipc_msg_data(m), r);
	}
	printf("echoclient: the server counted %ld calls\n",
	       ipc_call(&conn, NULL, 0));
	ipc_close(&conn);
	fy_yield(); /* let the server's destructor say goodbye */
out_kill:
	fy_proc_kill((cap_t)proc);
	fy_proc_wait((cap_t)proc);
	if (server >= 0)
		fy_cap_delete((cap_t)server);
	fy_cap_delete((cap_t)proc);
	return r < 0;
}
