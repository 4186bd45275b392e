/*
 * The client side of libferry's service library (docs/services.md):
 * connections to services, their callbacks, and shareable buffers.
 *
 * A service handle is a slot of a fixed table (FY_SVC_MAX); svc i is
 * notified with bit 32 + i of our notification. fy_service_connect makes
 * the connection (one page of shm: the two pending flags and the room for
 * a call) and says HELLO, handing the service a WRITE-only copy of our
 * notification and getting one of its. With a death
 * watch (SYS_death_watch) set, the service's death sets the same bit, and
 * the loop tells the callback FY_SVC_DEAD once.
 *
 * Shared buffers are whole pages of a PMO_DATA of their own (every frame
 * there from the start, charged to us, so the service never faults for
 * memory on them), mapped here between two guard pages. Only buffers in
 * our table are passed, so a range that is not wholly a buffer's own
 * pages is refused here, not found out by the service's fault.
 *
 * All of this belongs to the thread that runs fy_svc_yield: the tables
 * have no locks.
 */
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#include <ferry/ipc.h>
#include <ferry/ns.h>

#include "svc_internal.h"
#include "svc_pending.h"

#define GUARD 4096ul

struct share_buf {
	void *addr; /* NULL: slot free */
	size_t len;
	size_t map_len;
	cap_t pmo;  /* all rights */
	cap_t give; /* READ|WRITE|MAP|GRANT: what a service gets */
};

struct fy_svc {
	int used;
	int dead_told;
	struct ipc_conn conn;
	cap_t peer;	   /* the service's notification, WRITE */
	unsigned peer_bit; /* the bit it wants */
	fy_client_fn fn;
	void *arg;
	struct share_buf *shared; /* NULL: nothing shared */
	size_t shared_len;
};

static struct fy_svc svcs[FY_SVC_MAX];
static struct share_buf bufs[FY_SHARE_MAX_BUFS];

static struct svc_shm *shm_of(struct fy_svc *s)
{
	return s->conn.shm;
}

static unsigned bit_of(struct fy_svc *s)
{
	return SVC_CLIENT_BIT0 + (unsigned)(s - svcs);
}

static int svc_valid(struct fy_svc *s)
{
	return s >= svcs && s < svcs + FY_SVC_MAX &&
	       (uintptr_t)((char *)s - (char *)svcs) % sizeof(*s) == 0 &&
	       s->used;
}

/* 1 if the service's process has begun to end, as the kernel says. */
static int svc_dead(struct fy_svc *s)
{
	return fy_cap_dead(s->conn.cap) == 1;
}

/*
 * Our death watch on svc's process ends with the handle. A cancel takes
 * every watch we set on that process with our notification: if another
 * handle of ours watched the same process (two connections to one
 * service), the others are set again (each cancelled first, so none is
 * set twice).
 */
static void svc_unwatch(struct fy_svc *svc, cap_t ev)
{
	if (fy_death_watch(svc->conn.cap, ev, 0) <= 1)
		return;
	for (int i = 0; i < FY_SVC_MAX; i++)
		if (svcs[i].used && &svcs[i] != svc)
			fy_death_watch(svcs[i].conn.cap, ev, 0);
	for (int i = 0; i < FY_SVC_MAX; i++)
		if (svcs[i].used && &svcs[i] != svc)
			fy_death_watch(svcs[i].conn.cap, ev,
				       1ull << bit_of(&svcs[i]));
}

/*
 * One call of the protocol: the request after an ipc_msg header at
 * SVC_MSG_OFF, cap (or -1) in its one slot. A cap the service returns is
 * put in *got (if asked for).
 */
static long svc_call(struct fy_svc *s, uint32_t op, uint32_t bit, uint64_t len,
		     cap_t cap, cap_t *got)
{
	struct ipc_msg *m = (void *)((char *)s->conn.shm + SVC_MSG_OFF);
	struct svc_req *req;
	long r;

	m->data_len = sizeof(*req);
	m->data_offset = sizeof(*m);
	m->cap_offset = sizeof(*m) + sizeof(*req);
	m->cap_slots = 1;
	req = ipc_msg_data(m);
	req->op = op;
	req->bit = bit;
	req->len = len;
	ipc_msg_caps(m)[0] = cap;
	r = ipc_call(&s->conn, m, cap >= 0 ? 1 : 0);
	if (r >= 0 && got)
		*got = ipc_msg_caps(m)[0];
	return r;
}

long fy_service_connect(cap_t server, struct fy_svc **out)
{
	struct fy_svc *s = NULL;
	long ev, w, r;
	cap_t peer = -1;

	for (int i = 0; i < FY_SVC_MAX && !s; i++)
		if (!svcs[i].used)
			s = &svcs[i];
	if (!s)
		return -ENOSPC;
	ev = svc_events();
	if (ev < 0)
		return ev;
	w = fy_cap_copy((cap_t)ev, CAP_RIGHT_WRITE | CAP_RIGHT_GRANT);
	if (w < 0)
		return w;
	r = ipc_connect(server, SVC_SHM_SIZE, &s->conn);
	if (r < 0)
		goto out_w;
	r = svc_call(s, SVC_OP_HELLO, bit_of(s), 0, (cap_t)w, &peer);
	/*
	 * Not a service of ours: no bit, or no notification where the slot
	 * should name one. (The slot number comes through the shm, which the
	 * peer can rewrite: we do not delete what it names.)
	 */
	if (r >= 64 || (r >= 0 && FY_CAP_INFO_TYPE(fy_cap_info(peer)) !=
					  OBJ_TYPE_NOTIFICATION))
		r = -EPROTO;
	if (r < 0)
		goto out_conn;
	s->used = 1;
	s->dead_told = 0;
	s->peer = peer;
	s->peer_bit = (unsigned)r;
	s->fn = NULL;
	s->arg = NULL;
	s->shared = NULL;
	s->shared_len = 0;
	fy_cap_delete((cap_t)w); /* the service has its copy */
	/*
	 * The service's death sets our bit for it. Without the watch (our
	 * budget or DEATH_WATCH_MAX spent) the connection still works; only
	 * FY_SVC_DEAD will not come: no reason to refuse it.
	 */
	fy_death_watch(s->conn.cap, (cap_t)ev, 1ull << bit_of(s));
	*out = s;
	return 0;
out_conn:
	ipc_close(&s->conn);
out_w:
	fy_cap_delete((cap_t)w);
	return r;
}

long fy_service_lookup(const char *name, uint64_t timeout_us,
		       struct fy_svc **out)
{
	long server = fy_ns_lookup(name, timeout_us), r;

	if (server < 0)
		return server;
	r = fy_service_connect((cap_t)server, out);
	/* The connection keeps what it needs of the server. */
	fy_cap_delete((cap_t)server);
	return r;
}

long fy_client_callback(struct fy_svc *svc, fy_client_fn fn, void *arg)
{
	long ev = svc_events();

	if (!svc_valid(svc) || ev < 0)
		return -EINVAL;
	svc->fn = fn;
	svc->arg = arg;
	/* What came before the callback is due now: wake our own loop. */
	if (fn && svc_client_due(&shm_of(svc)->to_client, svc_dead(svc),
				 svc->dead_told))
		fy_notify((cap_t)ev, 1ull << bit_of(svc));
	return 0;
}

long fy_notify_service(struct fy_svc *svc)
{
	if (!svc_valid(svc))
		return -EINVAL;
	svc_flag_raise(&shm_of(svc)->to_service);
	return fy_notify(svc->peer, 1ull << svc->peer_bit);
}

int svc_client_run(uint64_t bits)
{
	int ran = 0;

	for (int i = 0; i < FY_SVC_MAX; i++) {
		struct fy_svc *s = &svcs[i];
		unsigned ev;

		if (!(bits & (1ull << (SVC_CLIENT_BIT0 + i))) || !s->used)
			continue;
		/* Without a callback, the flag and the death wait for one. */
		ev = svc_client_events(&shm_of(s)->to_client, s->fn != NULL,
				       s->fn && svc_dead(s), &s->dead_told);
		if (!ev)
			continue;
		s->fn(s, ev, s->shared ? s->shared->addr : NULL,
		      s->shared ? s->shared_len : 0, s->arg);
		ran++;
	}
	return ran;
}

long fy_service_close(struct fy_svc *svc)
{
	long r;

	if (!svc_valid(svc))
		return -EINVAL;
	svc_unwatch(svc, (cap_t)svc_events());
	r = ipc_close(&svc->conn);
	fy_cap_delete(svc->peer);
	memset(svc, 0, sizeof(*svc));
	return r;
}

static struct share_buf *buf_find(const void *addr)
{
	for (int i = 0; i < FY_SHARE_MAX_BUFS; i++)
		if (addr && bufs[i].addr == addr)
			return &bufs[i];
	return NULL;
}

void *fy_share_alloc(size_t len)
{
	struct share_buf *b = NULL;
	long pmo, give, a, r;
	size_t map_len;

	for (int i = 0; i < FY_SHARE_MAX_BUFS && !b; i++)
		if (!bufs[i].addr)
			b = &bufs[i];
	if (!b || len == 0 || len > SVC_SHARE_MAX)
		return NULL;
	map_len = (len + 4095) & ~(size_t)4095;
	pmo = fy_pmo_create(map_len, PMO_DATA);
	if (pmo < 0)
		return NULL;
	give = fy_cap_copy((cap_t)pmo, CAP_RIGHT_READ | CAP_RIGHT_WRITE |
					       CAP_RIGHT_MAP | CAP_RIGHT_GRANT);
	if (give < 0)
		goto out_pmo;
	a = fy_syscall6(SYS_mmap, 0, (long)(map_len + 2 * GUARD), PROT_NONE,
			MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (a < 0)
		goto out_give;
	fy_syscall2(SYS_munmap, a + (long)GUARD, (long)map_len);
	r = fy_pmo_map(CAP_SELF_GROUP, (cap_t)pmo, (uintptr_t)a + GUARD,
		       VM_READ | VM_WRITE);
	if (r < 0)
		goto out_range;
	b->addr = (void *)(a + (long)GUARD);
	b->len = len;
	b->map_len = map_len;
	b->pmo = (cap_t)pmo;
	b->give = (cap_t)give;
	return b->addr;
out_range:
	fy_syscall2(SYS_munmap, a, (long)(map_len + 2 * GUARD));
out_give:
	fy_cap_delete((cap_t)give);
out_pmo:
	fy_cap_delete((cap_t)pmo);
	return NULL;
}

long fy_share(struct fy_svc *svc, void *buf, size_t len)
{
	struct share_buf *b;
	long r;

	if (!svc_valid(svc))
		return -EINVAL;
	if (len == 0) {
		r = svc_call(svc, SVC_OP_UNSHARE, 0, 0, -1, NULL);
		if (r == 0) {
			svc->shared = NULL;
			svc->shared_len = 0;
		}
		return r;
	}
	b = buf_find(buf);
	if (!b || len > b->len)
		return -EINVAL;
	r = svc_call(svc, SVC_OP_SHARE, 0, len, b->give, NULL);
	if (r == 0) {
		svc->shared = b;
		svc->shared_len = len;
	}
	return r;
}

long fy_share_free(void *buf)
{
	struct share_buf *b = buf_find(buf);

	if (!b)
		return -EINVAL;
	for (int i = 0; i < FY_SVC_MAX; i++) {
		if (!svcs[i].used || svcs[i].shared != b)
			continue;
		/* A dead service has dropped it already. */
		svc_call(&svcs[i], SVC_OP_UNSHARE, 0, 0, -1, NULL);
		svcs[i].shared = NULL;
		svcs[i].shared_len = 0;
	}
	fy_syscall2(SYS_munmap, (long)b->addr - (long)GUARD,
		    (long)(b->map_len + 2 * GUARD));
	fy_cap_delete(b->give);
	fy_cap_delete(b->pmo);
	memset(b, 0, sizeof(*b));
	return 0;
}
