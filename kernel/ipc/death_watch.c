/*
 * Death watches (death_watch.h). Protocol:
 *  1. death_watch_add checks under death_lock that the target has not
 *     fired yet and the watcher is under its bound, allocates outside it
 *     (an allocation may run the OOM killer, which may release a process
 *     at once), then checks again and links the watch to both lists.
 *  2. The target's release (death_watch_released) sets `death_fired`
 *     under the lock, then unlinks the watches on it a batch at a time
 *     under the lock and signals and frees each batch outside it; then
 *     the same for every watch it set itself (not signalled).
 *  3. A cancel unlinks the matching watches of its caller the same way.
 * A watch is thus linked to both lists or to neither, and whoever
 * unlinks it frees it.
 */
#include <ipc/death_watch.h>
#include <ipc/ipc_internal.h>
#include <ipc/notification.h>
#include <lib/list.h>
#include <lib/lock.h>
#include <mm/budget.h>
#include <object/cap_group.h>
#include <object/thread.h>
#include <sched/sched.h>
#include <uapi/ferry/errno.h>

struct death_watch {
	struct list_head target_node;  /* in target->death_watchers */
	struct list_head watcher_node; /* in watcher->death_watching */
	struct cap_group *target;      /* weak, while linked */
	struct cap_group *watcher;     /* weak, while linked */
	struct notification *n;	       /* a reference */
	u64 bits;
	struct budget *budget; /* the watcher's (a reference): charged */
};

static struct spinlock death_lock = SPINLOCK_INIT;

/* Watches fired per hold of death_lock when a process dies. */
#define DEATH_WATCH_BATCH 64

/* Why the watch cannot be set now, or 0. Under death_lock. */
static int add_check_locked(struct cap_group *watcher, struct cap_group *target)
{
	if (target->death_fired)
		return 1; /* signal at once */
	if (watcher->death_fired)
		return -ESRCH;
	if (watcher->ndeath_watching >= DEATH_WATCH_MAX)
		return -ENOSPC;
	return 0;
}

static void watch_free(struct death_watch *w)
{
	struct budget *b = w->budget;

	obj_put(w->n);
	budget_kfree(b, w, sizeof(*w));
	budget_put(b);
}

int death_watch_add(struct cap_group *watcher, struct cap_group *target,
		    struct notification *n, u64 bits)
{
	struct death_watch *w;
	int ret;

	if (!target)
		goto out_signal;
	lock(&death_lock);
	ret = add_check_locked(watcher, target);
	unlock(&death_lock);
	if (ret)
		goto out_ret;
	w = budget_kzalloc(watcher->budget, sizeof(*w));
	if (!w)
		return -ENOMEM;
	lock(&death_lock);
	ret = add_check_locked(watcher, target);
	if (ret) {
		unlock(&death_lock);
		budget_kfree(watcher->budget, w, sizeof(*w));
		goto out_ret;
	}
	obj_get(n);
	w->n = n;
	w->bits = bits;
	w->target = target;
	w->watcher = watcher;
	budget_get(watcher->budget);
	w->budget = watcher->budget;
	list_append(&target->death_watchers, &w->target_node);
	list_append(&watcher->death_watching, &w->watcher_node);
	watcher->ndeath_watching++;
	unlock(&death_lock);
	return 0;
out_ret:
	if (ret < 0)
		return ret;
out_signal:
	notification_signal(n, bits); /* already dead: at once */
	return 0;
}

/* Takes w off both lists onto `out` (reusing target_node). Locked. */
static void unlink_locked(struct death_watch *w, struct list_head *out)
{
	list_del(&w->target_node);
	list_del(&w->watcher_node);
	w->watcher->ndeath_watching--;
	list_append(out, &w->target_node);
}

long death_watch_cancel(struct cap_group *watcher, struct cap_group *target,
			struct notification *n)
{
	struct list_head gone;
	struct death_watch *w;
	long count = 0;

	if (!target)
		return -ENOENT;
	list_init(&gone);
	lock(&death_lock);
	list_for_each_safe(w, tmp, &watcher->death_watching, watcher_node)
	{
		if (w->target == target && w->n == n) {
			unlink_locked(w, &gone);
			count++;
		}
	}
	unlock(&death_lock);
	list_for_each_safe(w, tmp, &gone, target_node) watch_free(w);
	return count ? count : -ENOENT;
}

/* Signals and frees the watches on `fired` (linked by target_node). */
static void fire_all(struct list_head *fired)
{
	struct death_watch *w;

	list_for_each_safe(w, tmp, fired, target_node)
	{
		notification_signal(w->n, w->bits);
		watch_free(w);
	}
}

void death_watch_released(struct cap_group *g)
{
	struct list_head fire, drop;
	struct death_watch *w;
	bool more = true;
	u32 n;

	lock(&death_lock);
	g->death_fired = true; /* no watch joins the list from now on */
	/* The common case: nobody watched it and it watched nobody. */
	more = !list_empty(&g->death_watchers) ||
	       !list_empty(&g->death_watching);
	unlock(&death_lock);
	if (!more)
		return;
	/*
	 * Those on g (a watch g set on itself too): every process may have
	 * set DEATH_WATCH_MAX on one target, so they go a batch at a time,
	 * the lock dropped and a preemption point between batches
	 * (docs/architecture.md, "Bounded kernel time"). A killed thread
	 * finishes anyway.
	 */
	while (more) {
		list_init(&fire);
		n = 0;
		lock(&death_lock);
		list_for_each_safe(w, tmp, &g->death_watchers, target_node)
		{
			if (n++ == DEATH_WATCH_BATCH)
				break;
			unlink_locked(w, &fire);
		}
		more = !list_empty(&g->death_watchers);
		unlock(&death_lock);
		fire_all(&fire);
		if (more)
			(void)sched_preempt_point();
	}
	/* Those g set: at most DEATH_WATCH_MAX. */
	list_init(&drop);
	lock(&death_lock);
	list_for_each_safe(w, tmp, &g->death_watching, watcher_node)
		unlink_locked(w, &drop);
	unlock(&death_lock);
	list_for_each_safe(w, tmp, &drop, target_node) watch_free(w);
}

u32 death_watch_count(struct cap_group *g)
{
	u32 n;

	lock(&death_lock);
	n = g->ndeath_watching;
	unlock(&death_lock);
	return n;
}

/*
 * The connection's fields are owned by the one CPU (connection.h): a
 * client that dies clears conn->client in its release, and the handler
 * a connection holds keeps its process's struct alive.
 */
static int conn_peer(struct cap_group *self, struct connection *conn,
		     struct cap_group **out)
{
	struct cap_group *peer;

	if (conn->client == self) {
		if (!conn->handler)
			return -EAGAIN;
		peer = conn->handler->group;
	} else {
		peer = conn->client; /* NULL: it has gone */
	}
	if (peer)
		obj_get(peer);
	*out = peer;
	return 0;
}

int death_watch_target(struct cap_group *self, void *obj,
		       struct cap_group **out)
{
	switch (obj_type(obj)) {
	case OBJ_TYPE_CAP_GROUP:
		obj_get(obj);
		*out = obj;
		return 0;
	case OBJ_TYPE_THREAD:
		*out = ((struct thread *)obj)->group;
		obj_get(*out);
		return 0;
	case OBJ_TYPE_CONNECTION:
		return conn_peer(self, obj, out);
	default:
		return -ECAPBILITY;
	}
}
