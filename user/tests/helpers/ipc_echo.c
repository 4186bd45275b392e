/*
 * An IPC server for the tests: echoes the message data back reversed and
 * returns its length; a few commands in the first byte test the rest.
 */
#include <ferry/ipc.h>
#include <string.h>
#include <unistd.h>

static long echo(struct ipc_msg *msg, uint64_t badge)
{
	char *d;
	uint32_t n;

	if (!msg)
		return (long)(badge & 0x7fffffff);
	d = ipc_msg_data(msg);
	n = msg->data_len;
	for (uint32_t i = 0; i < n / 2; i++) {
		char t = d[i];
		d[i] = d[n - 1 - i];
		d[n - 1 - i] = t;
	}
	return n;
}

int main(void)
{
	long r = ipc_serve(echo, NULL);

	if (r < 0)
		return 1;
	/* The passive threads serve from now on; this one is not needed. */
	fy_thread_exit();
}
