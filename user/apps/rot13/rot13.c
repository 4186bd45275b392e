/*
 * rot13 [-w] TEXT...: Tock's rot13 client on Ferry (docs/services.md).
 * Finds the service "rot13" through the name server, shares a buffer
 * holding TEXT (the words joined by spaces), notifies it, and when the
 * service notifies back prints the buffer it transformed in place.
 *
 * Whichever starts first: without -w, if "rot13" is not registered, it
 * starts rot13d itself, waits for the name, and stops rot13d when done;
 * with -w it starts nothing and waits (up to 10 s) for a rot13d started
 * by someone else to register. Exits 0 once it printed the answer.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <ferry/service.h>

#define WAIT_US 10000000ull /* -w: 10 s; our own rot13d: the same */

static int answered;

static void on_rot13(struct fy_svc *s, unsigned events, void *buf, size_t len,
		     void *arg)
{
	(void)s, (void)buf, (void)len, (void)arg;
	answered |= events;
}

/*
 * Connects to "rot13", starting rot13d (*proc) unless `wait`. A name whose
 * service has just died (-EDEADSRV) leaves the registry soon: look again.
 */
static long find(int wait, long *proc, struct fy_svc **s)
{
	const char *dargv[] = {"rot13d", NULL};
	long r = -ENOENT;

	for (int tries = 0; tries < 50; tries++) {
		r = fy_service_lookup("rot13", wait || *proc >= 0 ? WAIT_US : 0,
				      s);
		if (r == -ENOENT && !wait && *proc < 0) {
			*proc = fy_spawn("rot13d", dargv, NULL);
			if (*proc < 0)
				return *proc;
			continue;
		}
		if (r != -EDEADSRV && r != -ESRCH)
			break;
		nanosleep(&(struct timespec){0, 20000000}, NULL);
	}
	return r;
}

int main(int argc, char **argv)
{
	int wait = argc > 1 && !strcmp(argv[1], "-w"), first = 1 + wait;
	size_t len = 0;
	struct fy_svc *s = NULL;
	long proc = -1, r;
	char *buf = NULL;

	if (argc <= first) {
		printf("usage: rot13 [-w] TEXT...\n");
		return 2;
	}
	for (int i = first; i < argc; i++)
		len += strlen(argv[i]) + 1;
	r = find(wait, &proc, &s);
	if (r < 0) {
		printf("rot13: no rot13 service: %ld\n", r);
		goto out;
	}
	buf = fy_share_alloc(len);
	if (!buf) {
		r = -ENOMEM;
		goto out;
	}
	for (int i = first; i < argc; i++) {
		strcat(buf, argv[i]);
		if (i + 1 < argc)
			strcat(buf, " ");
	}
	r = fy_share(s, buf, len - 1);
	if (r == 0)
		r = fy_client_callback(s, on_rot13, NULL);
	if (r == 0)
		r = fy_notify_service(s);
	while (r == 0 && !answered)
		if (fy_svc_yield_for(WAIT_US) < 0)
			r = -ETIMEDOUT;
	if (r == 0 && (answered & FY_SVC_NOTIFIED))
		printf("%s\n", buf);
	else
		printf("rot13: no answer: %ld\n", r = r ? r : -EDEADSRV);
out:
	if (buf)
		fy_share_free(buf);
	if (s)
		fy_service_close(s);
	if (proc >= 0) {
		fy_proc_kill((cap_t)proc);
		fy_proc_wait((cap_t)proc);
		fy_cap_delete((cap_t)proc);
	}
	return r != 0;
}
