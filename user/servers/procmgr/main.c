/*
 * procmgr: the process manager (docs/process.md; protocol in
 * proto/procmgr.h). init starts it, connects, and hands it the file
 * server with PROCMGR_INIT; from then on it spawns every program.
 *
 * Two servers: the main thread serves PROCMGR_* (init fetches it from
 * slot 2), a second thread the pager (pager.c), which only our own
 * per-child connections reach. Both keep a handler per connection.
 * Start-up fills both servers' pools of idle handlers (IPC_SERVE_POOL)
 * by opening and closing that many connections, and touches every
 * table, so procmgr's frames stay put from one test to the next
 * (init's leak check).
 */
#include <string.h>
#include <sys/syscall.h>
#include <time.h>

#include <uapi/ferry/proto/pager.h>

#include "procmgr.h"

cap_t pm_fs_server = -1;
cap_t pm_self_server = -1;
cap_t pm_pager_server = -1;
cap_t pm_ns_server = -1;
uint64_t pm_budget_max;
uint64_t pm_privileged_badge;
struct pm_pool pm_fs_pool = {.server = -1, .shm = 8192};
struct pm_pool pm_pager_pool = {.server = -1, .shm = PAGER_SHM_MIN};
static atomic_int inited;
static _Alignas(16) char pager_thread_stack[16384];

#define SPAWN_STACK 65536
#define PAGER_STACK 16384

/*
 * init restarted the file server: programs are read through the new one
 * from now on. The idle connections to the old one go; a live child's
 * own connection to it fails at its next read (its pager refuses, as
 * for any read that fails). Pages already in the images stay valid: the
 * initrd is the same.
 */
static void pm_fs_replace(cap_t server)
{
	struct ipc_conn idle[PM_POOL_IDLE];
	cap_t old;
	int n;

	pm_lock();
	old = pm_fs_server;
	pm_fs_server = pm_fs_pool.server = server;
	n = pm_fs_pool.n;
	for (int i = 0; i < n; i++)
		idle[i] = pm_fs_pool.idle[i];
	pm_fs_pool.n = 0;
	pm_unlock();
	for (int i = 0; i < n; i++)
		ipc_close(&idle[i]);
	fy_cap_delete(old);
	pm_pool_fill(&pm_fs_pool, pm_file_warm);
}

static long serve(struct ipc_msg *m, uint64_t badge, uint32_t ncaps, void *shm,
		  size_t shm_size)
{
	cap_t caps[IPC_MAX_CAPS];
	struct ipc_msg hdr = *m;
	uint64_t room = (const char *)shm + shm_size - (const char *)m;
	uint32_t op;
	long r = -EINVAL;

	/*
	 * The slots, from the kernel: the copy in the shm is the client's
	 * to rewrite while we run, to name a slot holding a cap we keep for
	 * someone else (a cached image's PMO, another client's caps in
	 * flight), which we would then pass into its child.
	 */
	if (ncaps > IPC_MAX_CAPS ||
	    (ncaps && fy_ipc_received_caps(caps) != (long)ncaps))
		return -EINVAL; /* cannot happen: the kernel recorded them */
	for (uint32_t i = 0; i < ncaps; i++)
		if (pm_slot_owned(caps[i]))
			return -EINVAL; /* cannot happen either: kept as a net
					 */
	if ((uint64_t)hdr.data_offset + sizeof(op) > room ||
	    hdr.data_len < sizeof(op))
		goto out_caps;
	memcpy(&op, (const char *)m + hdr.data_offset, sizeof(op));
	switch (op) {
	case PROCMGR_SPAWN:
		if (!atomic_load(&inited)) {
			r = -EAGAIN; /* no file server yet */
			break;
		}
		return pm_spawn(m, shm, shm_size, caps, ncaps,
				atomic_load(&inited) &&
					badge == pm_privileged_badge,
				badge);
	case PROCMGR_LIST: {
		struct procmgr_list_req lr;

		if ((uint64_t)hdr.data_offset + sizeof(lr) > room ||
		    hdr.data_len < sizeof(lr) || ncaps)
			break;
		memcpy(&lr, (const char *)m + hdr.data_offset, sizeof(lr));
		if ((const char *)m + PROCMGR_LIST_OFF +
			    sizeof(struct procmgr_proc_info) >
		    (const char *)shm + shm_size)
			break;
		return pm_list(m, (const char *)shm + shm_size, &lr);
	}
	case PROCMGR_INIT:
		if (ncaps != 1 && ncaps != 2)
			break;
		if (atomic_exchange(&inited, 1)) {
			/* Again, from init: a new file server (restarted). */
			if (badge != pm_privileged_badge) {
				r = -EPERM;
				break;
			}
			if (ncaps == 2)
				fy_cap_delete(caps[1]); /* keeps the first */
			pm_fs_replace(caps[0]);
			return 0;
		}
		/* The name server, if init has one: every child's too. */
		if (ncaps == 2)
			pm_ns_server = caps[1];
		pm_fs_server = pm_fs_pool.server = caps[0];
		pm_privileged_badge = badge;
		/* On init's context: its spawns wait for this anyway. */
		pm_pool_fill(&pm_fs_pool, pm_file_warm);
		return 0;
	}
out_caps:
	for (uint32_t i = 0; i < ncaps; i++)
		fy_cap_delete(caps[i]);
	return r;
}

/* A client's connection ends: what it kept goes (image.c). */
static void closed(uint64_t badge)
{
	pm_image_forget(badge);
}

static long pager(struct ipc_msg *m, uint64_t badge)
{
	return pm_pager_fault(m, badge);
}

static _Noreturn void idle(void)
{
	for (;;)
		nanosleep(&(struct timespec){3600, 0}, NULL);
}

static void pager_main(void *arg)
{
	struct ipc_serve_config cfg = {
		.handler = pager,
		.max_conns = PM_MAX_CHILDREN + IPC_SERVE_POOL + 1,
		.flags = IPC_SERVE_PREFAULT,
		.stack_size = PAGER_STACK,
	};

	*(volatile long *)arg = ipc_serve_with(&cfg);
	for (;;)
		fy_syscall2(SYS_nanosleep, (long)&(struct timespec){3600, 0},
			    0);
}

int main(void)
{
	struct ipc_serve_config cfg = {
		.caps_handler = serve,
		.destructor = closed,
		.max_conns = 256,
		.flags = IPC_SERVE_PREFAULT,
		.stack_size = SPAWN_STACK,
	};
	volatile long pager_ok = 1;
	struct proc_info self;
	long t;

	pm_child_init();
	pm_image_init();
	/* Children get at most what we have (no budget: a fixed cap). */
	pm_budget_max = 1ul << 20; /* 4 GiB of pages: the machine's limit */
	if (fy_proc_info(CAP_SELF_GROUP, &self) == 0 && self.mem_budget_pages)
		pm_budget_max = self.mem_budget_pages;
	t = fy_thread_create(CAP_SELF_GROUP, pager_main,
			     pager_thread_stack + sizeof(pager_thread_stack),
			     (void *)&pager_ok, 0);
	if (t < 0)
		return 1;
	pm_pager_server = (cap_t)t;
	while (pager_ok == 1)
		fy_yield();
	if (pager_ok < 0)
		return 1;
	pm_self_server = (cap_t)fy_cap_copy(CAP_SELF_MAIN_THREAD,
					    CAP_RIGHT_CALL | CAP_RIGHT_GRANT);
	if (ipc_serve_with(&cfg) < 0)
		return 1;
	ipc_serve_fill_pool(pm_pager_server, PAGER_SHM_MIN);
	ipc_serve_fill_pool(pm_self_server, PROCMGR_SHM_MIN);
	pm_pager_pool.server = pm_pager_server;
	pm_pool_fill(&pm_pager_pool, NULL);
	idle();
}
