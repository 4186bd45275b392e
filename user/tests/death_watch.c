/*
 * Death signals (docs/ipc.md "Death signals") through the real
 * syscalls: SYS_death_watch on a process cap, a thread cap and both
 * ends of a connection, for a target that exits, is killed or faults,
 * or is dead already; a cancel; the bound; bad caps and rights; a
 * watcher that dies before its target, leaving nothing behind; and
 * SYS_cap_same and cap_info's CAP_INFO_DEAD beside them. The children
 * are this program (argv[1] says which), helpers/spinner,
 * helpers/crash and helpers/ipc_echo, all spawned through procmgr.
 */
#include <stdbool.h>
#include <string.h>
#include <time.h>

#include <ferry/ferry.h>
#include <ferry/initcaps.h>
#include <ferry/ipc.h>
#include <ferry/status.h>

#include "tap.h"
#include "util.h"

#define WRITE_ONLY (CAP_RIGHT_WRITE | CAP_RIGHT_GRANT)
#define READ_ONLY (CAP_RIGHT_READ | CAP_RIGHT_GRANT)
#define READY 0x8000ull

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Waits (up to 3 s) until everything in `want` came on n: what came. */
static uint64_t collect(cap_t n, uint64_t want)
{
	uint64_t got = 0, bits;
	long t0 = now_ms();

	while ((got & want) != want && now_ms() - t0 < 3000)
		if (!fy_notification_wait(n, 100000, &bits))
			got |= bits;
	return got;
}

/* What is pending on n within timeout_us (0 if nothing). */
static uint64_t pending(cap_t n, uint64_t timeout_us)
{
	uint64_t bits = 0;

	return fy_notification_wait(n, timeout_us, &bits) ? 0 : bits;
}

/* Spawns this program as a child in `mode` with the named caps. */
static long spawn_self(const char *mode, unsigned ncaps,
		       const char *const *names, cap_t *caps)
{
	const char *argv[] = {"tests/death_watch", mode, NULL};
	struct fy_spawn_attr a = {.prio = SPAWN_SCHED_DEFAULT,
				  .mcp = SPAWN_SCHED_DEFAULT,
				  .ncaps = ncaps,
				  .names = names,
				  .caps = caps};

	return fy_spawn_caps(argv[0], argv, NULL, &a);
}

static long spawn_helper(const char *path, const char *arg)
{
	const char *argv[] = {path, arg, NULL};

	return fy_spawn(path, argv, NULL);
}

/* Reaps a child: its wait status; its cap goes. */
static long reap(long proc)
{
	long st = fy_proc_wait((cap_t)proc);

	fy_cap_delete((cap_t)proc);
	return st;
}

static void bad_input(void)
{
	long n = fy_notification_create(), pmo = fy_pmo_create(4096, PMO_DATA);
	long ro, wo, r;
	int ok = 1;

	if (!tap_ok(n >= 0 && pmo >= 0, "a notification and a PMO"))
		return;
	ro = fy_cap_copy((cap_t)n, READ_ONLY);
	wo = fy_cap_copy((cap_t)n, WRITE_ONLY);
	tap_eq(fy_death_watch(99999, (cap_t)n, 1), -ECAPBILITY,
	       "watch on an empty slot: -ECAPBILITY");
	tap_eq(fy_death_watch((cap_t)-1, (cap_t)n, 1), -ECAPBILITY,
	       "watch on slot -1: -ECAPBILITY");
	tap_eq(fy_syscall3(SYS_death_watch, 1l << 32, n, 1), -ECAPBILITY,
	       "watch on slot 1 << 32: -ECAPBILITY, not slot 0");
	tap_eq(fy_death_watch((cap_t)pmo, (cap_t)n, 1), -ECAPBILITY,
	       "watch on a PMO: -ECAPBILITY");
	tap_eq(fy_death_watch((cap_t)n, (cap_t)n, 1), -ECAPBILITY,
	       "watch on a notification: -ECAPBILITY");
	tap_eq(fy_death_watch(CAP_SELF_VMSPACE, (cap_t)n, 1), -ECAPBILITY,
	       "watch on a vmspace: -ECAPBILITY");
	tap_eq(fy_death_watch(CAP_SELF_GROUP, 99999, 1), -ECAPBILITY,
	       "signal into an empty slot: -ECAPBILITY");
	tap_eq(fy_death_watch(CAP_SELF_GROUP, (cap_t)pmo, 1), -ECAPBILITY,
	       "signal into a PMO: -ECAPBILITY");
	tap_eq(fy_death_watch(CAP_SELF_GROUP, (cap_t)ro, 1), -ECAPBILITY,
	       "signal into a wait-only notification (no WRITE): -ECAPBILITY");
	tap_eq(fy_death_watch(CAP_SELF_GROUP, (cap_t)ro, 0), -ECAPBILITY,
	       "a cancel needs WRITE too");
	tap_eq(fy_death_watch(CAP_SELF_GROUP, (cap_t)n, 0), -ENOENT,
	       "bits 0 with no watch set: a cancel that finds none, -ENOENT");
	tap_eq(fy_death_watch(CAP_SELF_GROUP, (cap_t)wo, 1), 0,
	       "a notify-only copy is enough to watch ourselves");
	tap_eq(fy_death_watch(CAP_SELF_GROUP, (cap_t)wo, 0), 1,
	       "and the cancel takes that one watch");

	/* The bound: DEATH_WATCH_MAX per watching process. */
	for (int i = 0; i < DEATH_WATCH_MAX; i++)
		if ((r = fy_death_watch(CAP_SELF_GROUP, (cap_t)n, 1)) != 0)
			ok = 0;
	tap_ok(ok, "%d watches on ourselves", DEATH_WATCH_MAX);
	tap_eq(fy_death_watch(CAP_SELF_MAIN_THREAD, (cap_t)wo, 2), -ENOSPC,
	       "one more: -ENOSPC");
	tap_eq(fy_death_watch(CAP_SELF_MAIN_THREAD, (cap_t)n, 0),
	       DEATH_WATCH_MAX,
	       "a cancel through our thread cap takes all %d (same process, "
	       "same notification)",
	       DEATH_WATCH_MAX);
	tap_eq(fy_death_watch(CAP_SELF_GROUP, (cap_t)n, 0), -ENOENT,
	       "a second cancel finds none");
	tap_eq(fy_death_watch(CAP_SELF_GROUP, (cap_t)n, 4), 0,
	       "room again after the cancel");
	tap_eq(fy_death_watch(CAP_SELF_GROUP, (cap_t)wo, 0), 1,
	       "a cancel through another cap of the same notification");
	tap_eq(pending((cap_t)n, 1), 0, "nothing was signalled");

	/* cap_same and CAP_INFO_DEAD on our own caps. */
	tap_eq(fy_cap_same((cap_t)n, (cap_t)n), 1, "cap_same(n, n) is 1");
	tap_eq(fy_cap_same((cap_t)n, (cap_t)ro), 1,
	       "cap_same of a copy with fewer rights is 1");
	tap_eq(fy_cap_same((cap_t)n, (cap_t)pmo), 0,
	       "cap_same of two objects is 0");
	tap_eq(fy_cap_same(CAP_SELF_GROUP, CAP_SELF_VMSPACE), 0,
	       "our process and our vmspace differ");
	tap_eq(fy_cap_same((cap_t)n, 99999), -ECAPBILITY,
	       "cap_same with an empty second slot: -ECAPBILITY");
	tap_eq(fy_cap_same(99999, (cap_t)n), -ECAPBILITY,
	       "cap_same with an empty first slot: -ECAPBILITY");
	tap_eq(fy_syscall2(SYS_cap_same, n, 1l << 32), -ECAPBILITY,
	       "cap_same(n, 1 << 32): -ECAPBILITY");
	tap_eq(fy_cap_dead(CAP_SELF_GROUP), 0, "we are not dead");
	tap_eq(fy_cap_dead(CAP_SELF_MAIN_THREAD), 0,
	       "nor is our thread's process");
	tap_eq(fy_cap_dead((cap_t)pmo), 0, "a PMO has no DEAD bit");
	tap_eq(fy_cap_dead(99999), -ECAPBILITY, "fy_cap_dead of no cap");
	tap_eq(FY_CAP_INFO_RIGHTS(fy_cap_info(CAP_SELF_GROUP)), CAP_RIGHT_ALL,
	       "cap_info's rights are unchanged");
	fy_cap_delete((cap_t)ro);
	fy_cap_delete((cap_t)wo);
	fy_cap_delete((cap_t)pmo);
	fy_cap_delete((cap_t)n);
}

/*
 * A child that exits when told: watched through its process cap and its
 * thread cap; a third watch cancelled first must not fire; then watches
 * on the dead process fire at once.
 */
static void target_exits(void)
{
	static const char *const names[] = {"go"};
	long n = fy_notification_create(), go = fy_notification_create();
	long go_r, p, th, st;
	cap_t caps[1];

	if (!tap_ok(n >= 0 && go >= 0, "notifications for an exiting child"))
		return;
	go_r = fy_cap_copy((cap_t)go, READ_ONLY);
	caps[0] = (cap_t)go_r;
	p = spawn_self("wait", 1, names, caps);
	fy_cap_delete((cap_t)go_r);
	if (!tap_ok(p >= 0, "spawn a child that waits (%ld)", p))
		goto out;
	th = fy_cap_fetch((cap_t)p, CAP_SELF_MAIN_THREAD, CAP_RIGHT_READ);
	tap_ok(th >= 0, "its main thread's cap, READ only (%ld)", th);
	tap_eq(fy_cap_same((cap_t)p, (cap_t)th), 0,
	       "a process and its thread are not the same object");
	tap_eq(fy_death_watch((cap_t)p, (cap_t)n, 0x1), 0,
	       "watch it through its process cap");
	tap_eq(fy_death_watch((cap_t)th, (cap_t)n, 0x2), 0,
	       "and through its thread cap (no right needed)");
	tap_eq(fy_death_watch((cap_t)p, (cap_t)n, 0x8), 0, "a third watch");
	tap_eq(fy_death_watch((cap_t)th, (cap_t)n, 0), 3,
	       "a cancel through the thread cap takes all three watches on "
	       "that process");
	tap_eq(fy_death_watch((cap_t)p, (cap_t)n, 0x1), 0, "set again");
	tap_eq(fy_death_watch((cap_t)th, (cap_t)n, 0x2), 0, "both");
	tap_eq(fy_death_watch((cap_t)p, (cap_t)n, 0x8), 0, "a third");
	tap_eq(fy_death_watch((cap_t)p, (cap_t)n, 0), 3,
	       "a cancel through the process cap takes them too");
	tap_eq(fy_death_watch((cap_t)p, (cap_t)n, 0x1), 0, "set again");
	tap_eq(fy_death_watch((cap_t)th, (cap_t)n, 0x2), 0, "both");
	tap_eq(fy_cap_dead((cap_t)p), 0, "the child is alive");
	tap_eq(fy_cap_dead((cap_t)th), 0, "its thread's process too");
	tap_eq(pending((cap_t)n, 20000), 0, "nothing fires while it lives");
	fy_notify((cap_t)go, 1);
	tap_eq(collect((cap_t)n, 0x3), 0x3, "its exit fires both watches");
	st = fy_proc_wait((cap_t)p);
	tap_eq(st, PROC_STATUS_EXITED(7), "it exited with 7");
	tap_eq(pending((cap_t)n, 20000), 0, "each fired once");
	tap_ok(fy_cap_dead((cap_t)p) == 1 &&
		       (fy_cap_info((cap_t)p) & CAP_INFO_DEAD),
	       "cap_info says DEAD for its process cap");
	tap_eq(fy_cap_dead((cap_t)th), 1, "and for its thread cap");
	tap_eq(FY_CAP_INFO_TYPE(fy_cap_info((cap_t)th)), OBJ_TYPE_THREAD,
	       "still with its type");
	tap_eq(FY_CAP_INFO_RIGHTS(fy_cap_info((cap_t)th)), CAP_RIGHT_READ,
	       "and its rights");
	tap_eq(fy_death_watch((cap_t)th, (cap_t)n, 0x10), 0,
	       "a watch on the dead process: 0");
	tap_eq(pending((cap_t)n, 1), 0x10, "signalled at once");
	tap_eq(fy_death_watch((cap_t)p, (cap_t)n, 0), -ENOENT,
	       "nothing kept to cancel");
	fy_cap_delete((cap_t)th);
	fy_cap_delete((cap_t)p);
out:
	fy_cap_delete((cap_t)go);
	fy_cap_delete((cap_t)n);
}

/* A killed child, and one that faults (it may be dead before we ask). */
static void target_killed_or_faults(void)
{
	long n = fy_notification_create(), p, th;

	if (!tap_ok(n >= 0, "a notification for a killed child"))
		return;
	p = spawn_helper("helpers/spinner", NULL);
	th = p >= 0 ? fy_cap_fetch((cap_t)p, CAP_SELF_MAIN_THREAD, 0) : -1;
	if (tap_ok(p >= 0 && th >= 0, "spawn helpers/spinner, its thread cap "
				      "with no right at all")) {
		tap_eq(fy_death_watch((cap_t)th, (cap_t)n, 0x20), 0,
		       "watch it through its thread");
		tap_eq(fy_proc_kill((cap_t)p), 0, "kill it");
		tap_eq(collect((cap_t)n, 0x20), 0x20,
		       "the kill fires the watch");
		tap_eq(reap(p), PROC_STATUS_KILLED(PROC_SIG_KILL),
		       "it was killed");
		tap_eq(fy_cap_dead((cap_t)th), 1, "its thread cap says DEAD");
		fy_cap_delete((cap_t)th);
	}
	p = spawn_helper("helpers/crash", "segv");
	if (tap_ok(p >= 0, "spawn helpers/crash segv (%ld)", p)) {
		tap_eq(fy_death_watch((cap_t)p, (cap_t)n, 0x40), 0,
		       "watch it (alive or dead already)");
		tap_eq(collect((cap_t)n, 0x40), 0x40,
		       "its fault fires the watch");
		tap_eq(reap(p), PROC_STATUS_KILLED(PROC_SIG_SEGV),
		       "it died of SIGSEGV");
	}
	tap_eq(pending((cap_t)n, 1), 0, "nothing else came");
	fy_cap_delete((cap_t)n);
}

/* The client's end: the server's process dies. */
static void connection_client_side(void)
{
	struct echo_conn e;
	long n = fy_notification_create();

	echo_open(&e);
	if (e.proc < 0 || n < 0)
		return;
	tap_eq(fy_cap_dead(e.conn.cap), 0, "the echo server lives");
	tap_eq(fy_death_watch(e.conn.cap, (cap_t)n, 0x100), 0,
	       "watch the server through our connection cap");
	tap_eq(pending((cap_t)n, 10000), 0, "nothing yet");
	fy_proc_kill((cap_t)e.proc);
	tap_eq(collect((cap_t)n, 0x100), 0x100,
	       "the server's death fires the watch");
	tap_eq(fy_cap_dead(e.conn.cap), 1, "our connection cap says DEAD");
	tap_eq(fy_death_watch(e.conn.cap, (cap_t)n, 0x200), 0,
	       "a watch on the dead server: 0");
	tap_eq(pending((cap_t)n, 1), 0x200, "signalled at once");
	echo_close(&e);
	fy_cap_delete((cap_t)n);
}

static long srv_handler(struct ipc_msg *msg, uint64_t badge)
{
	(void)msg;
	(void)badge;
	return 0;
}

/*
 * The server's end: we serve, a child of ours connects; we find our
 * end of the connection in our table and watch the client through it.
 */
static void connection_server_side(void)
{
	static const char *const names[] = {"srv", "go", "ready"};
	long n = fy_notification_create(), go = fy_notification_create();
	long go_r, n_w, srv, p, conn = -1;
	cap_t caps[3];

	if (!tap_ok(n >= 0 && go >= 0, "notifications for a client"))
		return;
	tap_eq(ipc_serve(srv_handler, NULL), 0, "we serve on our main thread");
	srv = fy_cap_copy(CAP_SELF_MAIN_THREAD,
			  CAP_RIGHT_CALL | CAP_RIGHT_GRANT);
	go_r = fy_cap_copy((cap_t)go, READ_ONLY);
	n_w = fy_cap_copy((cap_t)n, WRITE_ONLY);
	caps[0] = (cap_t)srv;
	caps[1] = (cap_t)go_r;
	caps[2] = (cap_t)n_w;
	p = spawn_self("client", 3, names, caps);
	fy_cap_delete((cap_t)srv);
	fy_cap_delete((cap_t)go_r);
	fy_cap_delete((cap_t)n_w);
	if (!tap_ok(p >= 0, "spawn a child that connects to us (%ld)", p))
		goto out;
	tap_eq(collect((cap_t)n, READY), READY, "it connected");
	for (int i = 0; i < CAP_TABLE_MAX && conn < 0; i++) {
		long info = fy_cap_info(i);

		/* Our client ends (procmgr's) have CALL; a server's has not. */
		if (info >= 0 &&
		    FY_CAP_INFO_TYPE(info) == OBJ_TYPE_CONNECTION &&
		    !(FY_CAP_INFO_RIGHTS(info) & CAP_RIGHT_CALL))
			conn = i;
	}
	if (tap_ok(conn >= 0, "our end of its connection is slot %ld", conn)) {
		tap_eq(fy_cap_dead((cap_t)conn), 0, "the client lives");
		tap_eq(fy_death_watch((cap_t)conn, (cap_t)n, 0x400), 0,
		       "watch the client through our end");
	}
	fy_notify((cap_t)go, 1);
	tap_eq(collect((cap_t)n, 0x400), 0x400,
	       "the client's exit fires the watch");
	tap_eq(reap(p), PROC_STATUS_EXITED(0), "it exited with 0");
out:
	fy_cap_delete((cap_t)go);
	fy_cap_delete((cap_t)n);
}

/*
 * A watcher that dies before its target: its watch goes with it (the
 * target's later death signals nothing), and the frames and objects
 * it took come back.
 */
static void watcher_dies_first_round(long *f0, long *o0, bool check)
{
	static const char *const names[] = {"target", "note"};
	long n = fy_notification_create(), n_w, t, w;
	cap_t caps[2];

	t = spawn_helper("helpers/spinner", NULL);
	n_w = fy_cap_copy((cap_t)n, WRITE_ONLY);
	caps[0] = (cap_t)t;
	caps[1] = (cap_t)n_w;
	w = t >= 0 ? spawn_self("watcher", 2, names, caps) : -1;
	fy_cap_delete((cap_t)n_w);
	if (!check) {
		collect((cap_t)n, READY);
		reap(w);
		fy_proc_kill((cap_t)t);
		reap(t);
		fy_cap_delete((cap_t)n);
		*f0 = fy_kstat(KSTAT_FREE_FRAMES);
		*o0 = fy_kstat(KSTAT_LIVE_OBJECTS);
		return;
	}
	if (!tap_ok(n >= 0 && t >= 0 && w >= 0,
		    "a spinner and a watcher of it (%ld, %ld)", t, w))
		return;
	tap_eq(reap(w), PROC_STATUS_EXITED(0),
	       "the watcher set %d watches on the spinner and on itself, "
	       "and exited",
	       DEATH_WATCH_MAX);
	tap_eq(collect((cap_t)n, READY | 0x1), READY | 0x1,
	       "it said so, and its watch on itself fired as it died");
	fy_proc_kill((cap_t)t);
	tap_eq(reap(t), PROC_STATUS_KILLED(PROC_SIG_KILL),
	       "then the spinner is killed");
	tap_eq(pending((cap_t)n, 20000), 0,
	       "and the dead watcher's watches signal nothing");
	fy_cap_delete((cap_t)n);
	counts_settle(*f0, *o0);
	tap_eq(fy_kstat(KSTAT_LIVE_OBJECTS), *o0,
	       "every object came back (the watches' notification references)");
	tap_eq(fy_kstat(KSTAT_FREE_FRAMES), *f0, "every frame came back");
}

static void watcher_dies_first(void)
{
	long f0 = 0, o0 = 0;

	touch_own_pages();
	/* A first round warms up what a spawn keeps (page tables, heap). */
	watcher_dies_first_round(&f0, &o0, false);
	watcher_dies_first_round(&f0, &o0, true);
}

/* The children: this program with argv[1]. */
static int child(const char *mode)
{
	uint64_t bits;

	if (!strcmp(mode, "wait")) {
		fy_notification_wait(fy_initial_cap("go"), 0, &bits);
		return 7;
	}
	if (!strcmp(mode, "client")) {
		struct ipc_conn c;

		if (ipc_connect(fy_initial_cap("srv"), 4096, &c))
			return 2;
		fy_notify(fy_initial_cap("ready"), READY);
		fy_notification_wait(fy_initial_cap("go"), 0, &bits);
		return 0; /* the connection closes as we die */
	}
	if (!strcmp(mode, "watcher")) {
		cap_t t = fy_initial_cap("target"), n = fy_initial_cap("note");

		if (fy_death_watch(CAP_SELF_GROUP, n, 0x1))
			return 3;
		for (int i = 1; i < DEATH_WATCH_MAX; i++)
			if (fy_death_watch(t, n, 0x2))
				return 4;
		fy_notify(n, READY);
		return 0; /* every watch goes with us */
	}
	return 9;
}

int main(int argc, char **argv)
{
	if (argc > 1)
		return child(argv[1]);
	bad_input();
	target_exits();
	target_killed_or_faults();
	connection_client_side();
	connection_server_side();
	watcher_dies_first();
	return tap_done();
}
