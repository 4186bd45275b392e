/*
 * The service side of libferry's service library (docs/services.md).
 *
 * A service is an ipc_serve server whose handlers answer the service
 * protocol (proto/service.h): HELLO swaps notification caps, SHARE maps
 * a client's buffer, UNSHARE drops it. Notifies themselves never come
 * through the handlers: a client sets its connection's flag and
 * notifies our notification object, and our loop (svc_loop.c) runs the
 * callback with what this file keeps for the connection.
 *
 * One slot per open connection in a fixed table (at most
 * FY_SVC_MAX_CLIENTS, the server's limit of connections), so a client
 * cannot make us grow: each connection costs a slot, its handler, and the
 * page tables of at most one buffer of SVC_SHARE_MAX, whose frames are
 * the client's.
 *
 * Concurrency: the handlers (passive threads, no TLS: raw syscalls only)
 * and the loop thread share a slot under its lock. A callback runs with
 * the lock released, on copies of the slot's fields, and `in_cb` set;
 * whoever drops a buffer (a SHARE replacing it, UNSHARE, the connection's
 * end) takes it out of the slot under the lock and then waits for
 * `in_cb` to clear before unmapping it, so a callback never sees its
 * buffer vanish under it.
 */
#include <stdatomic.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#include <ferry/ipc.h>
#include <ferry/ns.h>

#include "svc_internal.h"
#include "svc_pending.h"

#define GUARD 4096ul

struct svc_slot {
	atomic_int lock;
	atomic_int in_cb; /* the loop runs this slot's callback */
	/* Under lock: */
	uintptr_t shm; /* our mapping of the connection's shm; 0: slot free */
	uint64_t badge;
	int live;	   /* HELLO done: peer and peer_bit valid */
	cap_t peer;	   /* the client's notification, WRITE */
	unsigned peer_bit; /* the bit it wants */
	uintptr_t buf;	   /* its shared buffer here, 0: none */
	size_t len;	   /* as shared */
	size_t map_len;	   /* pages mapped */
	cap_t pmo;
};

static struct svc_slot slots[FY_SVC_MAX_CLIENTS];
static fy_service_fn service_fn;
static void *service_arg;
static cap_t events_w = -1; /* our notification, WRITE|GRANT: handed out */
static atomic_int served;

/* A buffer taken out of a slot, to unmap once no callback uses it. */
struct svc_buf {
	uintptr_t buf;
	size_t map_len;
	cap_t pmo;
};

static void buf_drop(struct svc_slot *s, struct svc_buf *b)
{
	if (!b->buf)
		return;
	while (atomic_load(&s->in_cb))
		svc_sleep_ms(1);
	/* The region and its two guards, one munmap. */
	fy_syscall2(SYS_munmap, (long)(b->buf - GUARD),
		    (long)(b->map_len + 2 * GUARD));
	fy_cap_delete(b->pmo);
}

/* Takes the slot's buffer out (lock held). */
static struct svc_buf buf_take_locked(struct svc_slot *s)
{
	struct svc_buf b = {s->buf, s->map_len, s->pmo};

	s->buf = 0;
	s->len = s->map_len = 0;
	s->pmo = -1;
	return b;
}

/*
 * The slot of the connection whose shm is at `shm`, or NULL. A slot's shm
 * changes (under its lock) only in HELLO and at the connection's end,
 * both on that connection's own handler, one after the other: the caller,
 * that handler, reads a value no one else is changing.
 */
static struct svc_slot *slot_of(uintptr_t shm)
{
	for (int i = 0; i < FY_SVC_MAX_CLIENTS; i++)
		if (__atomic_load_n(&slots[i].shm, __ATOMIC_ACQUIRE) == shm)
			return &slots[i];
	return NULL;
}

/* A free slot for shm, taken (its lock held on return), or NULL. */
static struct svc_slot *slot_new_locked(uintptr_t shm, uint64_t badge)
{
	for (int i = 0; i < FY_SVC_MAX_CLIENTS; i++) {
		struct svc_slot *s = &slots[i];

		svc_lock(&s->lock);
		if (!s->shm) {
			__atomic_store_n(&s->shm, shm, __ATOMIC_RELEASE);
			s->badge = badge;
			s->live = 0;
			s->buf = 0;
			s->pmo = s->peer = -1;
			return s;
		}
		svc_unlock(&s->lock);
	}
	return NULL;
}

/*
 * Maps `pmo`'s first map_len bytes read-write at a free address with a
 * PROT_NONE guard page on each side; the address, or a negative errno
 * (-EINVAL: the PMO is shorter, or not mappable so).
 */
static long map_buffer(cap_t pmo, size_t map_len)
{
	for (int tries = 0; tries < 8; tries++) {
		long a = fy_syscall6(SYS_mmap, 0, (long)(map_len + 2 * GUARD),
				     PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1,
				     0);
		struct vm_map_args m = {.pmo = pmo,
					.perm = VM_READ | VM_WRITE,
					.addr = (uint64_t)a + GUARD,
					.size = map_len,
					.pager = -1};
		long r;

		if (a < 0)
			return -ENOMEM;
		fy_syscall2(SYS_munmap, a + (long)GUARD, (long)map_len);
		r = fy_pmo_map_region(CAP_SELF_GROUP, &m);
		if (r == 0)
			return a + (long)GUARD;
		fy_syscall2(SYS_munmap, a, (long)(map_len + 2 * GUARD));
		if (r != -EEXIST) /* -EEXIST: another thread took the hole */
			return r == -ECAPBILITY ? -EINVAL : r;
	}
	return -ENOMEM;
}

/*
 * HELLO: keeps the client's notification cap in a new slot and answers
 * with the slot's bit and our notification (WRITE). Returns only on
 * failure, the cap not taken.
 */
static long op_hello(uintptr_t shm, uint64_t badge, uint32_t bit, cap_t cap)
{
	struct svc_slot *s;
	long r;

	if (cap < 0 || bit >= 64 ||
	    FY_CAP_INFO_TYPE(fy_cap_info(cap)) != OBJ_TYPE_NOTIFICATION)
		return -EINVAL;
	if (slot_of(shm))
		return -EINVAL; /* said twice */
	s = slot_new_locked(shm, badge);
	if (!s)
		return -ENOSPC;
	s->peer = cap;
	s->peer_bit = bit;
	s->live = 1;
	svc_unlock(&s->lock);
	r = fy_ipc_return_slots((long)(s - slots), 1, &events_w);
	/* Refused (it cannot be, for our own cap): forget the client. */
	svc_lock(&s->lock);
	s->live = 0;
	s->peer = -1;
	__atomic_store_n(&s->shm, 0, __ATOMIC_RELEASE);
	svc_unlock(&s->lock);
	return r;
}

static long op_share(struct svc_slot *s, uint64_t len, cap_t cap)
{
	struct svc_buf old;
	size_t map_len;
	long a;

	long info = cap < 0 ? -1 : fy_cap_info(cap);

	/*
	 * Only a PMO_DATA has every frame from its creation: an anonymous
	 * page would be made at our first touch on the client's budget (its
	 * exhaustion killing us), a paged one by the client's pager (its
	 * refusal killing us). Tock's users met the same: a buffer that
	 * could not be protected exactly, accepted, then a fault.
	 */
	if (info < 0 || len == 0 || len > SVC_SHARE_MAX ||
	    FY_CAP_INFO_TYPE(info) != OBJ_TYPE_PMO ||
	    FY_CAP_INFO_PMO_TYPE(info) != PMO_DATA)
		return -EINVAL;
	map_len = (len + 4095) & ~(size_t)4095;
	a = map_buffer(cap, map_len);
	if (a < 0)
		return a;
	svc_lock(&s->lock);
	old = buf_take_locked(s);
	s->buf = (uintptr_t)a;
	s->len = len;
	s->map_len = map_len;
	s->pmo = cap;
	svc_unlock(&s->lock);
	buf_drop(s, &old);
	return 0;
}

static long op_unshare(struct svc_slot *s)
{
	struct svc_buf old;

	svc_lock(&s->lock);
	old = buf_take_locked(s);
	svc_unlock(&s->lock);
	buf_drop(s, &old);
	return 0;
}

/*
 * A call from a client. The request is read from where our protocol puts
 * it, once, whatever the header the client wrote says; the caps from the
 * kernel's record of this call, never from the shm.
 */
static long svc_handle(struct ipc_msg *msg, uint64_t badge, uint32_t ncaps,
		       void *shm, size_t shm_size)
{
	struct svc_req req;
	cap_t caps[IPC_MAX_CAPS];
	cap_t cap = -1;
	struct svc_slot *s;
	long n = 0, r;

	(void)msg;
	if (ncaps)
		n = fy_ipc_received_caps(caps);
	for (long i = 1; i < n; i++)
		fy_cap_delete(caps[i]); /* more than the protocol takes */
	if (n > 0)
		cap = caps[0];
	if (shm_size < SVC_SHM_SIZE) {
		r = -EINVAL;
		goto out;
	}
	memcpy(&req, (char *)shm + SVC_MSG_OFF + sizeof(struct ipc_msg),
	       sizeof(req));
	__atomic_signal_fence(__ATOMIC_SEQ_CST); /* one read of the shm */
	if (req.op == SVC_OP_HELLO) {
		r = op_hello((uintptr_t)shm, badge, req.bit, cap);
		goto out;
	}
	s = slot_of((uintptr_t)shm);
	if (!s || !s->live) {
		r = -EINVAL;
	} else if (req.op == SVC_OP_SHARE) {
		r = op_share(s, req.len, cap);
		if (r == 0)
			return 0; /* the slot keeps the cap */
	} else if (req.op == SVC_OP_UNSHARE)
		r = op_unshare(s);
	else
		r = -EINVAL;
out:
	if (cap >= 0)
		fy_cap_delete(cap);
	return r;
}

/* A connection has closed (or its client died): forget it. */
static void svc_gone(uint64_t badge, void *shm)
{
	struct svc_slot *s;
	struct svc_buf old;
	cap_t peer;

	(void)badge;
	s = slot_of((uintptr_t)shm);
	if (!s)
		return;
	svc_lock(&s->lock);
	old = buf_take_locked(s);
	peer = s->peer;
	s->peer = -1;
	s->live = 0;
	__atomic_store_n(&s->shm, 0, __ATOMIC_RELEASE);
	svc_unlock(&s->lock);
	buf_drop(s, &old);
	if (peer >= 0)
		fy_cap_delete(peer);
}

/* The loop's part: bit i names slot i. */
static int run_slots(uint64_t bits)
{
	int ran = 0;

	for (int i = 0; i < FY_SVC_MAX_CLIENTS; i++) {
		struct svc_slot *s = &slots[i];
		uint64_t badge;
		void *buf;
		size_t len;

		if (!(bits & (1ull << i)))
			continue;
		svc_lock(&s->lock);
		if (!s->live ||
		    !svc_flag_take(&((struct svc_shm *)s->shm)->to_service)) {
			svc_unlock(&s->lock);
			continue;
		}
		badge = s->badge;
		buf = (void *)s->buf;
		len = s->len;
		atomic_store(&s->in_cb, 1);
		svc_unlock(&s->lock);
		service_fn(badge, buf, len, service_arg);
		atomic_store(&s->in_cb, 0);
		ran++;
	}
	return ran;
}

long fy_service_serve(fy_service_fn fn, void *arg)
{
	struct ipc_serve_config cfg = {.caps_handler = svc_handle,
				       .shm_destructor = svc_gone,
				       .max_conns = FY_SVC_MAX_CLIENTS,
				       .stack_size = 16384};
	long ev, w, r;
	int no = 0;

	if (!fn || !atomic_compare_exchange_strong(&served, &no, 1))
		return -EINVAL;
	ev = svc_events();
	if (ev < 0) {
		r = ev;
		goto out_served;
	}
	w = fy_cap_copy((cap_t)ev, CAP_RIGHT_WRITE | CAP_RIGHT_GRANT);
	if (w < 0) {
		r = w;
		goto out_served;
	}
	events_w = (cap_t)w;
	service_fn = fn;
	service_arg = arg;
	for (int i = 0; i < FY_SVC_MAX_CLIENTS; i++)
		slots[i].pmo = slots[i].peer = -1;
	svc_server_run = run_slots;
	r = ipc_serve_with(&cfg);
	if (r < 0)
		goto out_events;
	return 0;
out_events:
	svc_server_run = NULL;
	fy_cap_delete(events_w);
	events_w = -1;
out_served:
	atomic_store(&served, 0);
	return r;
}

long fy_service_register(const char *name, fy_service_fn fn, void *arg)
{
	long r = fy_service_serve(fn, arg);

	return r < 0 ? r : fy_ns_register(name, CAP_SELF_MAIN_THREAD);
}

long fy_notify_client(uint64_t client)
{
	long found = -ENOENT;

	for (int i = 0; i < FY_SVC_MAX_CLIENTS; i++) {
		struct svc_slot *s = &slots[i];

		svc_lock(&s->lock);
		if (s->live && s->badge == client) {
			svc_flag_raise(&((struct svc_shm *)s->shm)->to_client);
			fy_notify(s->peer, 1ull << s->peer_bit);
			found = 0;
		}
		svc_unlock(&s->lock);
	}
	return found;
}
