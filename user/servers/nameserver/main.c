/*
 * The name server (docs/naming.md; protocol in proto/ns.h): names to
 * server threads. init loads it before procmgr and gives it, in slot
 * NS_ROOT_SLOT, the root registration right (a token object init made;
 * init keeps its own cap to it); procmgr gives every process it starts
 * the initial capability "nameserver".
 *
 * Threads: a handler per client connection (libferry), each on its
 * caller's scheduling context; the main thread, after ipc_serve, waits
 * for death signals and drops the names of services that died. They
 * share the registry (registry.h) under one lock, never held across a
 * call that can wait.
 *
 * Capabilities we keep, by slot, in the registry: each name's server
 * thread (CALL|GRANT, what lookups hand out), each right's token (a
 * notification object, used for nothing but its identity, compared with
 * SYS_cap_same), one notification per waiter slot (made at start), and
 * the death notification (bit i: the service of names[i] died).
 *
 * Memory: no heap. Tables are static, handler stacks prefaulted and the
 * pool of idle handlers filled at start, so our frames do not move
 * between two tests (init's leak check).
 */
#include <string.h>
#include <sys/syscall.h>
#include <time.h>

#include <ferry/lock.h>

#include "ns.h"

#define NS_ROOT_SLOT 3 /* init puts the root right's token here */
#define HANDLER_STACK 16384
#define MAX_CONNS 256

static struct ns_registry reg;
static atomic_int busy;
cap_t ns_death_notif = -1;

void ns_lock(void)
{
	fy_lock(&busy);
}

void ns_unlock(void)
{
	fy_unlock(&busy);
}

struct ns_registry *ns_reg(void)
{
	return &reg;
}

/* Monotonic microseconds (raw: handlers have no TLS). */
static uint64_t now_us(void)
{
	struct timespec ts = {0};

	fy_syscall2(SYS_clock_gettime, CLOCK_MONOTONIC, (long)&ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/* The request's name as a string in buf: 0 or the name's error. */
static long req_name(const struct ns_req *q, char *buf, int prefix)
{
	if (q->len >= NS_NAME_MAX)
		return -ENAMETOOLONG;
	memcpy(buf, q->name, q->len);
	buf[q->len] = 0;
	return prefix ? ns_prefix_check(buf, q->len)
		      : ns_name_check(buf, q->len);
}

/*
 * The right that `cap` (a cap the client sent) is, if it covers name:
 * its index, or -EPERM. Under the lock.
 */
static int right_for(cap_t cap, const char *name)
{
	for (int i = 0; i < NS_MAX_RIGHTS; i++) {
		const struct ns_right *g = &reg.rights[i];

		if (g->used && fy_cap_same(cap, g->token) == 1)
			return ns_prefix_covers(g->prefix, name) ? i : -EPERM;
	}
	return -EPERM;
}

/* Returns cap (ours, moved to the caller) with 0: does not return. */
static long give(cap_t cap)
{
	long r = fy_ipc_return_slots(0, 1 | IPC_RETURN_MOVE, &cap);

	fy_cap_delete(cap); /* only on failure */
	return r;
}

static long do_register(const char *name, void *shm, uint64_t badge,
			cap_t *caps, uint32_t ncaps)
{
	int w[NS_MAX_WAITERS], nw, i, with_right;
	long info, r;

	if (ncaps < 1)
		return -EINVAL;
	info = fy_cap_info(caps[0]);
	if (info < 0 || FY_CAP_INFO_TYPE(info) != OBJ_TYPE_THREAD ||
	    (FY_CAP_INFO_RIGHTS(info) & (CAP_RIGHT_CALL | CAP_RIGHT_GRANT)) !=
		    (CAP_RIGHT_CALL | CAP_RIGHT_GRANT))
		return -EINVAL;
	ns_lock();
	with_right = ncaps >= 2 && right_for(caps[1], name) >= 0;
	if (ns_name_reserved(name) && !with_right) {
		ns_unlock();
		return -EPERM;
	}
	i = ns_add(&reg, name, badge);
	if (i == -EEXIST) {
		/* Its service may have died, the signal not yet seen. */
		int old = ns_find(&reg, name);

		if (fy_cap_dead(reg.names[old].server) == 1) {
			ns_drop_locked(old, 0);
			i = ns_add(&reg, name, badge);
		}
	}
	if (i < 0) {
		ns_unlock();
		return i;
	}
	reg.names[i].server = caps[0];
	reg.names[i].conn = with_right ? 0 : (uintptr_t)shm;
	r = ns_watch_locked(i);
	if (r < 0) {
		/* No watch, no name: it would outlive its service. */
		ns_remove(&reg, i);
		ns_unlock();
		return r;
	}
	nw = ns_waiters_of(&reg, name, w);
	for (int k = 0; k < nw; k++)
		fy_notify(reg.waiters[w[k]].notif, 1);
	ns_unlock();
	/* caps[0] is the registry's now; a right was only shown. */
	for (uint32_t k = 1; k < ncaps; k++)
		fy_cap_delete(caps[k]);
	return 0;
}

/* Under the lock: a new cap to name's server, or -ENOENT. */
static long found_locked(const char *name)
{
	int i = ns_find(&reg, name);

	if (i >= 0 && fy_cap_dead(reg.names[i].server) == 1) {
		ns_drop_locked(i, 0); /* dead: its signal is on its way */
		i = -ENOENT;
	}
	if (i < 0)
		return i;
	return fy_cap_copy(reg.names[i].server,
			   CAP_RIGHT_CALL | CAP_RIGHT_GRANT);
}

static long do_lookup(const char *name, uint64_t badge, uint64_t timeout_us)
{
	uint64_t deadline, now;
	long c;
	int w;

	ns_lock();
	c = found_locked(name);
	if (c != -ENOENT || timeout_us == 0) {
		ns_unlock();
		return c < 0 ? c : give((cap_t)c);
	}
	w = ns_wait_add(&reg, name, badge);
	ns_unlock();
	if (w < 0)
		return w;
	/* Bounded: an orphaned handler (its client killed) ends by then. */
	if (timeout_us > NS_WAIT_MAX_US)
		timeout_us = NS_WAIT_MAX_US;
	now = now_us();
	deadline =
		timeout_us > UINT64_MAX - now ? UINT64_MAX : now + timeout_us;
	for (;;) {
		uint64_t bits;
		long r;

		now = now_us();
		r = now >= deadline
			    ? -ETIMEDOUT
			    : fy_notification_wait(reg.waiters[w].notif,
						   deadline - now, &bits);
		ns_lock();
		c = found_locked(name);
		if (c != -ENOENT || (r < 0 && r != -ETIMEDOUT) ||
		    (r == -ETIMEDOUT && now_us() >= deadline)) {
			ns_wait_remove(&reg, w);
			ns_unlock();
			if (c >= 0)
				return give((cap_t)c);
			return c != -ENOENT ? c : r < 0 ? r : -ETIMEDOUT;
		}
		ns_unlock();
	}
}

static long do_unregister(const char *name, uint64_t badge)
{
	int i;

	ns_lock();
	i = ns_find(&reg, name);
	if (i >= 0 && reg.names[i].owner != badge)
		i = -EPERM;
	if (i >= 0)
		ns_drop_locked(i, 1);
	ns_unlock();
	return i < 0 ? i : 0;
}

/*
 * Under the lock: the right for prefix granted from right `parent` on
 * connection conn to process `owner`, made if new (the same grant again
 * on a connection gives the same right, so repeating it does not fill
 * the table): its index, -ENOSPC (the table full, or owner holding
 * NS_MAX_RIGHTS_PROC, counted over all its connections, so one process
 * cannot take every row from the others) or -ENOMEM.
 */
static int grant_locked(const char *prefix, uintptr_t conn, int parent,
			uint64_t owner)
{
	int i, mine = 0;
	long t;

	for (i = 0; i < NS_MAX_RIGHTS; i++) {
		if (!reg.rights[i].used)
			continue;
		if (reg.rights[i].conn == conn &&
		    reg.rights[i].parent == parent &&
		    !strcmp(reg.rights[i].prefix, prefix))
			return i;
		mine += reg.rights[i].conn && reg.rights[i].owner == owner;
	}
	if (mine >= NS_MAX_RIGHTS_PROC)
		return -ENOSPC;
	i = ns_right_add(&reg, prefix, conn, parent);
	if (i < 0)
		return i;
	reg.rights[i].owner = owner;
	t = fy_notification_create();
	if (t < 0) {
		reg.rights[i].used = 0;
		return (int)t;
	}
	reg.rights[i].token = (cap_t)t;
	return i;
}

/*
 * caps[0] (ncaps is 0 or 1), the right shown, is deleted on every path;
 * on success the new right goes back and this does not return.
 */
static long do_grant(const char *prefix, void *shm, uint64_t badge, cap_t *caps,
		     uint32_t ncaps)
{
	int i = -EPERM;
	long r, c;

	ns_lock();
	if (ncaps == 1)
		i = right_for(caps[0], prefix);
	if (i >= 0)
		i = grant_locked(prefix, (uintptr_t)shm, i, badge);
	c = i >= 0 ? fy_cap_copy(reg.rights[i].token, CAP_RIGHT_GRANT) : i;
	ns_unlock();
	if (ncaps == 1)
		fy_cap_delete(caps[0]);
	if (c < 0)
		return c;
	r = give((cap_t)c);
	return r;
}

static long do_list(const struct ns_req *q, void *shm, size_t shm_size)
{
	struct ns_list_entry *out =
		(struct ns_list_entry *)((char *)shm + NS_LIST_OFF);
	uint64_t room = (shm_size - NS_LIST_OFF) / sizeof(*out);
	uint64_t want = q->len < room ? q->len : room;
	long n = 0;

	ns_lock();
	for (int i = 0; i < NS_MAX_NAMES; i++) {
		if (!reg.names[i].used)
			continue;
		if ((uint64_t)n >= q->timeout_us &&
		    (uint64_t)n - q->timeout_us < want)
			memcpy(out[n - q->timeout_us].name, reg.names[i].name,
			       NS_NAME_MAX);
		n++;
	}
	ns_unlock();
	return n;
}

static long serve(struct ipc_msg *m, uint64_t badge, uint32_t ncaps, void *shm,
		  size_t shm_size)
{
	cap_t caps[IPC_MAX_CAPS];
	char name[NS_NAME_MAX];
	struct ns_req q;
	long r;

	if (ncaps > IPC_MAX_CAPS ||
	    (ncaps && fy_ipc_received_caps(caps) != (long)ncaps))
		return -EINVAL; /* cannot happen: the kernel recorded them */
	r = -EINVAL;
	/* The request, copied once: the client may rewrite the shm. */
	if ((char *)m + sizeof(q) > (char *)shm + shm_size ||
	    shm_size < NS_SHM_MIN)
		goto out_caps;
	memcpy(&q, m, sizeof(q));
	switch (q.op) {
	case NS_REGISTER:
		r = req_name(&q, name, 0);
		if (r)
			break;
		r = do_register(name, shm, badge, caps, ncaps);
		if (r == 0)
			return 0; /* the caps are taken care of */
		break;
	case NS_LOOKUP:
		r = req_name(&q, name, 0);
		if (!r && !ncaps)
			return do_lookup(name, badge, q.timeout_us);
		break;
	case NS_UNREGISTER:
		r = req_name(&q, name, 0);
		if (!r && !ncaps)
			return do_unregister(name, badge);
		break;
	case NS_GRANT:
		r = req_name(&q, name, 1);
		if (r)
			break;
		if (ncaps > 1)
			break;
		r = do_grant(name, shm, badge, caps, ncaps);
		/* A grant returns only on failure, its caps[0] deleted. */
		return r;
	case NS_LIST:
		if (!ncaps)
			return do_list(&q, shm, shm_size);
		break;
	}
out_caps:
	for (uint32_t i = 0; i < ncaps; i++)
		fy_cap_delete(caps[i]);
	return r;
}

/* A connection closed: the rights granted on it (and from them) go. */
static void closed(uint64_t badge, void *shm)
{
	int32_t tokens[NS_MAX_RIGHTS];
	int n, k;

	(void)badge;
	ns_lock();
	n = ns_rights_revoke(&reg, (uintptr_t)shm, tokens);
	/*
	 * Names registered here without a right: a process must not fill
	 * the table for good by registering names for a thread that never
	 * dies (another server's) and exiting (docs/naming.md).
	 */
	for (int i = 0; i < NS_MAX_NAMES; i++)
		if (reg.names[i].used && reg.names[i].conn == (uintptr_t)shm)
			ns_drop_locked(i,
				       fy_cap_dead(reg.names[i].server) != 1);
	ns_unlock();
	for (k = 0; k < n; k++)
		fy_cap_delete(tokens[k]);
}

int main(void)
{
	struct ipc_serve_config cfg = {
		.caps_handler = serve,
		.shm_destructor = closed,
		.max_conns = MAX_CONNS,
		.flags = IPC_SERVE_PREFAULT,
		.stack_size = HANDLER_STACK,
	};
	long n, g;

	/* Every page of the tables now, not at a later test's first use. */
	memset((void *)&reg, 0, sizeof(reg));
	/*
	 * Our cap table at its largest now: it grows by doubling and never
	 * shrinks, and what clients make us hold (connections, rights in
	 * flight) would otherwise grow it during someone's leak check.
	 */
	if (fy_cap_transfer(CAP_SELF_GROUP, CAP_SELF_MAIN_THREAD, CAP_RIGHT_ALL,
			    CAP_TABLE_MAX - 1) >= 0)
		fy_cap_delete(CAP_TABLE_MAX - 1);
	for (int i = 0; i < NS_MAX_NAMES; i++)
		reg.names[i].server = -1;
	for (int i = 0; i < NS_MAX_RIGHTS; i++)
		reg.rights[i].token = -1;
	g = ns_right_add(&reg, "", 0, -1);
	reg.rights[g].token = NS_ROOT_SLOT;
	for (int i = 0; i < NS_MAX_WAITERS; i++) {
		n = fy_notification_create();
		if (n < 0)
			return 1;
		reg.waiters[i].notif = (cap_t)n;
	}
	n = fy_notification_create();
	if (n < 0)
		return 1;
	ns_death_notif = (cap_t)n;
	if (ipc_serve_with(&cfg) < 0)
		return 1;
	ipc_serve_fill_pool(CAP_SELF_MAIN_THREAD, NS_SHM_MIN);
	ns_reap_forever();
}
