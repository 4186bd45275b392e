/* The client side of libferry's IPC: connect, build messages, call. */
#include <ferry/ipc.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>

/*
 * A shm's address: a free range the kernel picks (so ranges, and the
 * page tables under them, are reused: a counter that only grew cost a
 * page-table page per 256 connections), left as a hole for
 * register_client to map the shm into, with a guard page below that
 * catches underruns. Raw system calls: a thread made with
 * fy_thread_create has no TLS for libc's errno. 0 if there is no room.
 */
#define GUARD 4096ul

static uintptr_t take_range(size_t size)
{
	long a = fy_syscall6(SYS_mmap, 0, (long)(GUARD + size), PROT_NONE,
			     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (a < 0)
		return 0;
	fy_syscall2(SYS_munmap, a + (long)GUARD, (long)size);
	return (uintptr_t)a + GUARD;
}

/* Ends the shm's mapping (if made) and its guard. */
static void give_range(void *shm, size_t size)
{
	fy_syscall2(SYS_munmap, (long)shm - (long)GUARD, (long)(GUARD + size));
}

long ipc_connect(cap_t server, size_t shm_size, struct ipc_conn *out)
{
	struct ipc_shm_config cfg = {0};
	long pmo, r;

	shm_size = (shm_size + 4095) & ~(size_t)4095;
	if (shm_size == 0)
		shm_size = 4096;
	pmo = fy_pmo_create(shm_size, PMO_ANONYMOUS);
	if (pmo < 0)
		return pmo;
	cfg.shm_cap = (cap_t)pmo;
	cfg.shm_addr = take_range(shm_size);
	if (!cfg.shm_addr) {
		fy_cap_delete((cap_t)pmo);
		return -ENOMEM;
	}
	/*
	 * A callback busy with someone else is waited for in the kernel;
	 * -EIPCRETRY means the server thread has not registered yet, with
	 * nothing to wait on: sleep a tick and ask again, not spin.
	 */
	while ((r = fy_register_client(server, &cfg)) == -EIPCRETRY)
		fy_syscall2(SYS_nanosleep,
			    (long)&(struct timespec){0, 10000000}, 0);
	if (r < 0) {
		/* The kernel maps the shm before the server may refuse. */
		give_range((void *)cfg.shm_addr, shm_size);
		fy_cap_delete((cap_t)pmo);
		return r;
	}
	out->cap = (cap_t)r;
	out->shm_cap = (cap_t)pmo;
	out->shm = (void *)cfg.shm_addr;
	out->shm_size = shm_size;
	return 0;
}

long ipc_connect_touched(cap_t server, size_t shm_size, struct ipc_conn *out)
{
	long r = ipc_connect(server, shm_size, out);

	if (r < 0) {
		out->cap = -1;
		return r;
	}
	for (size_t off = 0; off < out->shm_size; off += 4096)
		((volatile char *)out->shm)[off] = 0;
	return 0;
}

void ipc_serve_fill_pool(cap_t server, size_t shm_size)
{
	struct ipc_conn c[IPC_SERVE_POOL + 1];

	for (int i = 0; i <= IPC_SERVE_POOL; i++)
		if (ipc_connect(server, shm_size, &c[i]))
			c[i].cap = -1;
	for (int i = 0; i <= IPC_SERVE_POOL; i++)
		if (c[i].cap >= 0)
			ipc_close(&c[i]);
}

long ipc_close(struct ipc_conn *c)
{
	long r;

	/* The kernel waits for a call another of our threads has on it. */
	r = fy_ipc_close(c->cap);
	give_range(c->shm, c->shm_size);
	fy_cap_delete(c->shm_cap);
	c->cap = c->shm_cap = -1;
	c->shm = NULL;
	return r;
}

struct ipc_msg *ipc_msg_init(struct ipc_conn *c, uint32_t data_len,
			     uint32_t cap_slots)
{
	struct ipc_msg *m = c->shm;
	uint64_t caps = (sizeof(*m) + (uint64_t)data_len + 3) & ~3ull;

	if (caps + (uint64_t)cap_slots * sizeof(cap_t) > c->shm_size)
		return NULL;
	m->data_len = data_len;
	m->data_offset = sizeof(*m);
	m->cap_offset = (uint32_t)caps;
	m->cap_slots = cap_slots;
	return m;
}

/*
 * A busy connection or handler is waited for in the kernel, best
 * priority first, the deadline covering the wait (docs/ipc.md): nothing
 * to retry here.
 */
long ipc_call_timeout(struct ipc_conn *c, struct ipc_msg *m, unsigned ncaps,
		      uint64_t timeout_us)
{
	return fy_ipc_call(c->cap, m, ncaps, timeout_us);
}
