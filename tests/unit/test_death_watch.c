/*
 * kernel/ipc/death_watch.c: a watch fires once, when its target is
 * released; a target already released (or a peer already gone) is
 * signalled at once and nothing is kept; a watcher released first takes
 * its watches with it; a cancel takes exactly the matching ones; the
 * bound and the budget are enforced and given back. Then what a cap
 * names (death_watch_target), through the IPC fixture's real
 * connections, and CAP_INFO_DEAD, through sys_cap_info. kenv_run's leak
 * check (frames, objects, kmalloc bytes) runs around each case, so a
 * watch left behind, or a notification reference it kept, fails it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "ipc_env.h"
#include "object_fixtures.h"
#include <ipc/death_watch.h>
#include <ipc/notification.h>
#include <mm/budget.h>

/* The process dies: released (its watches fire), then dropped. */
static struct notification *new_note(void)
{
	struct notification *n = NULL;

	assert_int_equal(notification_create(NULL, &n), 0);
	return n;
}

static void test_fires_once_at_release(void **state)
{
	struct cap_group *w = fx_group("watcher"), *t = fx_group("target");
	struct notification *n = new_note();
	u64 used = w->budget->used;

	(void)state;
	assert_int_equal(death_watch_add(w, t, n, 0x5), 0);
	assert_int_equal(death_watch_count(w), 1);
	assert_int_equal(obj_refcount(n), 2); /* the watch holds one */
	assert_true(w->budget->used > used);  /* charged to the watcher */
	assert_int_equal(n->pending, 0);
	cap_group_teardown(t);
	assert_int_equal(n->pending, 0x5);
	assert_int_equal(death_watch_count(w), 0);
	assert_int_equal(obj_refcount(n), 1);
	assert_int_equal(w->budget->used, used);
	notification_take(n);
	death_watch_released(t); /* a second release finds nothing */
	assert_int_equal(n->pending, 0);
	assert_int_equal(death_watch_cancel(w, t, n), -ENOENT);
	obj_put(t);
	fx_group_end(w);
	assert_int_equal(n->pending, 0);
	obj_put(n);
}

static void test_already_dead_signals_at_once(void **state)
{
	struct cap_group *w = fx_group("watcher"), *t = fx_group("target");
	struct notification *n = new_note();
	u64 used = w->budget->used, limit = w->budget->limit;

	(void)state;
	cap_group_teardown(t);
	assert_int_equal(death_watch_add(w, t, n, 0x30), 0);
	assert_int_equal(n->pending, 0x30);
	assert_int_equal(death_watch_count(w), 0);
	assert_int_equal(obj_refcount(n), 1);
	assert_int_equal(w->budget->used, used); /* nothing kept */
	/* A peer already gone (a client that left) is no process at all. */
	assert_int_equal(death_watch_add(w, NULL, n, 0x100), 0);
	assert_int_equal(n->pending, 0x130);
	assert_int_equal(death_watch_cancel(w, NULL, n), -ENOENT);
	/* A spent budget does not stop it: nothing is kept. */
	w->budget->limit = w->budget->used;
	assert_int_equal(death_watch_add(w, t, n, 0x1), 0);
	assert_int_equal(n->pending, 0x131);
	w->budget->limit = limit;
	obj_put(t);
	fx_group_end(w);
	obj_put(n);
}

static void test_watcher_released_first(void **state)
{
	struct cap_group *w = fx_group("watcher"), *t = fx_group("target");
	struct notification *n = new_note();

	(void)state;
	assert_int_equal(death_watch_add(w, t, n, 0x1), 0);
	assert_int_equal(death_watch_add(w, t, n, 0x2), 0);
	assert_int_equal(obj_refcount(n), 3);
	fx_group_end(w); /* its struct is freed too: t must not point at it */
	assert_int_equal(obj_refcount(n), 1);
	assert_true(list_empty(&t->death_watchers));
	fx_group_end(t);
	assert_int_equal(n->pending, 0);
	obj_put(n);
}

static void test_watch_self_and_each_other(void **state)
{
	struct cap_group *a = fx_group("a"), *b = fx_group("b");
	struct notification *na = new_note(), *nb = new_note();

	(void)state;
	assert_int_equal(death_watch_add(a, a, na, 0x1), 0); /* itself */
	assert_int_equal(death_watch_add(a, b, na, 0x2), 0);
	assert_int_equal(death_watch_add(b, a, nb, 0x4), 0);
	cap_group_teardown(a);
	assert_int_equal(na->pending, 0x1); /* its own, as it died */
	assert_int_equal(nb->pending, 0x4); /* b learns it */
	assert_int_equal(death_watch_count(a), 0);
	assert_int_equal(death_watch_count(b), 0);
	/* A released process sets no new watch. */
	assert_int_equal(death_watch_add(a, b, na, 0x8), -ESRCH);
	fx_group_end(b);
	assert_int_equal(na->pending, 0x1); /* a's watch on b went with a */
	obj_put(a);
	obj_put(na);
	obj_put(nb);
}

static void test_cancel_takes_the_matching_ones(void **state)
{
	struct cap_group *w = fx_group("watcher"), *t = fx_group("t");
	struct cap_group *t2 = fx_group("t2"), *other = fx_group("other");
	struct notification *n = new_note(), *n2 = new_note();
	u64 used = w->budget->used;

	(void)state;
	assert_int_equal(death_watch_add(w, t, n, 0x1), 0);
	assert_int_equal(death_watch_add(w, t, n, 0x2), 0);
	assert_int_equal(death_watch_add(w, t, n2, 0x4), 0);
	assert_int_equal(death_watch_add(w, t2, n, 0x8), 0);
	assert_int_equal(death_watch_add(other, t, n, 0x10), 0);
	assert_int_equal(death_watch_cancel(w, t, n), 2);
	assert_int_equal(death_watch_cancel(w, t, n), -ENOENT);
	assert_int_equal(death_watch_count(w), 2);
	assert_int_equal(death_watch_count(other), 1); /* not ours */
	cap_group_teardown(t);
	assert_int_equal(n2->pending, 0x4);
	assert_int_equal(n->pending, 0x10); /* only other's */
	assert_int_equal(death_watch_cancel(w, t2, n), 1);
	assert_int_equal(w->budget->used, used);
	fx_group_end(t2);
	assert_int_equal(n->pending, 0x10);
	obj_put(t);
	fx_group_end(w);
	fx_group_end(other);
	obj_put(n);
	obj_put(n2);
}

static void test_bound_and_budget(void **state)
{
	struct cap_group *w = fx_group("watcher"), *t = fx_group("target");
	struct notification *n = new_note();
	u64 used = w->budget->used, limit = w->budget->limit;

	(void)state;
	w->budget->limit = used; /* nothing more may be charged */
	assert_int_equal(death_watch_add(w, t, n, 0x1), -ENOMEM);
	assert_int_equal(death_watch_count(w), 0);
	assert_int_equal(obj_refcount(n), 1);
	w->budget->limit = limit;
	for (int i = 0; i < DEATH_WATCH_MAX; i++)
		assert_int_equal(death_watch_add(w, t, n, 1ull << (i % 64)), 0);
	assert_int_equal(death_watch_add(w, t, n, 0x1), -ENOSPC);
	assert_int_equal(death_watch_add(w, w, n, 0x1), -ENOSPC);
	assert_int_equal(death_watch_count(w), DEATH_WATCH_MAX);
	assert_int_equal(obj_refcount(n), 1 + DEATH_WATCH_MAX);
	/* Another watcher has a bound of its own. */
	assert_int_equal(death_watch_add(t, w, n, 0x1), 0);
	assert_int_equal(death_watch_cancel(w, t, n), DEATH_WATCH_MAX);
	assert_int_equal(w->budget->used, used);
	assert_int_equal(death_watch_add(w, t, n, 0x2), 0); /* room again */
	fx_group_end(t);
	assert_int_equal(n->pending, 0x2);
	fx_group_end(w); /* t's watch on w: t was released first, it went */
	assert_int_equal(n->pending, 0x2);
	obj_put(n);
}

/* More watchers than one batch of the release: every one fires once. */
static void test_many_watchers_fire_in_batches(void **state)
{
	struct cap_group *w[3], *t = fx_group("target");
	struct notification *n[3];

	(void)state;
	for (int i = 0; i < 3; i++) {
		w[i] = fx_group("watcher");
		n[i] = new_note();
		for (int j = 0; j < 100; j++)
			assert_int_equal(death_watch_add(w[i], t, n[i],
							 1ull << (j % 50)),
					 0);
	}
	assert_int_equal(obj_refcount(n[0]), 101);
	cap_group_teardown(t);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(n[i]->pending, (1ull << 50) - 1);
		assert_int_equal(death_watch_count(w[i]), 0);
		assert_int_equal(obj_refcount(n[i]), 1);
		fx_group_end(w[i]);
		obj_put(n[i]);
	}
	assert_true(list_empty(&t->death_watchers));
	obj_put(t);
}

/* What a cap names: a process, a thread's process, a connection's peer. */
static void test_targets_through_connections(void **state)
{
	struct ipc_world w;
	struct ipc_link *ln;
	struct connection *conn;
	struct cap_group *p, *cg;
	struct notification *n = new_note();

	(void)state;
	ipc_world_connected(&w, &ln);
	cg = ln->cl->g;
	conn = ln->conn;
	assert_int_equal(death_watch_target(cg, conn, &p), 0);
	assert_ptr_equal(p, w.sg); /* the client sees the server */
	obj_put(p);
	assert_int_equal(death_watch_target(w.sg, conn, &p), 0);
	assert_ptr_equal(p, cg); /* the server sees the client */
	obj_put(p);
	assert_int_equal(death_watch_target(cg, w.h, &p), 0);
	assert_ptr_equal(p, w.sg); /* a thread: its process */
	obj_put(p);
	assert_int_equal(death_watch_target(cg, cg, &p), 0);
	assert_ptr_equal(p, cg);
	obj_put(p);
	assert_int_equal(death_watch_target(cg, n, &p), -ECAPBILITY);
	assert_int_equal(death_watch_target(cg, ln->shm, &p), -ECAPBILITY);
	/* The syscall, as the client: a cap_info with no DEAD bit yet. */
	assert_int_equal(sys_cap_info((u64)ln->cap) & CAP_INFO_DEAD, 0);
	/* A client that has left: the server's end names nobody. */
	conn->client = NULL;
	assert_int_equal(death_watch_target(w.sg, conn, &p), 0);
	assert_null(p);
	conn->client = cg;
	/* The server's process exiting: the client's cap says DEAD. */
	w.sg->exiting = true;
	assert_int_equal(sys_cap_info((u64)ln->cap) & CAP_INFO_DEAD,
			 CAP_INFO_DEAD);
	assert_int_equal(sys_cap_info(CAP_SELF_GROUP) & CAP_INFO_DEAD, 0);
	w.sg->exiting = false;
	ipc_world_fini(&w);
	obj_put(n);
}

/* The client's end of a registration not finished has no peer yet. */
static void test_pending_connection_is_eagain(void **state)
{
	struct ipc_world w;
	struct ipc_client *cl;
	struct ipc_link *ln;
	struct connection *conn;
	struct cap_group *p;

	(void)state;
	ipc_world_init(&w);
	cl = ipc_new_client(&w, NULL);
	ln = ipc_new_link(&w, cl);
	ipc_register_begin(&w, ln);
	conn = list_first(&cl->g->ipc_conns, struct connection, client_node);
	assert_int_equal(conn->state, CONN_PENDING);
	assert_int_equal(death_watch_target(cl->g, conn, &p), -EAGAIN);
	assert_int_equal(death_watch_target(w.sg, conn, &p), 0);
	assert_ptr_equal(p, cl->g);
	obj_put(p);
	ipc_register_end(&w, ln);
	assert_int_equal(death_watch_target(cl->g, conn, &p), 0);
	assert_ptr_equal(p, w.sg);
	obj_put(p);
	ipc_world_fini(&w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		kenv_test(test_fires_once_at_release),
		kenv_test(test_already_dead_signals_at_once),
		kenv_test(test_watcher_released_first),
		kenv_test(test_watch_self_and_each_other),
		kenv_test(test_cancel_takes_the_matching_ones),
		kenv_test(test_bound_and_budget),
		kenv_test(test_many_watchers_fire_in_batches),
		kenv_test(test_targets_through_connections),
		kenv_test(test_pending_connection_is_eagain),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
