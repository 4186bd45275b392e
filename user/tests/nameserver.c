/*
 * The name server (docs/naming.md): registration and lookup through
 * libferry's fy_ns_* and raw requests; the name rules (empty, 63 and 64
 * bytes, bad bytes and non-UTF-8, bad dots); the system's names and
 * rights (init gives every test the right "ferry.test" as "nsright");
 * lookup, connect and a call that works; a lookup that waits for a
 * service registering later (helpers/ns_service) or times out; a
 * service killed (its name gone, the old connection -EDEADSRV) and
 * started again (a new identity under the same name); the bound on
 * waiters; counts back after many rounds.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <ferry/initcaps.h>
#include <ferry/ns.h>

#include "tap.h"
#include "util.h"

#define SVC "helpers/ns_service"

static long echo(struct ipc_msg *m, uint64_t badge)
{
	(void)m;
	(void)badge;
	return 77;
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Connects to server, makes one call with byte b: the answer. */
static long call_once(cap_t server, char b)
{
	struct ipc_conn c;
	struct ipc_msg *m;
	long r = ipc_connect(server, 4096, &c);

	if (r < 0)
		return r;
	m = ipc_msg_init(&c, 1, 0);
	*(char *)ipc_msg_data(m) = b;
	r = ipc_call(&c, m, 0);
	ipc_close(&c);
	return r;
}

/* helpers/ns_service registering name after ms (ms < 0: at once). */
static long spawn_service(const char *name, long ms, cap_t right)
{
	char arg[24];
	const char *argv[] = {SVC, name, ms >= 0 ? arg : NULL, NULL};
	const char *names[] = {"nsright"};
	cap_t caps[] = {right};
	struct fy_spawn_attr a = {.prio = SPAWN_SCHED_DEFAULT,
				  .mcp = SPAWN_SCHED_DEFAULT,
				  .ncaps = right >= 0,
				  .names = names,
				  .caps = caps};

	snprintf(arg, sizeof(arg), "%ld", ms);
	return fy_spawn_caps(SVC, argv, NULL, &a);
}

static void end(long proc)
{
	if (proc < 0)
		return;
	fy_proc_kill((cap_t)proc);
	fy_proc_wait((cap_t)proc);
	fy_cap_delete((cap_t)proc);
}

/*
 * Whether name is listed, without a lookup (which would itself drop a
 * dead service's name): 1 or 0.
 */
static int listed(const char *name)
{
	static struct ns_list_entry list[NS_MAX_NAMES];
	long n = fy_ns_list(0, list, NS_MAX_NAMES);

	for (long i = 0; i < n && i < NS_MAX_NAMES; i++)
		if (!strcmp(list[i].name, name))
			return 1;
	return 0;
}

/* Waits up to 1 s for the name server to drop name by itself. */
static int dropped(const char *name)
{
	for (int i = 0; i < 100; i++) {
		if (!listed(name))
			return 1;
		nanosleep(&(struct timespec){0, 10000000}, NULL);
	}
	return 0;
}

/* Waits (at most 2 s) for name to be looked up: the cap, or an error. */
static long await(const char *name)
{
	return fy_ns_lookup(name, 2000000);
}

static void names_rules(void)
{
	static const char n63[] = "a23456789.123456789.123456789.123456789."
				  "123456789.123456789.123";
	static const char n64[] = "a23456789.123456789.123456789.123456789."
				  "123456789.123456789.1234";
	static const char *const bad[] = {
		"a b",	"a/b", "a\xff", "caf\xc3\xa9", "\xc3\xa9",
		"a\tb", "a:b", ".",	".a",	       "a.",
		"a..b", "..",  "a.b..", "*",	       "a\x7f"};
	cap_t self = CAP_SELF_MAIN_THREAD;

	tap_eq((long)strlen(n63), 63, "the 63-byte name is 63 bytes");
	tap_eq(fy_ns_register(n63, self), 0, "a 63-byte name registers");
	tap_ok(fy_ns_lookup(n63, 0) >= 0, "and is found");
	tap_eq(fy_ns_unregister(n63), 0, "and unregisters");
	tap_eq(fy_ns_register(n64, self), -ENAMETOOLONG,
	       "a 64-byte name is -ENAMETOOLONG");
	tap_eq(fy_ns_lookup(n64, 0), -ENAMETOOLONG, "lookup too");
	tap_eq(fy_ns_register("", self), -EINVAL, "an empty name is -EINVAL");
	tap_eq(fy_ns_lookup("", 0), -EINVAL, "lookup too");
	tap_eq(fy_ns_unregister(""), -EINVAL, "unregister too");
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		tap_eq(fy_ns_register(bad[i], self), -EINVAL,
		       "bad name %zu (a bad byte, non-ASCII or a bad dot) is "
		       "-EINVAL",
		       i);
		tap_eq(fy_ns_lookup(bad[i], 100000), -EINVAL,
		       "lookup of bad name %zu is -EINVAL, without waiting", i);
	}
	tap_eq(fy_ns_register("A-z_0.9-x", self), 0,
	       "letters, digits, '-', '_' and inner dots are fine");
	tap_eq(fy_ns_unregister("A-z_0.9-x"), 0, "unregistered");
}

/* Requests libferry never sends, on a connection of our own. */
static void raw_requests(void)
{
	cap_t ns = fy_initial_cap("nameserver");
	struct ipc_conn c;
	struct ns_req *q;
	struct ipc_msg *m;
	long pmo;

	tap_ok(ns >= 0, "the initial cap \"nameserver\" is there (%d)", ns);
	if (ipc_connect(ns, 4096, &c) == 0) {
		m = ipc_msg_init(&c, sizeof(*q) - sizeof(*m), 2);
		q = (struct ns_req *)m;
		q->op = NS_LOOKUP;
		q->len = 1;
		q->name[0] = 'x';
		tap_eq(ipc_call(&c, m, 0), -EINVAL,
		       "a connection with a shm under NS_SHM_MIN is refused");
		ipc_close(&c);
	}
	if (ipc_connect(ns, NS_SHM_MIN, &c) < 0) {
		tap_ok(0, "a raw connection");
		return;
	}
	m = ipc_msg_init(&c, sizeof(*q) - sizeof(*m), 2);
	q = (struct ns_req *)m;
	memset(q->name, 'a', sizeof(q->name));
	q->op = 99;
	q->len = 1;
	tap_eq(ipc_call(&c, m, 0), -EINVAL, "an unknown op is -EINVAL");
	q->op = NS_LOOKUP;
	q->len = NS_NAME_MAX;
	tap_eq(ipc_call(&c, m, 0), -ENAMETOOLONG,
	       "len 64 (no room for a NUL) is -ENAMETOOLONG");
	q->len = 0xffffffffu;
	tap_eq(ipc_call(&c, m, 0), -ENAMETOOLONG,
	       "len 2^32-1 is -ENAMETOOLONG");
	q->len = 3;
	memcpy(q->name, "a\0b", 3);
	tap_eq(ipc_call(&c, m, 0), -EINVAL, "a NUL inside the name is -EINVAL");
	memcpy(q->name, "raw", 3);
	q->op = NS_REGISTER;
	tap_eq(ipc_call(&c, m, 0), -EINVAL,
	       "register without a cap is -EINVAL");
	pmo = fy_pmo_create(4096, PMO_ANONYMOUS);
	ipc_msg_caps(m)[0] = (cap_t)pmo;
	tap_eq(ipc_call(&c, m, 1), -EINVAL,
	       "register of a PMO, not a thread, is -EINVAL");
	ipc_msg_caps(m)[0] =
		(cap_t)fy_cap_copy(CAP_SELF_MAIN_THREAD, CAP_RIGHT_CALL);
	/* The kernel sends a cap only with GRANT: it never reaches us. */
	tap_eq(ipc_call(&c, m, 1), -ECAPBILITY,
	       "a thread cap without GRANT cannot be sent: -ECAPBILITY");
	fy_cap_delete(ipc_msg_caps(m)[0]);
	fy_cap_delete((cap_t)pmo);
	q->op = NS_LIST;
	q->len = 1000;
	q->timeout_us = 0;
	tap_ok(ipc_call(&c, m, 0) >= 2,
	       "LIST asking for more than fits answers the count");
	q->timeout_us = ~0ull;
	tap_ok(ipc_call(&c, m, 0) >= 2, "LIST from index 2^64-1 too");
	ipc_close(&c);
}

static void basics(void)
{
	cap_t self = CAP_SELF_MAIN_THREAD;
	long s, t;

	tap_eq(fy_ns_register("test.a", self), 0, "register test.a");
	tap_eq(fy_ns_register("test.a", self), -EEXIST, "again is -EEXIST");
	tap_eq(fy_ns_lookup("test.nope", 0), -ENOENT,
	       "an unknown name is -ENOENT at once");
	s = fy_ns_lookup("test.a", 0);
	tap_ok(s >= 0, "lookup test.a gives a cap (%ld)", s);
	t = fy_cap_info((cap_t)s);
	tap_ok(t >= 0 && FY_CAP_INFO_TYPE(t) == OBJ_TYPE_THREAD &&
		       FY_CAP_INFO_RIGHTS(t) ==
			       (CAP_RIGHT_CALL | CAP_RIGHT_GRANT),
	       "a thread cap with CALL|GRANT (info 0x%lx)", t);
	tap_eq(call_once((cap_t)s, 0), 77,
	       "ipc_connect to it and a call: our handler answers");
	fy_cap_delete((cap_t)s);
	tap_eq(fy_ns_unregister("test.nope"), -ENOENT,
	       "unregister of an unknown name is -ENOENT");
	tap_eq(fy_ns_unregister("test.a"), 0, "unregister test.a");
	tap_eq(fy_ns_lookup("test.a", 0), -ENOENT, "then it is gone");
	tap_eq(fy_ns_register("test.a", self), 0, "and can be taken again");
	tap_eq(fy_ns_unregister("test.a"), 0, "unregistered again");
}

static void rights(void)
{
	cap_t self = CAP_SELF_MAIN_THREAD, mine = fy_ns_right();
	long sub, deeper, proc, s;
	struct ns_list_entry list[NS_MAX_NAMES];
	long n;
	int fs = 0, pm = 0;

	tap_ok(mine >= 0, "init gave us a right as \"nsright\" (%d)", mine);
	tap_eq(fy_ns_register_with("ferry.x", self, -1), -EPERM,
	       "ferry.x without a right is -EPERM");
	tap_eq(fy_ns_register_with("ferry", self, -1), -EPERM,
	       "\"ferry\" itself too");
	tap_eq(fy_ns_register_with("ferry.test.x", self, self), -EPERM,
	       "a cap that is no right (our thread) is -EPERM");
	tap_eq(fy_ns_register("ferry.other", self), -EPERM,
	       "ferry.other with our right (ferry.test) is -EPERM");
	tap_eq(fy_ns_register("ferry.testx", self), -EPERM,
	       "ferry.testx too: prefixes cover whole components");
	tap_eq(fy_ns_register("ferry.test.x", self), 0,
	       "ferry.test.x with it registers");
	tap_eq(fy_ns_register("ferry.test", self), 0, "ferry.test too");
	tap_eq(fy_ns_register("ferry.fs", self), -EPERM,
	       "ferry.fs is the system's: -EPERM");
	n = fy_ns_list(0, list, NS_MAX_NAMES);
	for (long i = 0; i < n && i < NS_MAX_NAMES; i++) {
		fs |= !strcmp(list[i].name, "ferry.fs");
		pm |= !strcmp(list[i].name, "ferry.procmgr");
	}
	tap_ok(fs && pm,
	       "init registered ferry.fs and ferry.procmgr (%ld names)", n);
	s = fy_ns_lookup("ferry.fs", 0);
	tap_ok(s >= 0, "ferry.fs is found");
	if (s >= 0)
		fy_cap_delete((cap_t)s);

	tap_eq(fy_ns_grant_from(-1, "ferry.test.sub"), -EPERM,
	       "a grant without a right is -EPERM");
	tap_eq(fy_ns_grant_from(self, "ferry.test.sub"), -EPERM,
	       "a grant from a cap that is no right is -EPERM");
	tap_eq(fy_ns_grant("ferry"), -EPERM, "widening ferry.test is -EPERM");
	tap_eq(fy_ns_grant(""), -EPERM, "and to the root too");
	tap_eq(fy_ns_grant("ferry.test."), -EINVAL, "a bad prefix is -EINVAL");
	sub = fy_ns_grant("ferry.test.sub");
	tap_ok(sub >= 0, "grant ferry.test.sub (%ld)", sub);
	n = fy_cap_info((cap_t)sub);
	tap_ok(n >= 0 && FY_CAP_INFO_RIGHTS(n) == CAP_RIGHT_GRANT,
	       "a right carries GRANT alone (info 0x%lx)", n);
	tap_eq(fy_ns_register_with("ferry.test.y", self, (cap_t)sub), -EPERM,
	       "the narrowed right does not cover ferry.test.y");
	tap_eq(fy_ns_register_with("ferry.test.sub.a", self, (cap_t)sub), 0,
	       "it covers ferry.test.sub.a");
	tap_eq(fy_ns_grant_from((cap_t)sub, "ferry.test"), -EPERM,
	       "it cannot be widened back");
	deeper = fy_ns_grant_from((cap_t)sub, "ferry.test.sub.deeper");
	tap_ok(deeper >= 0, "it narrows further (%ld)", deeper);
	tap_eq(fy_ns_register_with("ferry.test.sub.b", self, (cap_t)deeper),
	       -EPERM, "the deeper one does not cover ferry.test.sub.b");
	fy_cap_delete((cap_t)deeper);

	/* A child given the narrowed right as its "nsright". */
	proc = spawn_service("ferry.test.sub.svc", -1, (cap_t)sub);
	s = await("ferry.test.sub.svc");
	tap_ok(s >= 0, "a child given it registers ferry.test.sub.svc");
	tap_eq(call_once((cap_t)s, 5), 1005, "and serves calls");
	tap_eq(fy_ns_unregister("ferry.test.sub.svc"), -EPERM,
	       "we cannot unregister the child's name: -EPERM");
	if (s >= 0)
		fy_cap_delete((cap_t)s);
	end(proc);
	tap_ok(dropped("ferry.test.sub.svc"),
	       "killed, its name leaves the registry by itself (death "
	       "watch)");
	proc = spawn_service("ferry.test.elsewhere", -1, (cap_t)sub);
	tap_eq(fy_proc_wait((cap_t)proc), PROC_STATUS_EXITED(100 + EPERM),
	       "a child with it registering ferry.test.elsewhere gets "
	       "-EPERM");
	fy_cap_delete((cap_t)proc);
	fy_cap_delete((cap_t)sub);
	tap_eq(fy_ns_unregister("ferry.test.x"), 0, "unregister ferry.test.x");
	tap_eq(fy_ns_unregister("ferry.test"), 0, "unregister ferry.test");
	tap_eq(fy_ns_unregister("ferry.test.sub.a"), 0,
	       "unregister ferry.test.sub.a");
}

static void waiting(void)
{
	uint64_t t0;
	long proc, s;

	t0 = now_ms();
	tap_eq(fy_ns_lookup("test.never", 100000), -ETIMEDOUT,
	       "a lookup waiting 100 ms for a name nobody registers is "
	       "-ETIMEDOUT");
	tap_ok(now_ms() - t0 >= 100, "after at least 100 ms (%llu)",
	       (unsigned long long)(now_ms() - t0));
	t0 = now_ms();
	tap_eq(fy_ns_lookup("test.never", NS_WAIT_MAX_US + 300000), -ETIMEDOUT,
	       "a lookup waiting longer than the server's NS_WAIT_MAX_US "
	       "(libferry asks again) is -ETIMEDOUT too");
	tap_ok(now_ms() - t0 >= NS_WAIT_MAX_US / 1000 + 300,
	       "after all of its timeout (%llu ms)",
	       (unsigned long long)(now_ms() - t0));
	/* Past the server's own bound per call: libferry's loop waits. */
	proc = spawn_service("test.later", NS_WAIT_MAX_US / 1000 + 200, -1);
	t0 = now_ms();
	s = fy_ns_lookup("test.later", 5000000);
	tap_ok(s >= 0,
	       "a lookup waiting 5 s gets test.later, registered "
	       "after 1.2 s (%ld)",
	       s);
	tap_ok(now_ms() - t0 < 4000, "well before its timeout (%llu ms)",
	       (unsigned long long)(now_ms() - t0));
	tap_eq(call_once((cap_t)s, 1), 1001, "and a call to it works");
	if (s >= 0)
		fy_cap_delete((cap_t)s);
	end(proc);
	tap_ok(dropped("test.later"), "killed, test.later leaves the registry");
}

/*
 * The tables' bounds seen by one process: its share of names, and the
 * rights (a grant per prefix until -ENOSPC). Closing our connection
 * revokes every right granted on it: the rights we still hold stop
 * working, and the table has room again.
 */
static void bounds(void)
{
	long rights[NS_MAX_RIGHTS], r = 0;
	char name[32];
	int n = 0, ok = 1;

	for (int i = 0; i < NS_MAX_NAMES_PROC; i++) {
		snprintf(name, sizeof(name), "test.many.%d", i);
		ok &= fy_ns_register(name, CAP_SELF_MAIN_THREAD) == 0;
	}
	tap_ok(ok, "%d names of one process register", NS_MAX_NAMES_PROC);
	tap_eq(fy_ns_register("test.many.more", CAP_SELF_MAIN_THREAD), -ENOSPC,
	       "one more is -ENOSPC");
	for (int i = 0; i < NS_MAX_NAMES_PROC; i++) {
		snprintf(name, sizeof(name), "test.many.%d", i);
		fy_ns_unregister(name);
	}
	tap_eq(fy_ns_register("test.many.more", CAP_SELF_MAIN_THREAD), 0,
	       "unregistered, there is room again");
	fy_ns_unregister("test.many.more");
	while (n < NS_MAX_RIGHTS) {
		snprintf(name, sizeof(name), "ferry.test.g%d", n);
		r = fy_ns_grant(name);
		if (r < 0)
			break;
		rights[n++] = r;
	}
	tap_eq(r, -ENOSPC, "grants of new prefixes end in -ENOSPC (after %d)",
	       n);
	/* Review: one process once took every free row from everyone. */
	tap_ok(n <= NS_MAX_RIGHTS_PROC,
	       "one process holds at most NS_MAX_RIGHTS_PROC rights (%d)", n);
	r = n > 0 ? fy_ns_grant("ferry.test.g0") : -1;
	tap_eq(r >= 0 ? fy_cap_same((cap_t)r, (cap_t)rights[0]) : r, 1,
	       "the same grant again, the table full, is the same right");
	if (r >= 0)
		fy_cap_delete((cap_t)r);
	tap_eq(fy_ns_register_with("ferry.test.g0.x", CAP_SELF_MAIN_THREAD,
				   (cap_t)rights[0]),
	       0, "a granted right works");
	fy_ns_unregister("ferry.test.g0.x");
	tap_eq(fy_ns_disconnect(), 0, "our connection closed");
	nanosleep(&(struct timespec){0, 50000000}, NULL);
	tap_eq(fy_ns_register_with("ferry.test.g0.x", CAP_SELF_MAIN_THREAD,
				   (cap_t)rights[0]),
	       -EPERM, "the rights granted on it are revoked (-EPERM)");
	r = fy_ns_grant("ferry.test.g0");
	tap_ok(r >= 0, "and the table has room again (%ld)", r);
	if (r >= 0)
		fy_cap_delete((cap_t)r);
	for (int i = 0; i < n; i++)
		fy_cap_delete((cap_t)rights[i]);
}

/*
 * A client killed while its lookup waits: the handler serving it goes
 * on, orphaned, until NS_WAIT_MAX_US passes, then its slot, handler and
 * connection go. If they stayed, the counts would never come back.
 */
static void killed_waiter(void)
{
	const char *argv[] = {SVC, "-w", "test.ghost", NULL};
	long f0, o0, proc;
	int back = 0;

	touch_own_pages();
	nanosleep(&(struct timespec){0, 50000000}, NULL);
	f0 = fy_kstat(KSTAT_FREE_FRAMES);
	o0 = fy_kstat(KSTAT_LIVE_OBJECTS);
	proc = fy_spawn(SVC, argv, NULL);
	nanosleep(&(struct timespec){0, 300000000}, NULL);
	tap_ok(proc >= 0 && fy_proc_kill((cap_t)proc) == 0,
	       "a waiting client killed while it waits");
	fy_proc_wait((cap_t)proc);
	fy_cap_delete((cap_t)proc);
	for (int i = 0; i < 300 && !back; i++) {
		back = fy_kstat(KSTAT_FREE_FRAMES) == f0 &&
		       fy_kstat(KSTAT_LIVE_OBJECTS) == o0;
		if (!back)
			nanosleep(&(struct timespec){0, 10000000}, NULL);
	}
	tap_ok(back, "within NS_WAIT_MAX_US its handler, slot and connection "
		     "are gone: frames and objects back");
	tap_eq(fy_ns_lookup("test.ghost", 0), -ENOENT,
	       "and the name server answers on");
}

static void death(void)
{
	struct ipc_conn c;
	struct ipc_msg *m;
	long proc, s, s2, r;

	proc = spawn_service("test.dies", -1, -1);
	s = await("test.dies");
	tap_ok(s >= 0, "test.dies registered (%ld)", s);
	r = s >= 0 ? ipc_connect((cap_t)s, 4096, &c) : -1;
	tap_eq(r, 0, "connected to it");
	if (r)
		return;
	m = ipc_msg_init(&c, 1, 0);
	*(char *)ipc_msg_data(m) = 2;
	tap_eq(ipc_call(&c, m, 0), 1002, "a call works");
	fy_proc_kill((cap_t)proc);
	fy_proc_wait((cap_t)proc);
	fy_cap_delete((cap_t)proc);
	tap_eq(fy_ns_lookup("test.dies", 0), -ENOENT,
	       "killed: its name is gone (-ENOENT)");
	tap_eq(ipc_call(&c, m, 0), -EDEADSRV,
	       "the old connection answers -EDEADSRV");
	proc = spawn_service("test.dies", -1, -1);
	s2 = await("test.dies");
	tap_ok(s2 >= 0, "started again, it registers test.dies again");
	tap_eq(fy_cap_same((cap_t)s, (cap_t)s2), 0,
	       "a new identity: not the old thread");
	tap_eq(call_once((cap_t)s2, 3), 1003, "the new one serves");
	tap_eq(ipc_call(&c, m, 0), -EDEADSRV,
	       "the old connection still answers -EDEADSRV");
	ipc_close(&c);
	fy_cap_delete((cap_t)s);
	if (s2 >= 0)
		fy_cap_delete((cap_t)s2);
	end(proc);
	tap_eq(fy_ns_lookup("test.dies", 0), -ENOENT, "and gone again");
}

/*
 * Many waiters: NS_MAX_WAITERS_PROC of ours wait, one more is refused.
 * All on raw connections of our own, no more than the name server keeps
 * idle handlers for (IPC_SERVE_POOL, our cached connection closed
 * first): a server's handlers made past its pool are freed at close,
 * but which ones it keeps moves the kernel's slab pages around, and
 * init's leak check counts every frame.
 */
#define NW NS_MAX_WAITERS_PROC
_Static_assert(NW + 1 <= IPC_SERVE_POOL, "the crowd fits the server's pool");
static struct ipc_conn wc[NW + 1];
static atomic_long got[NW];
static atomic_int started, finished;
static _Alignas(16) char stacks[NW][16384];

/* A raw request on c: op, name, timeout, caps: the answer (or a cap). */
static long raw_call(struct ipc_conn *c, uint32_t op, const char *name,
		     uint64_t timeout_us, cap_t cap)
{
	struct ipc_msg *m = ipc_msg_init(c, sizeof(struct ns_req) - 16, 2);
	struct ns_req *q = (struct ns_req *)m;
	long r;

	q->op = op;
	q->len = (uint32_t)strlen(name);
	q->timeout_us = timeout_us;
	memcpy(q->name, name, q->len);
	ipc_msg_caps(m)[0] = cap;
	r = ipc_call(c, m, cap >= 0);
	return r || op != NS_LOOKUP ? r : ipc_msg_caps(m)[0];
}

static long raw_lookup(struct ipc_conn *c, const char *name,
		       uint64_t timeout_us)
{
	return raw_call(c, NS_LOOKUP, name, timeout_us, -1);
}

static void waiter(void *arg)
{
	long i = (long)arg;

	atomic_fetch_add(&started, 1);
	got[i] = raw_lookup(&wc[i], "test.crowd", 3000000);
	atomic_fetch_add(&finished, 1);
	fy_thread_exit();
}

static void crowd(void)
{
	cap_t ns = fy_initial_cap("nameserver");
	const struct timespec tick = {0, 10000000};
	long t[NW];
	int ok = 1, opened = 1;

	fy_ns_disconnect(); /* its handler goes back to the pool */
	nanosleep(&tick, NULL);
	for (int i = 0; i <= NW; i++)
		opened &= ipc_connect(ns, NS_SHM_MIN, &wc[i]) == 0;
	tap_ok(opened, "%d connections of our own", NW + 1);
	if (!opened)
		return;
	for (long i = 0; i < NW; i++) {
		got[i] = 1;
		t[i] = fy_thread_create(CAP_SELF_GROUP, waiter,
					stacks[i] + sizeof(stacks[i]),
					(void *)i, 0);
	}
	/* Each waits in the server; give them all time to get there. */
	while (atomic_load(&started) < NW)
		fy_yield();
	nanosleep(&(struct timespec){0, 200000000}, NULL);
	tap_eq(raw_lookup(&wc[NW], "test.crowd", 1000000), -ENOSPC,
	       "with %d of ours waiting, one more lookup is -ENOSPC", NW);
	tap_eq(raw_call(&wc[NW], NS_REGISTER, "test.crowd", 0,
			CAP_SELF_MAIN_THREAD),
	       0, "register test.crowd while they wait");
	for (int k = 0; k < 300 && atomic_load(&finished) < NW; k++)
		nanosleep(&tick, NULL);
	for (long i = 0; i < NW; i++) {
		ok &= got[i] >= 0;
		if (got[i] >= 0)
			fy_cap_delete((cap_t)got[i]);
		if (t[i] >= 0)
			fy_cap_delete((cap_t)t[i]);
	}
	tap_ok(ok, "every waiter got the name");
	tap_eq(raw_call(&wc[NW], NS_UNREGISTER, "test.crowd", 0, -1), 0,
	       "unregistered");
	for (int i = 0; i <= NW; i++)
		ipc_close(&wc[i]);
}

/*
 * A name registered without a right goes with the connection it was
 * registered on, though its service lives on; one registered with a
 * right stays (docs/naming.md): else a process could fill the table for
 * good with names of a thread that never dies, then exit.
 */
static void registrar_gone(void)
{
	cap_t self = CAP_SELF_MAIN_THREAD;
	long s;

	/* One name of ours at a time: a drop then cancels one watch only. */
	tap_eq(fy_ns_register("test.cached", self), 0,
	       "test.cached on libferry's connection");
	tap_eq(fy_ns_disconnect(), 0, "fy_ns_disconnect");
	tap_ok(dropped("test.cached"), "test.cached went with the connection");
	tap_eq(fy_ns_register_with("ferry.test.kept", self,
				   (cap_t)fy_initial_cap("nsright")),
	       0, "ferry.test.kept with our right");
	tap_eq(fy_ns_disconnect(), 0, "fy_ns_disconnect again");
	nanosleep(&(struct timespec){0, 50000000}, NULL); /* its destructor */
	s = fy_ns_lookup("ferry.test.kept", 0);
	tap_ok(s >= 0, "ferry.test.kept (a right's) outlives it");
	fy_cap_delete((cap_t)s);
	tap_eq(fy_ns_unregister("ferry.test.kept"), 0,
	       "and we may still unregister it");
}

static void counts(void)
{
	long f0, o0;

	touch_own_pages();
	fy_ns_lookup("test.loop", 0); /* our cached connection, made again */
	/* Connections closed before: their destructors run at PRIO_DEFAULT. */
	for (int i = 0; i < 5; i++)
		nanosleep(&(struct timespec){0, 10000000}, NULL);
	f0 = fy_kstat(KSTAT_FREE_FRAMES);
	o0 = fy_kstat(KSTAT_LIVE_OBJECTS);
	for (int i = 0; i < 200; i++) {
		long s;

		fy_ns_register("test.loop", CAP_SELF_MAIN_THREAD);
		s = fy_ns_lookup("test.loop", 0);
		if (s >= 0)
			fy_cap_delete((cap_t)s);
		fy_ns_unregister("test.loop");
		fy_ns_lookup("test.loop", 0);
	}
	counts_settle(f0, o0);
	tap_eq(fy_kstat(KSTAT_FREE_FRAMES), f0,
	       "200 register/lookup/unregister rounds: free frames back");
	tap_eq(fy_kstat(KSTAT_LIVE_OBJECTS), o0, "and live objects");
}

int main(void)
{
	tap_eq(ipc_serve(echo, NULL), 0, "we serve (our main thread)");
	raw_requests();
	basics();
	names_rules();
	rights();
	bounds();
	waiting();
	killed_waiter();
	death();
	crowd();
	registrar_gone();
	counts();
	return tap_done();
}
