/*
 * rot13 TEXT...: Tock's rot13 client on Ferry (docs/services.md). Starts
 * rot13d, connects to it, shares a buffer holding TEXT (the words joined
 * by spaces), notifies it, and when rot13d notifies back prints the
 * buffer it transformed in place; then stops rot13d.
 */
#include <stdio.h>
#include <string.h>

#include <ferry/service.h>

static int done;

static void on_rot13(struct fy_svc *s, unsigned events, void *buf, size_t len,
		     void *arg)
{
	(void)s, (void)buf, (void)len, (void)arg;
	if (events & (FY_SVC_NOTIFIED | FY_SVC_DEAD))
		done = events;
}

int main(int argc, char **argv)
{
	const char *dargv[] = {"rot13d", NULL};
	size_t len = 0;
	struct fy_svc *s;
	long proc, server, r;
	char *buf;

	if (argc < 2) {
		printf("usage: rot13 TEXT...\n");
		return 2;
	}
	for (int i = 1; i < argc; i++)
		len += strlen(argv[i]) + 1;
	proc = fy_spawn("rot13d", dargv, NULL);
	if (proc < 0)
		return printf("rot13: spawn rot13d: %ld\n", proc), 1;
	server =
		fy_cap_fetch((cap_t)proc, CAP_SELF_MAIN_THREAD, CAP_RIGHT_CALL);
	r = server < 0 ? server : fy_service_connect((cap_t)server, &s);
	if (r < 0) {
		printf("rot13: connect: %ld\n", r);
		goto out_kill;
	}
	buf = fy_share_alloc(len);
	if (!buf) {
		r = -ENOMEM;
		printf("rot13: no buffer\n");
		goto out_close;
	}
	for (int i = 1; i < argc; i++) {
		strcat(buf, argv[i]);
		if (i + 1 < argc)
			strcat(buf, " ");
	}
	r = fy_share(s, buf, len - 1);
	if (r == 0)
		r = fy_client_callback(s, on_rot13, NULL);
	if (r == 0)
		r = fy_notify_service(s);
	while (r == 0 && !done)
		r = fy_svc_yield_for(5000000) < 0 ? -ETIMEDOUT : 0;
	if (r == 0 && (done & FY_SVC_NOTIFIED))
		printf("%s\n", buf);
	else
		printf("rot13: no answer (%ld)\n", r ? r : -EDEADSRV);
	fy_share_free(buf);
out_close:
	fy_service_close(s);
out_kill:
	fy_proc_kill((cap_t)proc);
	fy_proc_wait((cap_t)proc);
	if (server >= 0)
		fy_cap_delete((cap_t)server);
	fy_cap_delete((cap_t)proc);
	return r != 0;
}
