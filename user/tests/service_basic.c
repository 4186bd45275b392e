/*
 * libferry's Tock-style services (docs/services.md) through the real
 * syscalls, against helpers/svc_peer (a service whose callback carries
 * out the command in our shared buffer: svc_test.h) and rot13d:
 * notifies to a waiting, busy, never-waiting and dead service; a notify
 * before our callback exists; many notifies coalescing; the client id
 * being the kernel's badge, distinct per client; buffers of odd and
 * page-crossing lengths, unsharing, replacement (the old mapping gone in
 * the service: a probe of it faults), one buffer per service for two
 * services, a service reading past its buffer (killed with SIGSEGV);
 * buffers not from the allocator refused; counts of frames and objects
 * back at the end.
 */
#include <string.h>
#include <time.h>

#include <ferry/service.h>
#include <ferry/status.h>

#include "svc_test.h"
#include "tap.h"
#include "util.h"

#define WAIT_US 5000000ull /* 5 s: TCG on a shared host */

struct peer {
	long proc;
	long server;
	struct fy_svc *svc;
	int notified; /* our callback's NOTIFIED runs */
	int dead;     /* its DEAD runs */
};

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void on_peer(struct fy_svc *s, unsigned events, void *buf, size_t len,
		    void *arg)
{
	struct peer *p = arg;

	(void)s, (void)buf, (void)len;
	if (events & FY_SVC_NOTIFIED)
		p->notified++;
	if (events & FY_SVC_DEAD)
		p->dead++;
}

/* Spawns `path` with argv[1] = mode and connects to it. */
static int peer_open(struct peer *p, const char *path, const char *mode)
{
	const char *argv[] = {path, mode, NULL};
	long r;

	memset(p, 0, sizeof(*p));
	p->server = -1;
	p->proc = fy_spawn(path, argv, NULL);
	if (p->proc < 0)
		return tap_ok(0, "spawn %s %s: %ld", path, mode ? mode : "",
			      p->proc);
	p->server = fy_cap_fetch((cap_t)p->proc, CAP_SELF_MAIN_THREAD,
				 CAP_RIGHT_CALL | CAP_RIGHT_GRANT);
	r = p->server < 0 ? p->server
			  : fy_service_connect((cap_t)p->server, &p->svc);
	return tap_eq(r, 0, "connect to %s %s", path, mode ? mode : "");
}

/* Kills (if alive), reaps and forgets the peer: its wait status. */
static long peer_close(struct peer *p)
{
	long st;

	if (p->svc)
		fy_service_close(p->svc);
	fy_proc_kill((cap_t)p->proc);
	st = fy_proc_wait((cap_t)p->proc);
	if (p->server >= 0)
		fy_cap_delete((cap_t)p->server);
	fy_cap_delete((cap_t)p->proc);
	p->svc = NULL;
	return st;
}

/* Runs our loop until p has been notified `n` times in all (or 5 s). */
static int wait_notified(struct peer *p, int n)
{
	long end = now_ms() + (long)(WAIT_US / 1000);

	while (p->notified < n && now_ms() < end)
		fy_svc_yield_for(WAIT_US);
	return p->notified >= n;
}

/* A command round: set cmd, notify, wait for the answer. */
static int round_trip(struct peer *p, struct svc_test_buf *b, char cmd)
{
	b->cmd = cmd;
	if (fy_notify_service(p->svc) != 0)
		return 0;
	return wait_notified(p, p->notified + 1);
}

static void bad_input(struct peer *p)
{
	char stack_buf[64];
	void *b = fy_share_alloc(100);

	tap_ok(fy_share_alloc(0) == NULL, "share_alloc(0) is refused");
	tap_ok(fy_share_alloc(SVC_SHARE_MAX + 1) == NULL,
	       "share_alloc past SVC_SHARE_MAX is refused");
	tap_eq(fy_share(p->svc, stack_buf, sizeof(stack_buf)), -EINVAL,
	       "sharing a buffer not from the allocator: -EINVAL");
	tap_eq(fy_share(p->svc, (char *)b + 1, 10), -EINVAL,
	       "sharing from inside an allocated buffer: -EINVAL");
	tap_eq(fy_share(p->svc, b, 101), -EINVAL,
	       "sharing past the buffer's length: -EINVAL");
	tap_eq(fy_share(NULL, b, 10), -EINVAL, "sharing with no service");
	tap_eq(fy_notify_service(NULL), -EINVAL, "notify no service: -EINVAL");
	tap_eq(fy_notify_service((struct fy_svc *)stack_buf), -EINVAL,
	       "notify a pointer that is no handle: -EINVAL");
	tap_eq(fy_share_free(stack_buf), -EINVAL,
	       "share_free of a foreign buffer: -EINVAL");
	tap_eq(fy_share_free(b), 0, "share_free of a good one");
	tap_eq(fy_share_free(b), -EINVAL, "and again: -EINVAL");
	tap_eq(fy_notify_client(0x1234), -ENOENT,
	       "notify_client of no client of ours: -ENOENT");
	tap_eq(fy_svc_yield_for(20000), -ETIMEDOUT,
	       "yield with nothing due times out");
}

/* One raw call of the service protocol on our own connection c. */
static long raw_call(struct ipc_conn *c, uint32_t op, uint32_t bit,
		     uint64_t len, long cap)
{
	struct ipc_msg *m = (void *)((char *)c->shm + SVC_MSG_OFF);
	struct svc_req *q;

	m->data_len = sizeof(*q);
	m->data_offset = sizeof(*m);
	m->cap_offset = sizeof(*m) + sizeof(*q);
	m->cap_slots = 1;
	q = ipc_msg_data(m);
	q->op = op;
	q->bit = bit;
	q->len = len;
	ipc_msg_caps(m)[0] = (cap_t)cap;
	return ipc_call(c, m, cap >= 0 ? 1 : 0);
}

/*
 * A client that does not use libferry: every request the service must
 * refuse, then the service still serves (libferry's own client after).
 */
static void hostile_client(struct peer *p)
{
	long n = fy_notification_create(),
	     small = fy_pmo_create(4096, PMO_DATA),
	     anon = fy_pmo_create(4096, PMO_ANONYMOUS),
	     paged = fy_pmo_create(4096, PMO_PAGED);
	long wn = fy_cap_copy((cap_t)n, CAP_RIGHT_WRITE | CAP_RIGHT_GRANT);
	struct ipc_conn c;

	if (!tap_eq(ipc_connect((cap_t)p->server, SVC_SHM_SIZE, &c), 0,
		    "a raw connection to the service"))
		goto out;
	tap_eq(raw_call(&c, SVC_OP_SHARE, 0, 4096, small), -EINVAL,
	       "SHARE before HELLO: -EINVAL");
	tap_eq(raw_call(&c, SVC_OP_HELLO, 32, 0, -1), -EINVAL,
	       "HELLO without a notification: -EINVAL");
	tap_eq(raw_call(&c, SVC_OP_HELLO, 32, 0, small), -EINVAL,
	       "HELLO with a PMO for a notification: -EINVAL");
	tap_eq(raw_call(&c, SVC_OP_HELLO, 64, 0, wn), -EINVAL,
	       "HELLO asking for bit 64: -EINVAL");
	tap_ok(raw_call(&c, SVC_OP_HELLO, 40, 0, wn) >= 0, "a good HELLO");
	/* The service's notification, returned in the one cap slot. */
	tap_eq(FY_CAP_INFO_TYPE(fy_cap_info(ipc_msg_caps(
		       (struct ipc_msg *)((char *)c.shm + SVC_MSG_OFF))[0])),
	       OBJ_TYPE_NOTIFICATION, "gives the service's notification");
	fy_cap_delete(ipc_msg_caps(
		(struct ipc_msg *)((char *)c.shm + SVC_MSG_OFF))[0]);
	tap_eq(raw_call(&c, SVC_OP_HELLO, 40, 0, wn), -EINVAL,
	       "HELLO twice: -EINVAL");
	tap_eq(raw_call(&c, SVC_OP_SHARE, 0, 4097, small), -EINVAL,
	       "SHARE longer than the PMO: -EINVAL");
	tap_eq(raw_call(&c, SVC_OP_SHARE, 0, 0, small), -EINVAL,
	       "SHARE of length 0: -EINVAL");
	tap_eq(raw_call(&c, SVC_OP_SHARE, 0, SVC_SHARE_MAX + 1, small), -EINVAL,
	       "SHARE past SVC_SHARE_MAX: -EINVAL");
	tap_eq(raw_call(&c, SVC_OP_SHARE, 0, 100, wn), -EINVAL,
	       "SHARE of a notification: -EINVAL");
	tap_eq(raw_call(&c, SVC_OP_SHARE, 0, 100, -1), -EINVAL,
	       "SHARE without a cap: -EINVAL");
	tap_eq(raw_call(&c, SVC_OP_SHARE, 0, 100, anon), -EINVAL,
	       "SHARE of a PMO_ANONYMOUS (pages made at the service's touch, "
	       "on our budget): -EINVAL");
	tap_eq(raw_call(&c, SVC_OP_SHARE, 0, 100, paged), -EINVAL,
	       "SHARE of a PMO_PAGED (pages only from our pager): -EINVAL");
	tap_eq(raw_call(&c, 99, 0, 0, -1), -EINVAL, "an unknown op: -EINVAL");
	tap_eq(raw_call(&c, SVC_OP_SHARE, 0, 4096, small), 0,
	       "a good SHARE of the whole PMO");
	tap_eq(raw_call(&c, SVC_OP_UNSHARE, 0, 0, -1), 0, "UNSHARE");
	ipc_close(&c);
out:
	fy_cap_delete((cap_t)wn);
	fy_cap_delete((cap_t)paged);
	fy_cap_delete((cap_t)anon);
	fy_cap_delete((cap_t)small);
	fy_cap_delete((cap_t)n);
}

/*
 * A service takes FY_SVC_MAX_CLIENTS connections (one is ours already):
 * a client cannot make it grow past that table.
 */
static void client_bound(struct peer *p)
{
	static struct ipc_conn c[FY_SVC_MAX_CLIENTS];
	int n = 0;
	long r = 0;

	while (n < FY_SVC_MAX_CLIENTS &&
	       (r = ipc_connect((cap_t)p->server, SVC_SHM_SIZE, &c[n])) == 0)
		n++;
	tap_eq(n, FY_SVC_MAX_CLIENTS - 1,
	       "the service took %d connections more", FY_SVC_MAX_CLIENTS - 1);
	tap_eq(r, -ECONNREFUSED, "the next one is refused: -ECONNREFUSED");
	while (n > 0)
		ipc_close(&c[--n]);
	for (int i = 0; i < 100 && r; i++) {
		/* The closes' teardowns run later, on the service's handlers.
		 */
		r = ipc_connect((cap_t)p->server, SVC_SHM_SIZE, &c[0]);
		if (r)
			nanosleep(&(struct timespec){0, 10000000}, NULL);
	}
	if (tap_eq(r, 0, "after the closes, a connection is taken again"))
		ipc_close(&c[0]);
}

/*
 * The service notifies us before our callback exists: the notify is
 * kept, and the callback runs once we set it.
 */
static void before_callback(struct peer *p, struct svc_test_buf *b)
{
	b->cmd = SVC_CMD_COUNT;
	tap_eq(fy_notify_service(p->svc), 0, "notify the waiting service");
	for (int i = 0; i < 100 && b->calls == 0; i++)
		nanosleep(&(struct timespec){0, 10000000}, NULL);
	tap_eq((long)b->calls, 1, "its callback ran once");
	tap_eq(fy_svc_yield_for(50000), -ETIMEDOUT,
	       "its notify back runs nothing while we have no callback");
	tap_eq(fy_client_callback(p->svc, on_peer, p), 0, "set our callback");
	tap_eq(fy_svc_yield_for(WAIT_US), 1,
	       "the notify that came before it runs it now");
	tap_eq(p->notified, 1, "once, as notified");
}

/*
 * The service busy in a callback for 300 ms: 200 notifies return at
 * once and coalesce into one more callback, none lost.
 */
static void busy_coalesce(struct peer *p, struct svc_test_buf *b)
{
	uint64_t calls0 = b->calls;
	long t0, took, worst = 0;
	int bad = 0;

	b->arg = 300;
	b->result = 0;
	b->cmd = SVC_CMD_SPIN;
	fy_notify_service(p->svc);
	for (int i = 0; i < 300 && !__atomic_load_n(&b->result, 0); i++)
		nanosleep(&(struct timespec){0, 10000000}, NULL);
	tap_ok(b->result == 1, "the service is busy in its callback");
	b->cmd = SVC_CMD_COUNT;
	for (int i = 0; i < 200; i++) {
		t0 = now_ms();
		bad |= fy_notify_service(p->svc) != 0;
		took = now_ms() - t0;
		worst = took > worst ? took : worst;
	}
	tap_ok(!bad && worst < 100,
	       "200 notifies to the busy service return at once (%ld ms)",
	       worst);
	/* Its two notifies back may reach us as one callback or two. */
	for (long end = now_ms() + 5000;
	     b->calls < calls0 + 2 && now_ms() < end;)
		fy_svc_yield_for(WAIT_US);
	tap_ok(b->calls >= calls0 + 2 && p->notified >= 2,
	       "after the busy one, its callback runs again and notifies us");
	/* Nothing more comes. */
	for (long r; (r = fy_svc_yield_for(100000)) > 0;)
		;
	tap_eq((long)(b->calls - calls0), 2,
	       "the 200 notifies coalesced into one callback");
}

static void buffers(struct peer *p, struct svc_test_buf *b)
{
	struct svc_test_buf *big;
	uint64_t old_addr, badge;

	tap_ok(round_trip(p, b, SVC_CMD_COUNT), "a COUNT round trip");
	badge = b->badge;
	tap_ok((badge & 0xffff) == 0xfe77,
	       "the client id is a kernel badge (%llx)",
	       (unsigned long long)badge);
	tap_eq((long)b->len, 4096, "the service saw the length we shared");
	tap_ok(b->tail, "and zeros to its page's end");
	old_addr = b->addr;

	/* Page-crossing: 5000 bytes, text across the boundary. */
	big = fy_share_alloc(5000);
	if (!tap_ok(big != NULL, "share_alloc(5000)"))
		return;
	memset(big->text, 'a', 5000 - sizeof(*big));
	tap_eq(fy_share(p->svc, big, 5000), 0, "share 5000 bytes instead");
	int n0 = p->notified;
	big->cmd = SVC_CMD_UPPER;
	fy_notify_service(p->svc);
	tap_ok(wait_notified(p, n0 + 1), "an UPPER round trip");
	tap_eq((long)big->len, 5000, "the service saw 5000 bytes");
	tap_ok(big->tail, "zeros from 5000 to 8191");
	tap_ok(big->text[0] == 'A' && big->text[4095 - sizeof(*big)] == 'A' &&
		       big->text[4096 - sizeof(*big)] == 'A' &&
		       big->text[4999 - sizeof(*big)] == 'A',
	       "it transformed both pages in place");
	tap_ok(((char *)big)[5000] == 0, "and nothing past the length");
	tap_ok(big->addr != old_addr, "at a new address in the service");
	tap_eq((long)big->badge, (long)badge, "with the same client id");

	/* Unsharing: the callback runs with no buffer. */
	tap_eq(fy_share(p->svc, NULL, 0), 0, "length 0 unshares");
	big->calls = 0;
	n0 = p->notified;
	fy_notify_service(p->svc);
	tap_ok(wait_notified(p, n0 + 1) && big->calls == 0,
	       "the service's callback ran without the buffer");
	fy_share_free(big);
	tap_eq(fy_share(p->svc, b, 4096), 0, "share the first buffer again");
}

/* Another client process: it is told another id. */
static void second_client(struct peer *p, uint64_t my_badge)
{
	long mark = fy_pmo_create(4096, PMO_DATA), proc, st;
	const char *argv[] = {"helpers/svc_peer", "client", NULL};
	const char *names[] = {"svc", "mark"};
	cap_t caps[2] = {(cap_t)p->server, (cap_t)mark};
	struct fy_spawn_attr a = {.prio = SPAWN_SCHED_DEFAULT,
				  .mcp = SPAWN_SCHED_DEFAULT,
				  .ncaps = 2,
				  .names = names,
				  .caps = caps};
	uint64_t badge = 0;

	proc = fy_spawn_caps("helpers/svc_peer", argv, NULL, &a);
	if (!tap_ok(proc >= 0, "spawn a second client (%ld)", proc))
		goto out;
	st = fy_proc_wait((cap_t)proc);
	tap_eq(st, 0, "it was served");
	fy_cap_delete((cap_t)proc);
	fy_pmo_read((cap_t)mark, 0, &badge, sizeof(badge));
	tap_ok((badge & 0xffff) == 0xfe77 && badge != my_badge,
	       "its client id is another badge (%llx, ours %llx)",
	       (unsigned long long)badge, (unsigned long long)my_badge);
out:
	fy_cap_delete((cap_t)mark);
}

/* rot13d: an odd length, and a buffer per service for two services. */
static void two_services(struct peer *p)
{
	struct peer r;
	char *x, *y;
	int n0 = p->notified;

	if (!peer_open(&r, "rot13d", NULL))
		return;
	fy_client_callback(r.svc, on_peer, &r);
	x = fy_share_alloc(13);
	y = fy_share_alloc(4096);
	memcpy(x, "Hello, World!", 13);
	memset(y, 'a', 200);
	tap_eq(fy_share(r.svc, x, 13), 0, "share 13 bytes with rot13d");
	tap_eq(fy_share(p->svc, y, 4096), 0, "another buffer with svc_peer");
	y[0] = SVC_CMD_UPPER;
	fy_notify_service(r.svc);
	fy_notify_service(p->svc);
	tap_ok(wait_notified(&r, 1) && wait_notified(p, n0 + 1),
	       "both notify back");
	tap_ok(!memcmp(x, "Uryyb, Jbeyq!", 13) && x[13] == 0,
	       "rot13d turned our 13 bytes (%.13s), not one more", x);
	tap_ok(y[sizeof(struct svc_test_buf)] == 'A' && y[199] == 'A',
	       "svc_peer upper-cased its own buffer");
	fy_share_free(x);
	peer_close(&r);
	fy_share_free(y);
}

/*
 * Replacement: after we share another buffer, the old one's address in
 * the service is unmapped; the service touching it is killed.
 */
static void replaced_gone(struct peer *p)
{
	struct svc_test_buf *a = fy_share_alloc(4096),
			    *b = fy_share_alloc(4096);
	uint64_t old;
	long st;

	fy_share(p->svc, a, 4096);
	tap_ok(round_trip(p, a, SVC_CMD_COUNT), "the service maps buffer A");
	old = a->addr;
	tap_eq(fy_share(p->svc, b, 4096), 0, "share B instead");
	tap_ok(round_trip(p, b, SVC_CMD_COUNT) && b->addr != old,
	       "B is elsewhere in the service");
	b->arg = old;
	b->cmd = SVC_CMD_PROBE;
	tap_eq(fy_notify_service(p->svc), 0, "ask it to read A's old address");
	st = fy_proc_wait((cap_t)p->proc);
	tap_eq(st, PROC_STATUS_KILLED(PROC_SIG_SEGV),
	       "the service faulted there (SIGSEGV): A is gone");
	tap_eq(fy_notify_service(p->svc), 0, "notifying the dead service: 0");
	tap_ok(fy_share(p->svc, a, 10) < 0, "sharing with it fails");
	fy_share_free(a);
	fy_share_free(b);
}

/* A service reading one byte past the buffer's pages faults. */
static void past_end(void)
{
	struct peer p;
	struct svc_test_buf *b;

	if (!peer_open(&p, "helpers/svc_peer", "serve"))
		return;
	fy_client_callback(p.svc, on_peer, &p);
	b = fy_share_alloc(100);
	fy_share(p.svc, b, 100);
	tap_ok(round_trip(&p, b, SVC_CMD_COUNT) && b->tail,
	       "100 bytes: the service reads zeros to the page end");
	b->arg = b->addr + 4096;
	b->cmd = SVC_CMD_PROBE;
	fy_notify_service(p.svc);
	tap_eq(fy_proc_wait((cap_t)p.proc), PROC_STATUS_KILLED(PROC_SIG_SEGV),
	       "reading past the buffer's page: SIGSEGV, nothing else seen");
	fy_share_free(b);
	peer_close(&p);
}

/* A service that never runs its loop, then one that dies. */
static void idle_and_dead(void)
{
	struct peer p;
	struct fy_svc *q;
	long t0;

	if (!peer_open(&p, "helpers/svc_peer", "idle"))
		return;
	t0 = now_ms();
	for (int i = 0; i < 50; i++)
		fy_notify_service(p.svc);
	tap_ok(now_ms() - t0 < 100,
	       "50 notifies to a service that never waits return at once");
	/* A second handle on it, closed: our watch through p stays. */
	tap_eq(fy_service_connect((cap_t)p.server, &q), 0,
	       "a second connection to it");
	tap_eq(fy_service_close(q), 0, "closed again");
	fy_client_callback(p.svc, on_peer, &p);
	fy_proc_kill((cap_t)p.proc);
	fy_proc_wait((cap_t)p.proc);
	tap_eq(fy_notify_service(p.svc), 0, "a notify to it once dead: 0");
	tap_ok(fy_svc_yield_for(WAIT_US) == 1 && p.dead == 1,
	       "our callback is told FY_SVC_DEAD");
	tap_eq(fy_svc_yield_for(50000), -ETIMEDOUT, "once");
	peer_close(&p);
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
	long f0, o0;
	struct peer p;
	struct svc_test_buf *b;

	/*
	 * Our notification object, made once per process, counts before;
	 * so does the image procmgr keeps for our connection, of the last
	 * program we spawned: helpers/tiny here and at the end.
	 */
	touch_own_pages();
	stack_warm();
	fy_svc_yield_for(1);
	/*
	 * Our capability table grows to hold the most caps the test has at
	 * once (32 connections of two caps each, buffers, peers) and does
	 * not shrink: grown now, before the count.
	 */
	{
		static long w[160];

		for (int i = 0; i < 160; i++)
			w[i] = fy_cap_copy(CAP_SELF_GROUP, CAP_RIGHT_READ);
		for (int i = 0; i < 160; i++)
			fy_cap_delete((cap_t)w[i]);
	}
	spawn_wait("helpers/tiny", NULL);
	f0 = fy_kstat(KSTAT_FREE_FRAMES);
	o0 = fy_kstat(KSTAT_LIVE_OBJECTS);
	if (peer_open(&p, "helpers/svc_peer", "serve")) {
		b = fy_share_alloc(4096);
		tap_ok(b != NULL, "share_alloc(4096)");
		tap_eq(fy_share(p.svc, b, 4096), 0, "share it");
		client_bound(&p);
		bad_input(&p);
		hostile_client(&p);
		before_callback(&p, b);
		busy_coalesce(&p, b);
		buffers(&p, b);
		second_client(&p, b->badge);
		two_services(&p);
		replaced_gone(&p);
		fy_share_free(b);
		peer_close(&p);
	}
	past_end();
	idle_and_dead();
	spawn_wait("helpers/tiny", NULL);
	counts_settle(f0, o0);
	tap_eq(fy_kstat(KSTAT_FREE_FRAMES), f0, "free frames back");
	tap_eq(fy_kstat(KSTAT_LIVE_OBJECTS), o0, "live objects back");
	return tap_done();
}
