/*
 * An IPC client process for the ipc_* system tests. The test hands it a
 * server thread cap with cap_transfer after spawning it, so it waits for
 * one to appear in its table. Modes (argv[1]):
 *
 *   calls N  N checked OP_XFORM calls, with OP_BADGE calls between that
 *            must all give the same badge; exits 0 if every answer was
 *            right, else a code saying what went wrong;
 *   spin T   one OP_SPIN call of T ticks (the test kills us meanwhile);
 *   long M   one OP_LONGCALL of M MiB (the test kills us meanwhile);
 *   open     two connections, one call on each, then exits without
 *            closing them (the server's destructor must run for both).
 */
#include <stdlib.h>
#include <string.h>

#include <ferry/ipc.h>

#include "../ipc_proto.h"

enum {
	EXIT_NO_SERVER = 2,
	EXIT_CONNECT,
	EXIT_BAD_DATA,
	EXIT_BAD_BADGE,
	EXIT_BAD_CALL,
	EXIT_USAGE,
};

static long request(struct ipc_conn *c, int64_t op, int64_t a, uint32_t len,
		    struct srv_hdr **out)
{
	struct ipc_msg *m = ipc_msg_init(c, SRV_PAYLOAD + len, 0);
	struct srv_hdr *h = ipc_msg_data(m);

	h->op = op;
	h->a = a;
	*out = h;
	return ipc_call(c, m, 0);
}

static int do_calls(struct ipc_conn *c, long n)
{
	struct srv_hdr *h;
	long badge = request(c, OP_BADGE, 0, 0, &h);

	if (badge <= 0)
		return EXIT_BAD_BADGE;
	for (long i = 0; i < n; i++) {
		uint32_t len = 1 + (uint32_t)(i * 37 % 400);
		struct ipc_msg *m = ipc_msg_init(c, SRV_PAYLOAD + len, 0);
		unsigned char *p =
			(unsigned char *)ipc_msg_data(m) + SRV_PAYLOAD;
		long sum = 0;

		((struct srv_hdr *)ipc_msg_data(m))->op = OP_XFORM;
		for (uint32_t j = 0; j < len; j++) {
			p[j] = (unsigned char)(i + j + badge);
			sum += p[j];
		}
		if (ipc_call(c, m, 0) != sum)
			return EXIT_BAD_CALL;
		for (uint32_t j = 0; j < len; j++)
			if (p[j] != (unsigned char)(i + j + badge + 1))
				return EXIT_BAD_DATA;
		if (i % 16 == 0 && request(c, OP_BADGE, 0, 0, &h) != badge)
			return EXIT_BAD_BADGE;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct ipc_conn c, c2;
	struct srv_hdr *h;
	cap_t server;
	int status = 0;

	if (argc < 2)
		return EXIT_USAGE;
	server = srv_find_server();
	if (server < 0)
		return EXIT_NO_SERVER;
	if (ipc_connect(server, 4096, &c) < 0)
		return EXIT_CONNECT;
	if (!strcmp(argv[1], "calls") && argc > 2) {
		status = do_calls(&c, atol(argv[2]));
	} else if (!strcmp(argv[1], "spin") && argc > 2) {
		request(&c, OP_SPIN, atol(argv[2]), 0, &h);
	} else if (!strcmp(argv[1], "long") && argc > 2) {
		request(&c, OP_LONGCALL, atol(argv[2]), 0, &h);
	} else if (!strcmp(argv[1], "open")) {
		if (ipc_connect(server, 8192, &c2) < 0)
			return EXIT_CONNECT;
		if (request(&c, OP_NOP, 0, 0, &h) != SRV_NOP_RET ||
		    request(&c2, OP_NOP, 0, 0, &h) != SRV_NOP_RET)
			return EXIT_BAD_CALL;
		return 0; /* both left open on purpose */
	} else {
		return EXIT_USAGE;
	}
	ipc_close(&c);
	fy_cap_delete(server);
	return status;
}
