/*
 * procmgr's children: the table, their reapers, PROCMGR_LIST.
 *
 * Reaping: every child has a reaper thread of ours, blocked in
 * SYS_proc_wait on our own cap of it. It wakes as soon as the child has
 * ended (the kernel wakes every waiter: ours and the spawner's), and
 * releases what we held for it: the pager connection (the kernel drops
 * the regions' references with the child's vmspace; our close ends the
 * handler's side), its file and file-server connection, its image
 * reference (the last one frees the image's PMOs and so its frames),
 * then our cap of the child, and ends. One thread per child costs a
 * kernel thread and a stack while the child lives, and needs no kernel
 * support beyond proc_wait; the reaper runs at procmgr's priority
 * (PRIO_MAX, as init starts it), so it runs before anything else once
 * the child is gone.
 *
 * Reaper threads run without TLS (they share the main thread's FS base):
 * raw system calls and libferry only, never libc's errno.
 */
#include <string.h>
#include <sys/syscall.h>
#include <time.h>

#include <ferry/lock.h>

#include "procmgr.h"

struct pm_child pm_children[PM_MAX_CHILDREN];
static _Alignas(16) char reaper_stacks[PM_MAX_CHILDREN][PM_REAPER_STACK];
static atomic_int lock_word;

void pm_lock(void)
{
	fy_lock(&lock_word);
}

void pm_unlock(void)
{
	fy_unlock(&lock_word);
}

/* Touches the tables now: their pages must not appear under a test. */
void pm_child_init(void)
{
	memset(pm_children, 0, sizeof(pm_children));
	memset(reaper_stacks, 0, sizeof(reaper_stacks));
	for (int i = 0; i < PM_MAX_CHILDREN; i++) {
		pm_children[i].group = pm_children[i].reaper = -1;
		pm_children[i].pager.cap = pm_children[i].file.conn.cap = -1;
	}
}

struct pm_child *pm_child_alloc(void)
{
	struct pm_child *c = NULL;

	pm_lock();
	for (int i = 0; i < PM_MAX_CHILDREN; i++)
		if (pm_children[i].state == PM_FREE) {
			c = &pm_children[i];
			c->state = PM_BUILDING;
			c->gen++;
			break;
		}
	pm_unlock();
	if (c) {
		c->pid = 0;
		c->group = c->reaper = -1;
		c->pager.cap = c->file.conn.cap = -1;
		c->img = NULL;
		c->budget = 0;
		c->name[0] = 0;
	}
	return c;
}

/* Releases everything an entry holds (not the entry itself). */
static void release(struct pm_child *c)
{
	/* The child's regions went with it: the connection is free. */
	pm_pool_put(&pm_pager_pool, &c->pager, 0);
	pm_file_close(&c->file);
	if (c->img)
		pm_image_put(c->img);
	c->img = NULL;

	if (c->group >= 0) {
		fy_cap_delete(c->group);
		c->group = -1;
	}
}

void pm_child_abort(struct pm_child *c)
{
	if (c->group >= 0) {
		/* Never started; the kill frees what the kernel holds. */
		fy_proc_kill(c->group);
		fy_proc_wait(c->group);
	}
	release(c);
	pm_lock();
	c->state = PM_FREE;
	pm_unlock();
}

static void reap(void *arg)
{
	struct pm_child *c = arg;
	cap_t self;

	/*
	 * We start at the spawner's priority (our creator ran on its
	 * context) and raise ourselves to procmgr's, PRIO_MAX, so the
	 * reaping is done before anything else runs once the child is gone
	 * (init's leak check yields at that priority). Our cap is in the
	 * entry once pm_child_watch lets go of the lock.
	 */
	pm_lock();
	self = c->reaper;
	pm_unlock();
	fy_thread_set_prio(self, PRIO_MAX);
	fy_proc_wait(c->group);
	pm_lock();
	c->state = PM_REAPING;
	pm_unlock();
	release(c);
	/*
	 * Our cap goes first (the thread object then dies with us). Once
	 * the entry is FREE a new spawn may take it and start a reaper on
	 * this same stack, so after that store nothing but the exit runs:
	 * the unlock is written out here, not called.
	 */
	fy_cap_delete(self);
	pm_lock();
	c->reaper = -1;
	c->state = PM_FREE;
	atomic_store_explicit(&lock_word, 0, memory_order_release);
	fy_thread_exit();
}

/*
 * Starts the reaper of a built child (started or not): LIVE from now
 * on. A negative errno if no thread could be made (the caller aborts).
 * Under the lock until the entry is LIVE and names its reaper, which
 * waits for that before anything else.
 */
long pm_child_watch(struct pm_child *c)
{
	int i = (int)(c - pm_children);
	long t;

	pm_lock();
	t = fy_thread_create(CAP_SELF_GROUP, reap,
			     reaper_stacks[i] + PM_REAPER_STACK, c, 0);
	if (t >= 0) {
		c->reaper = (cap_t)t;
		c->state = PM_LIVE;
	}
	pm_unlock();
	return t < 0 ? t : 0;
}

uint64_t pm_key(const struct pm_child *c, unsigned seg)
{
	return (uint64_t)(c - pm_children) | (uint64_t)c->gen << 16 |
	       (uint64_t)seg << 48;
}

int pm_slot_owned(cap_t slot)
{
	int owned = slot <= CAP_SELF_MAIN_THREAD || slot == pm_fs_server ||
		    slot == pm_self_server || slot == pm_pager_server ||
		    (pm_ns_server >= 0 && slot == pm_ns_server);

	pm_lock();
	owned = owned || pm_pool_owns(&pm_fs_pool, slot) ||
		pm_pool_owns(&pm_pager_pool, slot);
	for (int i = 0; i < PM_MAX_CHILDREN && !owned; i++) {
		const struct pm_child *c = &pm_children[i];

		if (c->state == PM_FREE)
			continue;
		owned = slot == c->group || slot == c->reaper ||
			slot == c->pager.cap || slot == c->pager.shm_cap ||
			slot == c->file.conn.cap ||
			slot == c->file.conn.shm_cap;
		for (int s = 0; c->img && s < c->img->elf.nsegs && !owned; s++)
			owned = slot == c->img->segs[s].pmo ||
				slot == c->img->segs[s].map_pmo;
	}
	pm_unlock();
	return owned;
}

long pm_list(struct ipc_msg *m, const void *shm_end,
	     const struct procmgr_list_req *req)
{
	/* The room the client's shm has past the request. */
	struct procmgr_proc_info *out = (void *)((char *)m + PROCMGR_LIST_OFF);
	uint64_t room =
		(uint64_t)((const char *)shm_end - (char *)out) / sizeof(*out);
	long n = 0;

	if (req->max < room)
		room = req->max;
	for (int i = 0; i < PM_MAX_CHILDREN; i++) {
		struct pm_child *c = &pm_children[i];
		struct proc_info pi;
		struct proc_budget pb;
		cap_t g;

		pm_lock();
		if (c->state != PM_LIVE) {
			pm_unlock();
			continue;
		}
		/* A copy of the cap: the reaper may delete its own. */
		g = (cap_t)fy_cap_copy(c->group, CAP_RIGHT_ALL);
		pm_unlock();
		if (g < 0)
			continue;
		if (fy_proc_info(g, &pi) == 0 && fy_proc_budget(g, &pb) == 0) {
			if ((uint64_t)n < room) {
				out[n].pid = (int32_t)pi.pid;
				out[n].state = pi.state == PROC_STATE_EXITED
						       ? PROCMGR_STATE_EXITED
						       : PROCMGR_STATE_RUNNING;
				out[n].mem_pages = pb.used_pages;
				out[n].budget_pages = pb.limit_pages;
				memcpy(out[n].name, pi.name,
				       sizeof(out[n].name));
				out[n].name[PROCMGR_NAME_MAX - 1] = 0;
			}
			n++;
		}
		fy_cap_delete(g);
	}
	return n;
}
