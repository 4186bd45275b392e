/*
 * kernel/ipc/notification.c and its syscalls: notify ORs bits in and
 * never blocks; a wait takes and clears them all; bits sent before the
 * wait are kept; many notifies coalesce; one waiter wakes per notify;
 * rights decide who may notify and who may wait; a waiter holds the
 * object alive, and a kill or a deadline ends its wait with nothing left
 * on any queue. kenv_run's leak check (frames, objects, kmalloc bytes)
 * runs around each case.
 *
 * A thread that blocks switches away: on the host that longjmps back
 * here (host.c), and the test then looks at the thread's state.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "ipc_env.h"
#include <ipc/notification.h>
#include <lib/time.h>
#include <mm/budget.h>
#include <mm/kmalloc.h>

#define BYTES kmalloc_size(sizeof(struct notification))

struct wait_result {
	bool blocked; /* it switched away, still in the wait */
	long ret;     /* else what notification_wait returned */
	u64 bits;
};

/* t waits on n (deadline_ns 0: none); the CPU comes back to the test. */
static struct wait_result wait_as(struct thread *t, struct notification *n,
				  u64 deadline_ns)
{
	struct thread *was = current;
	volatile struct wait_result r = {0};
	jmp_buf jb;

	ipc_run_as(t);
	host_switch_jmp = &jb;
	if (setjmp(jb) == 0) {
		u64 bits = 0;

		r.ret = notification_wait(n, deadline_ns, &bits);
		r.bits = bits;
	} else {
		r.blocked = true;
	}
	host_switch_jmp = NULL;
	if (current->state == TS_RUNNING && current != was)
		current->state = TS_INACTIVE;
	if (was->state != TS_RUNNING)
		ipc_run_as(was);
	current = was;
	return (struct wait_result){r.blocked, r.ret, r.bits};
}

static struct notification *new_note(struct budget *b)
{
	struct notification *n = NULL;

	assert_int_equal(notification_create(b, &n), 0);
	assert_non_null(n);
	return n;
}

static void test_create_charges_the_budget(void **state)
{
	struct budget *b = budget_new(1);
	struct notification *n;
	size_t live = obj_live_count(OBJ_TYPE_NOTIFICATION);

	(void)state;
	n = new_note(b);
	assert_int_equal(obj_live_count(OBJ_TYPE_NOTIFICATION), live + 1);
	assert_int_equal(b->used, BYTES);
	obj_put(n);
	assert_int_equal(b->used, 0);
	assert_int_equal(obj_live_count(OBJ_TYPE_NOTIFICATION), live);

	/* A spent budget: -ENOMEM, nothing made, nothing charged. */
	assert_int_equal(budget_charge(b, PAGE_SIZE - BYTES + 1), 0);
	n = NULL;
	assert_int_equal(notification_create(b, &n), -ENOMEM);
	assert_null(n);
	assert_int_equal(obj_live_count(OBJ_TYPE_NOTIFICATION), live);
	budget_uncharge(b, PAGE_SIZE - BYTES + 1);
	budget_put(b);
}

static void test_notify_ors_and_take_clears(void **state)
{
	struct notification *n = new_note(NULL);

	(void)state;
	notification_signal(n, 0x1);
	notification_signal(n, 0x4);
	notification_signal(n, 0x1);
	notification_signal(n, 1ull << 63);
	assert_true(notification_take(n) == (0x5 | 1ull << 63));
	assert_int_equal(notification_take(n), 0);
	/* Many notifies coalesce into one word. */
	for (int i = 0; i < 10000; i++)
		notification_signal(n, 1ull << (i % 64));
	assert_true(notification_take(n) == ~0ull);
	obj_put(n);
}

static void test_bits_before_the_wait_are_kept(void **state)
{
	struct ipc_world w;
	struct notification *n;
	struct thread *t;
	struct wait_result r;

	(void)state;
	ipc_world_init(&w);
	n = new_note(NULL);
	t = ipc_new_thread(&w, w.sg, 0, 0x400000, 0x7f0000300000);
	notification_signal(n, 0x30);
	r = wait_as(t, n, 0);
	assert_false(r.blocked);
	assert_int_equal(r.ret, 0);
	assert_int_equal(r.bits, 0x30);
	assert_int_equal(n->pending, 0);
	/* With a deadline already past, pending bits still come first. */
	notification_signal(n, 0x2);
	r = wait_as(t, n, 1);
	assert_false(r.blocked);
	assert_int_equal(r.bits, 0x2);
	/* And with nothing pending it fails at once. */
	r = wait_as(t, n, 1);
	assert_false(r.blocked);
	assert_int_equal(r.ret, -ETIMEDOUT);
	assert_int_equal(t->timeout_at, 0);
	obj_put(n);
	ipc_world_fini(&w);
}

static void test_one_waiter_wakes_per_notify(void **state)
{
	struct ipc_world w;
	struct notification *n;
	struct thread *a, *b;
	struct wait_result r;

	(void)state;
	ipc_world_init(&w);
	n = new_note(NULL);
	a = ipc_new_thread(&w, w.sg, 0, 0x400000, 0x7f0000300000);
	b = ipc_new_thread(&w, w.sg, 0, 0x400000, 0x7f0000400000);
	assert_true(wait_as(a, n, 0).blocked);
	assert_true(wait_as(b, n, 0).blocked);
	assert_int_equal(a->state, TS_BLOCKED);
	assert_int_equal(b->state, TS_BLOCKED);

	/* The first waiter wakes; the bits wait for it to take them. */
	notification_signal(n, 0x2);
	assert_int_equal(a->state, TS_READY);
	assert_int_equal(a->wake_result, 0);
	assert_int_equal(b->state, TS_BLOCKED);
	assert_int_equal(n->pending, 0x2);
	/* a runs again (its loop finds the bits) and takes them all. */
	sched_dequeue(a);
	a->state = TS_INACTIVE;
	r = wait_as(a, n, 0);
	assert_false(r.blocked);
	assert_int_equal(r.bits, 0x2);
	assert_int_equal(b->state, TS_BLOCKED);

	/* The notifier never blocks: the world ends with b still waiting. */
	obj_get(n);	    /* b's reference, as the syscall holds one */
	ipc_world_fini(&w); /* kills b: -EINTR, off the queue */
	assert_true(list_empty(&n->waiters.threads));
	obj_put(n);
	obj_put(n);
}

static void test_rights_decide_notify_and_wait(void **state)
{
	struct ipc_world w;
	struct notification *n;
	struct thread *t;
	int all, wo, ro;

	(void)state;
	ipc_world_init(&w);
	n = new_note(NULL);
	t = ipc_new_thread(&w, w.sg, 0, 0x400000, 0x7f0000300000);
	all = cap_alloc(w.sg, n, CAP_RIGHT_ALL);
	wo = cap_alloc(w.sg, n, CAP_RIGHT_WRITE);
	ro = cap_alloc(w.sg, n, CAP_RIGHT_READ);
	assert_true(all >= 0 && wo >= 0 && ro >= 0);
	obj_put(n); /* the slots hold it */
	ipc_run_as(t);
	assert_int_equal(sys_notify(all, 0), -EINVAL);
	assert_int_equal(sys_notify(ro, 1), -ECAPBILITY);
	assert_int_equal(sys_notify(w.h_cap, 1), -ECAPBILITY); /* a thread */
	assert_int_equal(sys_notify((u64)1 << 40, 1), -ECAPBILITY);
	assert_int_equal(sys_notification_wait(wo, 0, NULL), -ECAPBILITY);
	assert_int_equal(sys_notification_wait(w.h_cap, 0, NULL), -ECAPBILITY);
	assert_int_equal(n->pending, 0);
	assert_int_equal(sys_notify(wo, 0x9), 0);
	assert_int_equal(sys_notify(all, 0x10), 0);
	assert_int_equal(n->pending, 0x19);
	t->state = TS_INACTIVE;
	current = w.idle;
	ipc_world_fini(&w); /* the slots go with the group */
}

static void test_waiter_outlives_the_last_cap_until_killed(void **state)
{
	struct ipc_world w;
	struct notification *n;
	struct thread *t;

	(void)state;
	ipc_world_init(&w);
	n = new_note(NULL);
	t = ipc_new_thread(&w, w.sg, 0, 0x400000, 0x7f0000300000);
	obj_get(n); /* the waiter's reference (the syscall's cap_get) */
	assert_true(wait_as(t, n, 0).blocked);
	obj_put(n); /* the creator lets go: the waiter keeps it */
	assert_int_equal(obj_live_count(OBJ_TYPE_NOTIFICATION), 1);
	assert_int_equal(t->state, TS_BLOCKED);

	thread_kill(t);
	assert_int_equal(t->state, TS_READY);
	assert_int_equal(t->wake_result, -EINTR);
	assert_true(list_empty(&n->waiters.threads));
	obj_put(n); /* its wait unwinds: the object goes */
	assert_int_equal(obj_live_count(OBJ_TYPE_NOTIFICATION), 0);
	ipc_world_fini(&w);
}

static void test_deadline_ends_the_wait(void **state)
{
	struct ipc_world w;
	struct notification *n;
	struct thread *t, *u;
	u64 deadline;

	(void)state;
	ipc_world_init(&w);
	n = new_note(NULL);
	t = ipc_new_thread(&w, w.sg, 0, 0x400000, 0x7f0000300000);
	u = ipc_new_thread(&w, w.sg, 0, 0x400000, 0x7f0000400000);
	deadline = time_mono_ns() + 1000;
	assert_true(wait_as(t, n, deadline).blocked);
	assert_true(wait_as(u, n, 0).blocked); /* no deadline */
	assert_int_equal(t->timeout_at, deadline);

	/* A tick before the deadline leaves it waiting. */
	timeout_tick();
	assert_int_equal(t->state, TS_BLOCKED);
	while (time_mono_ns() <= deadline)
		;
	time_tick();
	timeout_tick();
	assert_int_equal(t->state, TS_READY);
	assert_int_equal(t->wake_result, -ETIMEDOUT);
	assert_int_equal(t->timeout_at, 0);
	assert_int_equal(u->state, TS_BLOCKED);
	/* The next notify goes to the waiter still there. */
	notification_signal(n, 0x1);
	assert_int_equal(u->state, TS_READY);
	ipc_world_fini(&w);
	obj_put(n);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		kenv_test(test_create_charges_the_budget),
		kenv_test(test_notify_ors_and_take_clears),
		kenv_test(test_bits_before_the_wait_are_kept),
		kenv_test(test_one_waiter_wakes_per_notify),
		kenv_test(test_rights_decide_notify_and_wait),
		kenv_test(test_waiter_outlives_the_last_cap_until_killed),
		kenv_test(test_deadline_ends_the_wait),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
