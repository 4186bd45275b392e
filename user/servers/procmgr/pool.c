/*
 * Pools of open connections: procmgr's to the file server and to its
 * own pager, one of each per child. Opening a connection makes the
 * server a handler and closing one ends in that handler's exit routine,
 * which runs later on a context of its own at PRIO_DEFAULT: with a
 * connection opened and closed per spawn, closes still pending piled up
 * against the server's limit of connections (-ECONNREFUSED under 500
 * spawns in a row) and every spawn paid two registrations. So a child's
 * connections come from a pool and go back to it when it is reaped:
 * PM_POOL_IDLE stay open (made at start-up, so procmgr's frame count
 * does not move under init's leak check), more are made when more
 * children live at once and closed when they go.
 */
#include "procmgr.h"

long pm_pool_get(struct pm_pool *p, struct ipc_conn *out)
{
	long r;

	pm_lock();
	if (p->n > 0) {
		*out = p->idle[--p->n];
		pm_unlock();
		return 0;
	}
	pm_unlock();
	r = ipc_connect(p->server, p->shm, out);
	if (r < 0)
		out->cap = -1;
	return r;
}

void pm_pool_put(struct pm_pool *p, struct ipc_conn *c, int broken)
{
	if (c->cap < 0)
		return;
	pm_lock();
	if (!broken && p->n < PM_POOL_IDLE) {
		p->idle[p->n++] = *c;
		pm_unlock();
		c->cap = -1;
		return;
	}
	pm_unlock();
	ipc_close(c);
	c->cap = -1;
}

/*
 * Fills a pool at start-up. Each connection's shm is touched whole and
 * `warm` (may be NULL) runs the calls it will carry once, so the
 * frames they need (the shm's, the server handler's stack) are taken
 * now, not under a test's leak check.
 */
void pm_pool_fill(struct pm_pool *p, void (*warm)(struct ipc_conn *))
{
	struct ipc_conn c;

	while (p->n < PM_POOL_IDLE && ipc_connect(p->server, p->shm, &c) == 0) {
		for (size_t off = 0; off < c.shm_size; off += PM_PAGE)
			((volatile char *)c.shm)[off] = 0;
		if (warm)
			warm(&c);
		pm_pool_put(p, &c, 0);
	}
}

/* Is slot one of a pool's idle connections or their shms? */
int pm_pool_owns(struct pm_pool *p, cap_t slot)
{
	for (int i = 0; i < p->n; i++)
		if (p->idle[i].cap == slot || p->idle[i].shm_cap == slot)
			return 1;
	return 0;
}
