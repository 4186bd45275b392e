/*
 * kernel/syscall/linux/shm_ids.c: System V shm's id and key table and
 * its permission rules, as Linux 6.1's ipc/util.c has them: ids are
 * seq << 15 | index, indices taken cyclically below max(in_use * 3/2,
 * 64), seq up at each wrap; stale ids find nothing; SHMMNI segments at
 * most; keys; ipcperms' owner/group/other bits and CAP_IPC_OWNER.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <syscall/linux/shm_ids.h>
#include <uapi/ferry/errno.h>

static struct shm_ids ids;
static int objs[SHM_MNI + 1]; /* any distinct pointers */

#define IDX(id) ((id)&0x7fff)
#define SEQ(id) ((id) >> 15)

static void test_first_ids_and_cycling(void **state)
{
	int a, b, c, d;

	(void)state;
	shm_ids_init(&ids);
	assert_int_equal(shm_ids_max_idx(&ids), -1);
	a = shm_ids_add(&ids, &objs[0], 0, SHM_MNI);
	b = shm_ids_add(&ids, &objs[1], 0, SHM_MNI);
	assert_int_equal(a, 0);
	assert_int_equal(b, 1);
	shm_ids_remove(&ids, a);
	/* Cyclic: a freed index comes back only after the others. */
	c = shm_ids_add(&ids, &objs[2], 0, SHM_MNI);
	assert_int_equal(c, 2);
	assert_int_equal(shm_ids_max_idx(&ids), 2);
	shm_ids_remove(&ids, c);
	assert_int_equal(shm_ids_max_idx(&ids), 1); /* falls to b */
	for (int i = 3; i < 64; i++) {
		d = shm_ids_add(&ids, &objs[3], 0, SHM_MNI);
		assert_int_equal(d, i);
		shm_ids_remove(&ids, d);
	}
	/* Past 63 (max(in_use * 3/2, 64)): wraps to 0 with seq 1. */
	d = shm_ids_add(&ids, &objs[4], 0, SHM_MNI);
	assert_int_equal(d, 1 << 15);
	assert_ptr_equal(shm_ids_find(&ids, d), &objs[4]);
	/* b holds index 1: the next is 2, still seq 1. */
	assert_int_equal(shm_ids_add(&ids, &objs[5], 0, SHM_MNI),
			 (1 << 15) | 2);
}

static void test_stale_ids(void **state)
{
	int a, b;

	(void)state;
	shm_ids_init(&ids);
	a = shm_ids_add(&ids, &objs[0], 0, SHM_MNI);
	shm_ids_remove(&ids, a);
	for (int i = 1; i < 64; i++)
		shm_ids_remove(&ids, shm_ids_add(&ids, &objs[1], 0, SHM_MNI));
	b = shm_ids_add(&ids, &objs[2], 0, SHM_MNI);
	assert_int_equal(IDX(b), IDX(a));
	assert_int_equal(SEQ(b), SEQ(a) + 1);
	assert_null(shm_ids_find(&ids, a)); /* the old seq: -EINVAL */
	assert_ptr_equal(shm_ids_find(&ids, b), &objs[2]);
	/* SHM_STAT looks at the index alone. */
	assert_ptr_equal(shm_ids_find_index(&ids, a), &objs[2]);
	assert_int_equal(shm_ids_id_of(&ids, a), b);
	assert_null(shm_ids_find(&ids, -1));
	assert_null(shm_ids_find_index(&ids, -1));
	assert_null(shm_ids_find(&ids, SHM_IDX_MAX));
	assert_null(shm_ids_find(&ids, 5));
	assert_null(shm_ids_find(&ids, b + (3 << 15)));
	/* Removing twice changes nothing. */
	shm_ids_remove(&ids, b);
	shm_ids_remove(&ids, b);
	assert_int_equal(ids.in_use, 0);
}

static void test_seq_wraps(void **state)
{
	(void)state;
	shm_ids_init(&ids);
	ids.cur_seq = SHM_SEQ_MAX - 1;
	ids.last_idx = 5;
	ids.next = 0;
	/* Index 0 <= last: seq would reach 65535, ipcid_seq_max: 0. */
	assert_int_equal(shm_ids_add(&ids, &objs[0], 0, SHM_MNI), 0);
}

static void test_full_table(void **state)
{
	static int id[SHM_MNI];
	int max = -1;

	(void)state;
	shm_ids_init(&ids);
	for (int i = 0; i < SHM_MNI; i++) {
		id[i] = shm_ids_add(&ids, &objs[i], 0, SHM_MNI);
		assert_true(id[i] >= 0);
		assert_true(IDX(id[i]) < SHM_IDX_MAX);
		if (IDX(id[i]) > max)
			max = IDX(id[i]);
	}
	assert_int_equal(shm_ids_add(&ids, &objs[SHM_MNI], 0, SHM_MNI),
			 -ENOSPC);
	assert_int_equal(ids.in_use, SHM_MNI);
	assert_int_equal(shm_ids_max_idx(&ids), max);
	for (int i = 0; i < SHM_MNI; i++)
		assert_ptr_equal(shm_ids_find(&ids, id[i]), &objs[i]);
	/* A smaller limit (and one above SHMMNI is SHMMNI). */
	shm_ids_remove(&ids, id[7]);
	assert_int_equal(shm_ids_add(&ids, &objs[7], 0, 100), -ENOSPC);
	id[7] = shm_ids_add(&ids, &objs[7], 0, 100000);
	assert_true(id[7] >= 0);
	assert_int_equal(shm_ids_add(&ids, &objs[7], 0, 100000), -ENOSPC);
	for (int i = 0; i < SHM_MNI; i++)
		shm_ids_remove(&ids, id[i]);
	assert_int_equal(ids.in_use, 0);
	assert_int_equal(shm_ids_max_idx(&ids), -1);
	assert_true(shm_ids_add(&ids, &objs[0], 0, SHM_MNI) >= 0);
}

static void test_keys(void **state)
{
	int a, b;

	(void)state;
	shm_ids_init(&ids);
	a = shm_ids_add(&ids, &objs[0], 42, SHM_MNI);
	b = shm_ids_add(&ids, &objs[1], -7, SHM_MNI);
	shm_ids_add(&ids, &objs[2], 0, SHM_MNI);
	assert_int_equal(shm_ids_find_key(&ids, 42), a);
	assert_int_equal(shm_ids_find_key(&ids, -7), b);
	assert_int_equal(shm_ids_find_key(&ids, 43), -ENOENT);
	assert_int_equal(shm_ids_find_key(&ids, 0), -ENOENT); /* private */
	assert_int_equal(shm_ids_key(&ids, a), 42);
	/* IPC_RMID while attached: the key is free at once. */
	shm_ids_set_private(&ids, a);
	assert_int_equal(shm_ids_find_key(&ids, 42), -ENOENT);
	assert_ptr_equal(shm_ids_find(&ids, a), &objs[0]);
	a = shm_ids_add(&ids, &objs[3], 42, SHM_MNI);
	assert_int_equal(shm_ids_find_key(&ids, 42), a);
	shm_ids_remove(&ids, a);
	assert_int_equal(shm_ids_find_key(&ids, 42), -ENOENT);
}

static void test_perms(void **state)
{
	struct shm_perm p = {
		.uid = 10, .gid = 20, .cuid = 11, .cgid = 21, .mode = 0640};
	struct shm_cred owner = {.uid = 10, .gid = 99};
	struct shm_cred creator = {.uid = 11, .gid = 99};
	struct shm_cred group = {.uid = 5, .gid = 21};
	struct shm_cred other = {.uid = 5, .gid = 5};
	struct shm_cred root = {.uid = 0,
				.gid = 0,
				.ipc_owner = true,
				.sys_admin = true,
				.ipc_lock = true};

	(void)state;
	assert_true(shm_perm_ok(&p, &owner, 0600));
	assert_true(shm_perm_ok(&p, &creator, 0400));
	assert_false(shm_perm_ok(&p, &owner, 0100));
	assert_true(shm_perm_ok(&p, &group, 0444)); /* folded: r for all */
	assert_false(shm_perm_ok(&p, &group, 0200));
	assert_false(shm_perm_ok(&p, &other, 0004));
	assert_true(shm_perm_ok(&p, &other, 0));
	/* The owner's bits decide for the owner, even if others have more. */
	p.mode = 0077;
	assert_false(shm_perm_ok(&p, &owner, 0400));
	assert_true(shm_perm_ok(&p, &other, 0666));
	assert_true(shm_perm_ok(&p, &root, 0777)); /* CAP_IPC_OWNER */
	/* Linux takes the flag as a short: bits above 16 are dropped. */
	p.mode = 0;
	assert_true(shm_perm_ok(&p, &owner, 0x10000));
	assert_true(shm_perm_owner(&p, &owner));
	assert_true(shm_perm_owner(&p, &creator));
	assert_false(shm_perm_owner(&p, &group));
	assert_true(shm_perm_owner(&p, &root)); /* CAP_SYS_ADMIN */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_first_ids_and_cycling),
		cmocka_unit_test(test_stale_ids),
		cmocka_unit_test(test_seq_wraps),
		cmocka_unit_test(test_full_table),
		cmocka_unit_test(test_keys),
		cmocka_unit_test(test_perms),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
