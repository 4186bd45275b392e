/*
 * service_basic's peer (docs/services.md). Modes:
 *   serve   a service (fy_service_serve) running its callbacks for ever:
 *           each carries out the command in the client's buffer
 *           (svc_test.h) and notifies the client back; with no buffer it
 *           only counts and notifies back.
 *   idle    a service that never runs its loop (sleeps until killed).
 *   client  a client of the service thread it finds as the initial cap
 *           "svc": shares a buffer, asks for COUNT, and writes the client
 *           id the service saw into the initial cap "mark" (a PMO).
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <ferry/initcaps.h>
#include <ferry/service.h>

#include "../svc_test.h"

static uint64_t calls;

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void on_client(uint64_t client, void *buf, size_t len, void *arg)
{
	struct svc_test_buf *b = buf;
	size_t end = (len + 4095) & ~(size_t)4095;

	(void)arg;
	calls++;
	if (b && len >= sizeof(*b)) {
		if (b->cmd == SVC_CMD_SPIN) {
			long until = now_ms() + (long)b->arg;

			__atomic_store_n(&b->result, 1, __ATOMIC_SEQ_CST);
			while (now_ms() < until)
				;
		} else if (b->cmd == SVC_CMD_UPPER) {
			for (size_t i = sizeof(*b); i < len; i++)
				if (b->text[i - sizeof(*b)] >= 'a' &&
				    b->text[i - sizeof(*b)] <= 'z')
					b->text[i - sizeof(*b)] -= 32;
		} else if (b->cmd == SVC_CMD_PROBE) {
			b->result = *(volatile unsigned char *)b->arg;
		}
		b->calls = calls;
		b->badge = client;
		b->addr = (uint64_t)(uintptr_t)buf;
		b->len = len;
		b->tail = 1;
		for (size_t i = len; i < end; i++)
			if (((volatile char *)buf)[i])
				b->tail = 0;
	}
	fy_notify_client(client);
}

static int done;

static void on_service(struct fy_svc *s, unsigned ev, void *buf, size_t len,
		       void *arg)
{
	(void)s, (void)buf, (void)len, (void)arg;
	if (ev & FY_SVC_NOTIFIED)
		done = 1;
}

static int client(void)
{
	long svc = fy_initial_cap("svc"), mark = fy_initial_cap("mark");
	struct svc_test_buf *b;
	struct fy_svc *s;

	if (svc < 0 || mark < 0 || fy_service_connect((cap_t)svc, &s) < 0)
		return 2;
	b = fy_share_alloc(4096);
	if (!b || fy_share(s, b, 4096) < 0 ||
	    fy_client_callback(s, on_service, NULL) < 0)
		return 3;
	b->cmd = SVC_CMD_COUNT;
	fy_notify_service(s);
	while (!done)
		if (fy_svc_yield_for(5000000) < 0)
			return 4;
	fy_pmo_write((cap_t)mark, 0, &b->badge, sizeof(b->badge));
	fy_share_free(b);
	fy_service_close(s);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return 1;
	if (!strcmp(argv[1], "client"))
		return client();
	if (fy_service_serve(on_client, NULL) < 0)
		return 2;
	if (!strcmp(argv[1], "idle"))
		for (;;)
			nanosleep(&(struct timespec){1, 0}, NULL);
	for (;;)
		fy_svc_yield();
}
