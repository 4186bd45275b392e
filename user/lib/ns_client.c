/*
 * The name server's client (ferry/ns.h, proto/ns.h, docs/naming.md).
 * One cached connection, made at the first call to the initial
 * capability "nameserver" and kept for the process's life; a lock lets
 * one call at a time use its shm. A lookup that must wait first asks
 * without waiting on the cached connection (the common case: the name
 * is there), then waits on a connection of its own, so the cached one
 * stays free for the other threads of the process (one of them may be
 * about to register the name). Raw system calls only: threads made with
 * fy_thread_create share the main thread's TLS.
 */
#include <stdatomic.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>

#include <ferry/initcaps.h>
#include <ferry/lock.h>
#include <ferry/ns.h>

static struct ipc_conn conn = {.cap = -1};
static cap_t server = -1;
static cap_t right = -2; /* -2: not looked up yet */
static atomic_int busy;

void fy_ns_use(cap_t srv, cap_t r)
{
	server = srv;
	right = r;
}

cap_t fy_ns_right(void)
{
	if (right == -2) {
		long r = fy_initial_cap("nsright");

		right = r < 0 ? -1 : (cap_t)r;
	}
	return right;
}

static void lock(void)
{
	fy_lock(&busy);
}

static void unlock(void)
{
	fy_unlock(&busy);
}

static cap_t ns_server(void)
{
	if (server < 0) {
		long s = fy_initial_cap("nameserver");

		server = s < 0 ? -1 : (cap_t)s;
	}
	return server;
}

/* Under the lock: the cached connection, made the first time. */
static long connected(void)
{
	if (conn.cap >= 0)
		return 0;
	if (ns_server() < 0)
		return -ENOSYS;
	return ipc_connect_touched(server, NS_SHM_MIN, &conn);
}

/* Monotonic microseconds (raw: no errno). */
static uint64_t now_us(void)
{
	struct timespec ts = {0};

	fy_syscall2(SYS_clock_gettime, CLOCK_MONOTONIC, (long)&ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/* Checks name's length only: the server checks its bytes. */
static long name_len(const char *name, size_t *len)
{
	*len = strnlen(name, NS_NAME_MAX);
	return *len >= NS_NAME_MAX ? -ENAMETOOLONG : 0;
}

/*
 * One call on c: op with name, timeout and the caps (up to 2); the
 * server's answer, and its returned cap in *out (if out).
 */
static long call(struct ipc_conn *c, uint32_t op, const char *name, size_t len,
		 uint64_t timeout_us, const cap_t *caps, unsigned ncaps,
		 long *out)
{
	struct ipc_msg *m;
	struct ns_req *q;
	long r;

	m = ipc_msg_init(c, sizeof(*q) - sizeof(*m), 2);
	if (!m)
		return -EINVAL;
	q = (struct ns_req *)m;
	q->op = op;
	q->len = (uint32_t)len;
	q->timeout_us = timeout_us;
	memset(q->name, 0, sizeof(q->name));
	if (name && len)
		memcpy(q->name, name, len);
	for (unsigned i = 0; i < ncaps; i++)
		ipc_msg_caps(m)[i] = caps[i];
	r = ipc_call(c, m, ncaps);
	if (r == 0 && out)
		*out = ipc_msg_caps(m)[0];
	return r;
}

/* call() on the cached connection, under the lock. */
static long call_cached(uint32_t op, const char *name, size_t len,
			uint64_t timeout_us, const cap_t *caps, unsigned ncaps,
			long *out)
{
	long r;

	lock();
	r = connected();
	if (!r)
		r = call(&conn, op, name, len, timeout_us, caps, ncaps, out);
	unlock();
	return r;
}

long fy_ns_register_with(const char *name, cap_t srv, cap_t r)
{
	cap_t caps[2] = {srv, r};
	size_t len;
	long e = name_len(name, &len);

	if (e)
		return e;
	return call_cached(NS_REGISTER, name, len, 0, caps, r >= 0 ? 2 : 1,
			   NULL);
}

long fy_ns_register(const char *name, long server_cap)
{
	return fy_ns_register_with(name, (cap_t)server_cap, fy_ns_right());
}

long fy_ns_lookup(const char *name, uint64_t timeout_us)
{
	struct ipc_conn own;
	uint64_t deadline;
	long r, cap = -1;
	size_t len;

	r = name_len(name, &len);
	if (r)
		return r;
	r = call_cached(NS_LOOKUP, name, len, 0, NULL, 0, &cap);
	if (r != -ENOENT || timeout_us == 0)
		return r ? r : cap;
	/* Not there yet: wait on a connection of our own. */
	if (ns_server() < 0)
		return -ENOSYS;
	r = ipc_connect(server, NS_SHM_MIN, &own);
	if (r < 0)
		return r;
	/* The server waits NS_WAIT_MAX_US at most per call: ask again. */
	deadline = now_us();
	deadline = timeout_us > UINT64_MAX - deadline ? UINT64_MAX
						      : deadline + timeout_us;
	do {
		uint64_t now = now_us(),
			 left = deadline > now ? deadline - now : 1;

		r = call(&own, NS_LOOKUP, name, len, left, NULL, 0, &cap);
	} while (r == -ETIMEDOUT && now_us() < deadline);
	ipc_close(&own);
	return r ? r : cap;
}

long fy_ns_unregister(const char *name)
{
	size_t len;
	long e = name_len(name, &len);

	if (e)
		return e;
	return call_cached(NS_UNREGISTER, name, len, 0, NULL, 0, NULL);
}

long fy_ns_grant_from(cap_t r, const char *prefix)
{
	long cap = -1, e;
	size_t len;

	e = name_len(prefix, &len);
	if (e)
		return e;
	if (r < 0)
		return -EPERM;
	e = call_cached(NS_GRANT, prefix, len, 0, &r, 1, &cap);
	return e ? e : cap;
}

long fy_ns_grant(const char *prefix)
{
	return fy_ns_grant_from(fy_ns_right(), prefix);
}

long fy_ns_list(unsigned start, struct ns_list_entry *out, unsigned max)
{
	long r;

	lock();
	r = connected();
	if (!r) {
		unsigned room = (unsigned)((conn.shm_size - NS_LIST_OFF) /
					   sizeof(struct ns_list_entry));

		if (max > room)
			max = room;
		/* No name: len is the count of entries wanted. */
		r = call(&conn, NS_LIST, NULL, max, start, NULL, 0, NULL);
		if (r > (long)start) {
			unsigned n = (unsigned)r - start;

			if (n > max)
				n = max;
			memcpy(out, (char *)conn.shm + NS_LIST_OFF,
			       n * sizeof(*out));
		}
	}
	unlock();
	return r;
}

long fy_ns_disconnect(void)
{
	long r = 0;

	lock();
	if (conn.cap >= 0)
		r = ipc_close(&conn);
	conn.cap = -1;
	unlock();
	return r;
}
