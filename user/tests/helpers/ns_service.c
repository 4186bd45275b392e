/*
 * A service for tests/nameserver: serves calls (each returns 1000 plus
 * the data's first byte, or 1000), then registers argv[1] with the name
 * server (its "nsright" if given one), after sleeping argv[2]
 * milliseconds if given, and waits to be killed. A registration that
 * fails ends it with exit code 100 + the errno, so the test sees why.
 */
#include <stdlib.h>
#include <time.h>

#include <ferry/ns.h>

static long serve(struct ipc_msg *m, uint64_t badge)
{
	(void)badge;
	if (!m || m->data_len == 0)
		return 1000;
	return 1000 + *(unsigned char *)ipc_msg_data(m);
}

int main(int argc, char **argv)
{
	long r;

	if (argc < 2)
		return 2;
	if (ipc_serve(serve, NULL) < 0)
		return 3;
	if (argc > 2) {
		long ms = atol(argv[2]);

		nanosleep(&(struct timespec){ms / 1000, ms % 1000 * 1000000},
			  NULL);
	}
	r = fy_ns_register(argv[1], CAP_SELF_MAIN_THREAD);
	if (r < 0)
		return 100 + (int)-r;
	for (;;)
		nanosleep(&(struct timespec){3600, 0}, NULL);
}
