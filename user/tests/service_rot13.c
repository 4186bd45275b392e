/*
 * The rot13 demo (user/apps/rot13, docs/services.md) in both start
 * orders: a client waiting for the name (`rot13 -w`) before rot13d
 * starts, clients (this test and `rot13`) finding a running rot13d,
 * `rot13 TEXT` starting and stopping its own, and a second rot13d
 * refused the taken name. `rot13` exits 0 only once it printed the
 * service's answer; this test checks the answer itself as a client.
 * Frames and objects back at the end.
 */
#include <string.h>
#include <time.h>

#include <ferry/ns.h>
#include <ferry/service.h>
#include <ferry/status.h>

#include "tap.h"
#include "util.h"

static int answered;

static void on_rot13(struct fy_svc *s, unsigned events, void *buf, size_t len,
		     void *arg)
{
	(void)s, (void)buf, (void)len, (void)arg;
	answered |= events;
}

static void sleep_ms(long ms)
{
	nanosleep(&(struct timespec){ms / 1000, (ms % 1000) * 1000000}, NULL);
}

/* Waits up to 2 s for "rot13" to leave the registry (its rot13d died). */
static int name_gone(void)
{
	for (int i = 0; i < 200; i++) {
		long c = fy_ns_lookup("rot13", 0);

		if (c == -ENOENT)
			return 1;
		if (c >= 0)
			fy_cap_delete((cap_t)c); /* found: a cap of ours */
		sleep_ms(10);
	}
	return 0;
}

static long run(const char *const *argv)
{
	long p = fy_spawn(argv[0], argv, NULL), st;

	if (p < 0)
		return p;
	st = fy_proc_wait((cap_t)p);
	fy_cap_delete((cap_t)p);
	return st;
}

/* As this test's own client: "Hello" comes back "Uryyb". */
static void ask(const char *what)
{
	struct fy_svc *s;
	char *buf = fy_share_alloc(5);
	long r = fy_service_lookup("rot13", 2000000, &s);

	if (!tap_eq(r, 0, "%s: lookup and connect to \"rot13\"", what))
		goto out;
	memcpy(buf, "Hello", 5);
	answered = 0;
	fy_share(s, buf, 5);
	fy_client_callback(s, on_rot13, NULL);
	fy_notify_service(s);
	while (!answered && fy_svc_yield_for(5000000) > 0)
		;
	tap_ok(answered == FY_SVC_NOTIFIED && !memcmp(buf, "Uryyb", 5),
	       "%s: rot13d answers Uryyb (%.5s)", what, buf);
	fy_service_close(s);
out:
	fy_share_free(buf);
}

/* The stack pages the calls below reach, touched before the count. */
static void __attribute__((noinline)) stack_warm(void)
{
	volatile char deep[32768];

	for (size_t i = 0; i < sizeof(deep); i += 4096)
		deep[i] = 0;
}

int main(void)
{
	const char *wait_argv[] = {"rot13", "-w", "Hello", NULL};
	const char *own_argv[] = {"rot13", "Hello", "World", NULL};
	const char *d_argv[] = {"rot13d", NULL};
	long f0, o0, client, d;

	touch_own_pages();
	stack_warm();
	fy_svc_yield_for(1); /* our notification object, kept for life */
	name_gone();	     /* our name-server connection, kept for life too */
	spawn_wait("helpers/tiny", NULL);
	f0 = fy_kstat(KSTAT_FREE_FRAMES);
	o0 = fy_kstat(KSTAT_LIVE_OBJECTS);
	tap_ok(name_gone(), "no \"rot13\" registered at first");

	/* Client first: it waits for the name, then rot13d starts. */
	client = fy_spawn("rot13", wait_argv, NULL);
	tap_ok(client >= 0, "rot13 -w Hello starts before any rot13d");
	sleep_ms(200);
	d = fy_spawn("rot13d", d_argv, NULL);
	tap_ok(d >= 0, "then rot13d starts");
	tap_eq(client < 0 ? client : fy_proc_wait((cap_t)client), 0,
	       "rot13 -w found it and printed the answer (exit 0)");
	fy_cap_delete((cap_t)client);

	/* Service first: rot13d runs; clients find it. */
	ask("service first");
	tap_eq(run(wait_argv), 0, "rot13 -w Hello with rot13d running: exit 0");
	tap_eq(run(own_argv), 0,
	       "rot13 Hello World uses the running rot13d: exit 0");
	tap_eq(run(d_argv), 1 << 8,
	       "a second rot13d is refused the name (exit 1)");
	ask("after the refused one");
	fy_proc_kill((cap_t)d);
	fy_proc_wait((cap_t)d);
	fy_cap_delete((cap_t)d);
	tap_ok(name_gone(), "rot13d killed: its name leaves the registry");

	/* No service: rot13 starts its own and stops it. */
	tap_eq(run(own_argv), 0, "rot13 Hello World with no rot13d: exit 0");
	tap_ok(name_gone(), "and the rot13d it started is gone again");

	spawn_wait("helpers/tiny", NULL);
	counts_settle(f0, o0);
	tap_eq(fy_kstat(KSTAT_FREE_FRAMES), f0, "free frames back");
	tap_eq(fy_kstat(KSTAT_LIVE_OBJECTS), o0, "live objects back");
	return tap_done();
}
