/*
 * libferry's spawn: programs start through procmgr (proto/procmgr.h,
 * docs/process.md). The connection is made at the first spawn, to the
 * server named "procmgr" in our initial capabilities (init, which has
 * none, names it with fy_procmgr_use), and kept for the process's life;
 * one spawn at a time goes through it (a lock: its shm holds one
 * request).
 *
 * The caller's strings and vectors are copied into the shm with
 * SYS_pmo_write on the shm's PMO, which checks the source as a system
 * call's argument: a bad pointer is -EFAULT here, as it was for the
 * kernel's SYS_spawn, never a fault of ours. Copies never cross a page
 * of the source, so a string that ends just before an unmapped page is
 * read as far as it goes.
 *
 * Raw system calls only: a thread made with fy_thread_create shares the
 * main thread's TLS, so libc's errno is not ours to touch.
 */
#include <stdatomic.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>

#include <ferry/initcaps.h>
#include <ferry/ipc.h>
#include <ferry/lock.h>
#include <uapi/ferry/proto/procmgr.h>

#define PAGE 4096ul
/* Room at the end of the shm for reading one pointer safely. */
#define SCRATCH (PROCMGR_SHM_MIN - 8)
#define DATA_OFF ((uint32_t)sizeof(struct ipc_msg))
#define STR_OFF (DATA_OFF + (uint32_t)sizeof(struct procmgr_spawn_req))

static struct ipc_conn conn = {.cap = -1};
static cap_t server = -1;
static atomic_int busy;

void fy_procmgr_use(cap_t server_thread)
{
	server = server_thread;
}

static void lock(void)
{
	fy_lock(&busy);
}

static void unlock(void)
{
	fy_unlock(&busy);
}

/* Under the lock: the connection, made the first time. */
static long connected(void)
{
	if (conn.cap >= 0)
		return 0;
	if (server < 0)
		server = fy_initial_cap("procmgr");
	if (server < 0)
		return -ENOSYS; /* nobody to spawn through */
	/*
	 * Every page of the shm now: a later request that reaches a page
	 * first (a long one, the pointer scratch at the end) must not grow
	 * us then (init's leak check counts init's frames too).
	 */
	return ipc_connect_touched(server, PROCMGR_SHM_MIN, &conn);
}

/* Copies len bytes from src to shm offset `at`: 0 or -EFAULT. */
static long put(uint32_t at, const void *src, size_t len)
{
	if (!len)
		return 0;
	return fy_pmo_write(conn.shm_cap, at, src, len) ? -EFAULT : 0;
}

/*
 * Copies the string s to shm offset *at, at most max bytes with its
 * NUL; *at moves past it. Its length, -EFAULT, or `toolong` if it does
 * not end within max bytes or the shm.
 *
 * The first copy is FIRST_CHUNK bytes, each next one twice the last (up
 * to the source's page end): a short string costs one small copy and
 * one short memchr, where copying to the page's end cost a spawn of one
 * path and one argument 21,000 instructions (docs/process.md, Figures).
 */
#define FIRST_CHUNK 64ul
static long put_str(uint32_t *at, const char *s, size_t max, long toolong)
{
	size_t done = 0, want = FIRST_CHUNK;

	if (*at + max > SCRATCH)
		max = SCRATCH - *at;
	for (;;) {
		size_t chunk = PAGE - ((uintptr_t)(s + done) & (PAGE - 1));
		const char *nul;

		if (chunk > want)
			chunk = want;
		if (chunk > max - done)
			chunk = max - done;
		if (!chunk)
			return toolong;
		if (put(*at + (uint32_t)done, s + done, chunk))
			return -EFAULT;
		nul = memchr((char *)conn.shm + *at + done, 0, chunk);
		if (nul) {
			size_t len = (size_t)(nul - ((char *)conn.shm + *at));

			*at += (uint32_t)len + 1;
			return (long)len;
		}
		done += chunk;
		if (want < PAGE)
			want *= 2;
	}
}

/* v[i], read safely: 0 and *out, or -EFAULT. */
static long get_ptr(const char *const *v, size_t i, const char **out)
{
	if (put(SCRATCH, &v[i], sizeof(*out)))
		return -EFAULT;
	memcpy(out, (char *)conn.shm + SCRATCH, sizeof(*out));
	return 0;
}

/*
 * Copies a NULL-terminated vector's strings: their count, -EFAULT, or
 * -E2BIG past `*left` entries or `*bytes` bytes (both counted down).
 */
static long put_vec(uint32_t *at, const char *const *v, long *left, long *bytes)
{
	long n = 0;

	if (!v)
		return 0;
	for (;;) {
		const char *s;
		long len;

		if (get_ptr(v, (size_t)n, &s))
			return -EFAULT;
		if (!s)
			return n;
		if (--*left < 0)
			return -E2BIG;
		len = put_str(at, s, (size_t)*bytes, -E2BIG);
		if (len < 0)
			return len;
		*bytes -= len + 1;
		n++;
	}
}

static long spawn_locked(const char *path, const char *const *argv,
			 const char *const *envp, const struct fy_spawn_attr *a)
{
	struct procmgr_spawn_req req = {.op = PROCMGR_SPAWN};
	uint32_t at = STR_OFF, slots;
	long left = SPAWN_MAX_ARGS, bytes = SPAWN_MAX_STRINGS, r;
	struct ipc_msg *m;

	r = connected();
	if (r < 0)
		return r;
	if (a->ncaps > PROCMGR_MAX_CAPS)
		return -E2BIG;
	if ((a->prio != SPAWN_SCHED_DEFAULT &&
	     (a->prio < 0 || a->prio > 255)) ||
	    (a->mcp != SPAWN_SCHED_DEFAULT && (a->mcp < 0 || a->mcp > 255)))
		return -EINVAL;
	r = put_str(&at, path, PATH_MAX_FERRY, -ENAMETOOLONG);
	if (r < 0)
		return r;
	r = put_vec(&at, argv, &left, &bytes);
	if (r < 0)
		return r;
	req.argc = (uint32_t)r;
	r = put_vec(&at, envp, &left, &bytes);
	if (r < 0)
		return r;
	req.envc = (uint32_t)r;
	for (unsigned i = 0; i < a->ncaps; i++) {
		r = put_str(&at, a->names[i], INITCAP_NAME_MAX, -ENAMETOOLONG);
		if (r < 0)
			return r;
	}
	req.flags = a->flags;
	req.prio = (int32_t)a->prio;
	req.mcp = (int32_t)a->mcp;
	req.budget_pages = a->budget_pages;
	if (!req.budget_pages) {
		/* As a process the kernel made: our own limit. */
		struct proc_budget b;

		if (fy_proc_budget(CAP_SELF_GROUP, &b) == 0)
			req.budget_pages = b.limit_pages;
	}
	req.ncaps = a->ncaps;
	req.strings_len = at - STR_OFF;
	slots = a->ncaps ? a->ncaps : 1;
	m = ipc_msg_init(&conn, at - DATA_OFF, slots);
	if (!m)
		return -E2BIG;
	memcpy(ipc_msg_data(m), &req, sizeof(req));
	for (unsigned i = 0; i < a->ncaps; i++)
		ipc_msg_caps(m)[i] = a->caps[i];
	r = ipc_call(&conn, m, a->ncaps);
	if (r <= 0)
		return r ? r : -EIO;
	return ipc_msg_caps(m)[0];
}

long fy_spawn_caps(const char *path, const char *const *argv,
		   const char *const *envp, const struct fy_spawn_attr *attr)
{
	static const struct fy_spawn_attr none = {.prio = SPAWN_SCHED_DEFAULT,
						  .mcp = SPAWN_SCHED_DEFAULT};
	long r;

	lock();
	r = spawn_locked(path, argv, envp, attr ? attr : &none);
	unlock();
	return r;
}

long fy_spawn_sched(const char *path, const char *const *argv,
		    const char *const *envp, long prio, long mcp)
{
	struct fy_spawn_attr a = {.prio = prio, .mcp = mcp};

	return fy_spawn_caps(path, argv, envp, &a);
}

long fy_spawn(const char *path, const char *const *argv,
	      const char *const *envp)
{
	return fy_spawn_sched(path, argv, envp, SPAWN_SCHED_DEFAULT,
			      SPAWN_SCHED_DEFAULT);
}

long fy_proc_list(struct procmgr_proc_info *out, size_t max)
{
	struct procmgr_list_req req = {.op = PROCMGR_LIST};
	struct ipc_msg *m;
	size_t room;
	long r;

	lock();
	r = connected();
	if (r < 0)
		goto out;
	room = (conn.shm_size - PROCMGR_LIST_OFF) / sizeof(*out);
	req.max = (uint32_t)(max < room ? max : room);
	m = ipc_msg_init(&conn, sizeof(req), 0);
	memcpy(ipc_msg_data(m), &req, sizeof(req));
	r = ipc_call(&conn, m, 0);
	if (r > 0)
		memcpy(out, (char *)conn.shm + PROCMGR_LIST_OFF,
		       (size_t)(r < (long)req.max ? r : (long)req.max) *
			       sizeof(*out));
out:
	unlock();
	return r;
}

long fy_procmgr_init_with(cap_t fs_server, cap_t ns_server)
{
	uint32_t op = PROCMGR_INIT;
	unsigned n = ns_server >= 0 ? 2 : 1;
	struct ipc_msg *m;
	long r;

	lock();
	r = connected();
	if (r >= 0) {
		m = ipc_msg_init(&conn, sizeof(op), 2);
		memcpy(ipc_msg_data(m), &op, sizeof(op));
		ipc_msg_caps(m)[0] = fs_server;
		ipc_msg_caps(m)[1] = ns_server;
		r = ipc_call(&conn, m, n);
	}
	unlock();
	return r;
}

long fy_procmgr_init(cap_t fs_server)
{
	return fy_procmgr_init_with(fs_server, -1);
}
