/*
 * kernel/lib/id_alloc.c and the pid/tid space built on it
 * (kernel/object/task_id.c): ids are unique, bounded, handed out
 * cyclically, never 0; a main thread's tid is its pid; ids come back when
 * the thread or the process object is destroyed, and only then.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "kernel_env.h"
#include <lib/id_alloc.h>
#include <object/cap_group.h>
#include <object/task_id.h>
#include <object/thread.h>
#include <uapi/ferry/errno.h>

#define NIDS 128
static u64 bits[NIDS / 64];

static void test_ids_are_unique_and_never_zero(void **state)
{
	struct id_space ids;
	u8 seen[NIDS] = {0};

	(void)state;
	id_space_init(&ids, bits, NIDS);
	for (int i = 1; i < NIDS; i++) {
		u32 id = id_alloc(&ids);

		assert_true(id > 0 && id < NIDS);
		assert_false(seen[id]);
		seen[id] = 1;
	}
	assert_int_equal(ids.used, NIDS - 1);
	/* Full: 0, and nothing changes. */
	assert_int_equal(id_alloc(&ids), 0);
	assert_int_equal(ids.used, NIDS - 1);
}

static void test_freed_ids_come_back_last(void **state)
{
	struct id_space ids;

	(void)state;
	id_space_init(&ids, bits, NIDS);
	assert_int_equal(id_alloc(&ids), 1);
	assert_int_equal(id_alloc(&ids), 2);
	id_free(&ids, 1);
	/* Cyclic: 1 is free, but 3 comes first. */
	assert_int_equal(id_alloc(&ids), 3);
	for (u32 i = 4; i < NIDS; i++)
		assert_int_equal(id_alloc(&ids), i);
	/* Wrapped around: the only free one. */
	assert_int_equal(id_alloc(&ids), 1);
	assert_int_equal(id_alloc(&ids), 0);
	id_free(&ids, 64);
	id_free(&ids, 65);
	assert_int_equal(id_alloc(&ids), 64);
	assert_int_equal(id_alloc(&ids), 65);
}

static void test_bad_frees_are_ignored(void **state)
{
	struct id_space ids;

	(void)state;
	id_space_init(&ids, bits, NIDS);
	assert_int_equal(id_alloc(&ids), 1);
	id_free(&ids, 0);
	id_free(&ids, NIDS);
	id_free(&ids, 0xffffffff);
	id_free(&ids, 5); /* never handed out */
	assert_int_equal(ids.used, 1);
	id_free(&ids, 1);
	id_free(&ids, 1); /* twice */
	assert_int_equal(ids.used, 0);
	/* Id 0 stays reserved however the bitmap is freed. */
	for (int i = 1; i < NIDS; i++)
		assert_int_not_equal(id_alloc(&ids), 0);
}

static void test_main_thread_tid_is_pid(void **state)
{
	u32 before = task_ids_used();
	struct cap_group *g = NULL;
	struct thread *a, *b;
	u32 pid, tid_b;

	(void)state;
	assert_int_equal(cap_group_create("ids", &g), 0);
	pid = g->pid;
	assert_true(pid > 0 && pid < TASK_ID_MAX);
	assert_int_equal(task_ids_used(), before + 1);
	assert_int_equal(thread_create(g, 0, 0, 0, THREAD_PASSIVE, 0, &a), 0);
	assert_int_equal(a->tid, pid);
	assert_int_equal(task_ids_used(), before + 1);
	assert_int_equal(thread_create(g, 0, 0, 0, THREAD_PASSIVE, 0, &b), 0);
	tid_b = b->tid;
	assert_true(tid_b != pid && tid_b > 0);
	assert_int_equal(task_ids_used(), before + 2);
	cap_group_exit(g, 0);
	/* The threads are gone but their objects live: ids are still held. */
	assert_int_equal(task_ids_used(), before + 2);
	obj_put(b);
	assert_int_equal(task_ids_used(), before + 1);
	obj_put(a);
	/* The group lives on (a parent may still wait): so does the pid. */
	assert_int_equal(task_ids_used(), before + 1);
	obj_put(g);
	assert_int_equal(task_ids_used(), before);
}

static void test_pids_and_tids_never_collide(void **state)
{
	struct cap_group *g[4];
	struct thread *t[4][3];
	u32 seen[12];
	int n = 0;

	(void)state;
	for (int i = 0; i < 4; i++) {
		assert_int_equal(cap_group_create("c", &g[i]), 0);
		for (int j = 0; j < 3; j++) {
			assert_int_equal(thread_create(g[i], 0, 0, 0,
						       THREAD_PASSIVE, 0,
						       &t[i][j]),
					 0);
			for (int k = 0; k < n; k++)
				assert_int_not_equal(seen[k], t[i][j]->tid);
			seen[n++] = t[i][j]->tid;
		}
	}
	for (int i = 0; i < 4; i++) {
		cap_group_exit(g[i], 0);
		for (int j = 0; j < 3; j++)
			obj_put(t[i][j]);
		obj_put(g[i]);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ids_are_unique_and_never_zero),
		cmocka_unit_test(test_freed_ids_come_back_last),
		cmocka_unit_test(test_bad_frees_are_ignored),
		kenv_test(test_main_thread_tid_is_pid),
		kenv_test(test_pids_and_tids_never_collide),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
