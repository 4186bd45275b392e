/*
 * kernel/syscall/linux/unsupported.c and state.c: the console names an
 * unsupported call once per process and number (numbers Linux never
 * assigned share one report), the answer is always -ENOSYS; signal
 * actions are kept per process and freed with it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "kernel_env.h"
#include <object/cap_group.h>
#include <object/thread.h>
#include <sched/sched.h>
#include <syscall/linux/linux.h>
#include <syscall/linux/state.h>
#include <syscall/syscall.h>
#include <uapi/ferry/errno.h>

static int count(const char *needle)
{
	int n = 0;

	for (const char *p = host_console; (p = strstr(p, needle)); p++)
		n++;
	return n;
}

/* Runs fn with `current` a thread of a new process named `name`. */
static void as_process(const char *name, void (*fn)(struct cap_group *))
{
	struct thread *saved = current, *t;
	struct cap_group *g;

	assert_int_equal(cap_group_create(name, &g), 0);
	assert_int_equal(thread_create(g, 0, 0, 0, THREAD_PASSIVE, 0, &t), 0);
	current = t;
	fn(g);
	current = saved;
	cap_group_exit(g, 0);
	obj_put(t);
	obj_put(g);
}

static void reports(struct cap_group *g)
{
	char line[128];

	host_console_reset();
	assert_int_equal(linux_unsupported(292), -ENOSYS);
	assert_int_equal(linux_unsupported(292), -ENOSYS);
	snprintf(
		line, sizeof(line),
		"[ferry] pid %u (prog): unsupported Linux syscall 292 (dup3)\n",
		g->pid);
	assert_int_equal(count(line), 1);
	assert_int_equal(count("[ferry]"), 1);
	/* Another number: its own line, once. */
	assert_int_equal(linux_unsupported(183), -ENOSYS);
	assert_int_equal(linux_unsupported(183), -ENOSYS);
	assert_int_equal(count("syscall 183 (afs_syscall)\n"), 1);
	/* Numbers Linux never assigned: one line for all of them. */
	assert_int_equal(linux_unsupported(451), -ENOSYS);
	assert_int_equal(linux_unsupported(511), -ENOSYS);
	assert_int_equal(linux_unsupported(4096), -ENOSYS);
	assert_int_equal(linux_unsupported(0xffffffff), -ENOSYS);
	assert_int_equal(linux_unsupported(400), -ENOSYS);
	assert_int_equal(count("unsupported syscall 451 (no such Linux call"),
			 1);
	assert_int_equal(count("[ferry]"), 3);
	/* The edges of the name table. */
	assert_int_equal(linux_unsupported(0), -ENOSYS);
	assert_int_equal(linux_unsupported(450), -ENOSYS);
	assert_int_equal(count("syscall 0 (read)\n"), 1);
	assert_int_equal(count("syscall 450 (set_mempolicy_home_node)\n"), 1);
}

static void test_unsupported_reported_once(void **state)
{
	(void)state;
	as_process("prog", reports);
}

static void other_process(struct cap_group *g)
{
	(void)g;
	host_console_reset();
	assert_int_equal(linux_unsupported(292), -ENOSYS);
	assert_int_equal(count("(again): unsupported Linux syscall 292"), 1);
}

static void test_each_process_reports_anew(void **state)
{
	(void)state;
	as_process("prog", reports);
	as_process("again", other_process);
}

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(linux_syscall_name(1), "write");
	assert_string_equal(linux_syscall_name(231), "exit_group");
	assert_string_equal(linux_syscall_name(335), "unknown");
	assert_string_equal(linux_syscall_name(424), "pidfd_send_signal");
	assert_string_equal(linux_syscall_name(451), "unknown");
	assert_string_equal(linux_syscall_name(0xffffffff), "unknown");
	assert_false(linux_syscall_known(335));
	assert_true(linux_syscall_known(334));
}

static void test_sigactions(void **state)
{
	struct linux_proc lp = {0};
	struct linux_sigaction a = {0x1234, 4, 0x5678, 0x10}, old;

	(void)state;
	/* Reading allocates nothing; everything reads as zero. */
	memset(&old, 0xff, sizeof(old));
	assert_int_equal(linux_sigaction_swap(&lp, NULL, 10, NULL, &old), 0);
	assert_null(lp.sigactions);
	assert_int_equal(old.handler, 0);
	assert_int_equal(old.mask, 0);
	/* No memory: -ENOMEM, nothing kept. */
	kenv_take_all_frames();
	if (linux_sigaction_swap(&lp, NULL, 10, &a, &old) == -ENOMEM)
		assert_null(lp.sigactions);
	kenv_give_all_frames();
	assert_int_equal(linux_sigaction_swap(&lp, NULL, 10, &a, &old), 0);
	assert_int_equal(linux_sigaction_swap(&lp, NULL, 64, &a, &old), 0);
	assert_int_equal(linux_sigaction_swap(&lp, NULL, 10, NULL, &old), 0);
	assert_int_equal(old.handler, 0x1234);
	assert_int_equal(old.restorer, 0x5678);
	assert_int_equal(linux_sigaction_swap(&lp, NULL, 1, NULL, &old), 0);
	assert_int_equal(old.handler, 0);
	linux_proc_release(&lp, NULL);
	assert_null(lp.sigactions);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		kenv_test(test_unsupported_reported_once),
		kenv_test(test_each_process_reports_anew),
		cmocka_unit_test(test_names),
		kenv_test(test_sigactions),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
