/* The client side of libferry's IPC: connect, build messages, call. */
#include <ferry/ipc.h>
#include <stdatomic.h>
#include <time.h>

/* Client shms get addresses from a range no other mapping uses. */
#define CLIENT_SHM_BASE 0x380000000000ul
static _Atomic uintptr_t next_shm = CLIENT_SHM_BASE;

static uintptr_t take_range(size_t size)
{
	/* A guard page between shms catches overruns. */
	return atomic_fetch_add(&next_shm, size + 4096);
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
	/*
	 * A callback busy with someone else is waited for in the kernel;
	 * -EIPCRETRY means the server thread has not registered yet, with
	 * nothing to wait on: sleep a tick and ask again, not spin.
	 */
	while ((r = fy_register_client(server, &cfg)) == -EIPCRETRY)
		nanosleep(&(struct timespec){0, 10000000}, NULL);
	if (r < 0) {
		/* The kernel maps the shm before the server may refuse. */
		fy_pmo_unmap(CAP_SELF_GROUP, cfg.shm_addr);
		fy_cap_delete((cap_t)pmo);
		return r;
	}
	out->cap = (cap_t)r;
	out->shm_cap = (cap_t)pmo;
	out->shm = (void *)cfg.shm_addr;
	out->shm_size = shm_size;
	return 0;
}

long ipc_close(struct ipc_conn *c)
{
	long r;

	/* The kernel waits for a call another of our threads has on it. */
	r = fy_ipc_close(c->cap);
	fy_pmo_unmap(CAP_SELF_GROUP, (uintptr_t)c->shm);
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

/* The common case, kept short: it is part of every round trip. */
long ipc_call(struct ipc_conn *c, struct ipc_msg *m, unsigned ncaps)
{
	return fy_ipc_call(c->cap, m, ncaps, 0);
}
