/*
 * echoserver: the smallest useful Ferry server. Each call's data comes
 * back upper-cased in place, and the reply value is its length. Runs
 * until killed; echoclient starts and stops it.
 */
#include <ctype.h>
#include <stdio.h>

#include <ferry/ipc.h>

static unsigned long served;

static long upcase(struct ipc_msg *msg, uint64_t badge)
{
	char *d;

	(void)badge;
	if (!msg)
		return (long)served;
	d = ipc_msg_data(msg);
	for (uint32_t i = 0; i < msg->data_len; i++)
		d[i] = (char)toupper((unsigned char)d[i]);
	served++;
	return msg->data_len;
}

/* Runs in the handler once per closed connection. */
static void bye(uint64_t badge)
{
	printf("echoserver: client %llx left after %lu calls\n",
	       (unsigned long long)badge, served);
}

int main(void)
{
	long r = ipc_serve(upcase, bye);

	if (r < 0) {
		printf("echoserver: ipc_serve: %ld\n", r);
		return 1;
	}
	fy_thread_exit(); /* the passive threads serve from now on */
}
