/*
 * Processes: spawn, proc_wait, proc_kill, proc_exit, thread_exit as the
 * last thread, initrd_list; with bad paths, pointers, argument vectors
 * and caps. The children are the programs under helpers/.
 */
#include <string.h>

#include <ferry/ferry.h>
#include <ferry/initrd.h>

#include "tap.h"
#include "util.h"

static const char *const envp0[] = {NULL};

static void test_exit_codes(void)
{
	const char *argv7[] = {"helpers/exit_with", "7", NULL};
	const char *argv255[] = {"helpers/exit_with", "255", NULL};

	tap_eq(spawn_wait("helpers/exit_with", NULL), PROC_STATUS_EXITED(0),
	       "a child exits 0");
	tap_eq(spawn_wait("helpers/exit_with", argv7), PROC_STATUS_EXITED(7),
	       "a child exits 7");
	tap_eq(spawn_wait("helpers/exit_with", argv255),
	       PROC_STATUS_EXITED(255), "a child exits 255");
	tap_eq(spawn_wait("helpers/proc_exit_thread", NULL),
	       PROC_STATUS_EXITED(42),
	       "proc_exit from a second thread ends the process");
	tap_eq(spawn_wait("helpers/thread_exit_last", NULL),
	       PROC_STATUS_EXITED(0),
	       "the process ends with 0 when its last thread exits");
	tap_eq(spawn_wait("/helpers/exit_with", NULL), PROC_STATUS_EXITED(0),
	       "a leading / in the path is accepted");
}

static void test_crashes(void)
{
	static const struct {
		const char *how;
		long status;
	} cases[] = {
		{"segv", PROC_STATUS_KILLED(PROC_SIG_SEGV)},
		{"exec", PROC_STATUS_KILLED(PROC_SIG_SEGV)},
		{"ill", PROC_STATUS_KILLED(PROC_SIG_ILL)},
		{"fpe", PROC_STATUS_KILLED(PROC_SIG_FPE)},
		{"gp", PROC_STATUS_KILLED(PROC_SIG_SEGV)},
		{"stack", PROC_STATUS_KILLED(PROC_SIG_SEGV)},
	};

	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *argv[] = {"helpers/crash", cases[i].how, NULL};

		tap_eq(spawn_wait("helpers/crash", argv), cases[i].status,
		       "a child dying by '%s' is killed with signal %ld",
		       cases[i].how, cases[i].status);
	}
}

static void test_argv(void)
{
	static char long_env[5 + 200 + 1] = "LONG=";
	const char *argv[] = {"helpers/argv_check", "a", "bb", "ccc", "", NULL};
	const char *envp[] = {"X=1", long_env, NULL};
	long proc;

	memset(long_env + 5, 'y', 200);
	proc = fy_spawn("helpers/argv_check", argv, envp);
	tap_ok(proc >= 0, "spawn with argv and envp (%ld)", proc);
	tap_eq(fy_proc_wait((cap_t)proc), PROC_STATUS_EXITED(0),
	       "the child sees exactly that argv and envp");
	tap_eq(fy_cap_delete((cap_t)proc), 0, "delete the process cap");
}

static void test_bad_spawn(void)
{
	static char long_path[PATH_MAX_FERRY + 16];
	static char big[SPAWN_MAX_STRINGS + 16];
	const char *ok_argv[] = {"x", NULL};
	const char *many[SPAWN_MAX_ARGS + 8];
	const char *bad_elem[] = {"x", (const char *)KERNEL_PTR, NULL};
	const char *big_argv[] = {"x", big, NULL};
	void *hole = unmapped_ptr();

	tap_eq(fy_spawn("no_such_program", ok_argv, envp0), -ENOENT,
	       "spawn of a missing file is -ENOENT");
	tap_eq(fy_spawn("", ok_argv, envp0), -ENOENT,
	       "spawn of the empty name is -ENOENT");
	tap_eq(fy_spawn("helpers/not_elf.txt", ok_argv, envp0), -ENOEXEC,
	       "spawn of a text file is -ENOEXEC");
	tap_eq(fy_spawn(NULL, ok_argv, envp0), -EFAULT,
	       "spawn with a NULL path is -EFAULT");
	tap_eq(fy_spawn(KERNEL_PTR, ok_argv, envp0), -EFAULT,
	       "spawn with a kernel path pointer is -EFAULT");
	tap_eq(fy_spawn(hole, ok_argv, envp0), -EFAULT,
	       "spawn with an unmapped path pointer is -EFAULT");
	tap_eq(fy_spawn("helpers/exit_with", KERNEL_PTR, envp0), -EFAULT,
	       "spawn with a kernel argv pointer is -EFAULT");
	tap_eq(fy_spawn("helpers/exit_with", hole, envp0), -EFAULT,
	       "spawn with an unmapped argv pointer is -EFAULT");
	tap_eq(fy_spawn("helpers/exit_with", bad_elem, envp0), -EFAULT,
	       "spawn with a kernel pointer inside argv is -EFAULT");
	tap_eq(fy_spawn("helpers/exit_with", ok_argv, KERNEL_PTR), -EFAULT,
	       "spawn with a kernel envp pointer is -EFAULT");
	tap_eq(fy_spawn("helpers/exit_with", ok_argv, bad_elem), -EFAULT,
	       "spawn with a kernel pointer inside envp is -EFAULT");

	memset(long_path, 'p', sizeof(long_path) - 1);
	tap_eq(fy_spawn(long_path, ok_argv, envp0), -ENAMETOOLONG,
	       "a path longer than PATH_MAX_FERRY is -ENAMETOOLONG");
	for (int i = 0; i < SPAWN_MAX_ARGS + 7; i++)
		many[i] = "arg";
	many[SPAWN_MAX_ARGS + 7] = NULL;
	tap_eq(fy_spawn("helpers/exit_with", many, envp0), -E2BIG,
	       "more than SPAWN_MAX_ARGS arguments is -E2BIG");
	memset(big, 'b', sizeof(big) - 1);
	tap_eq(fy_spawn("helpers/exit_with", big_argv, envp0), -E2BIG,
	       "more than SPAWN_MAX_STRINGS bytes of strings is -E2BIG");
	tap_eq(spawn_wait("helpers/exit_with", NULL), PROC_STATUS_EXITED(0),
	       "spawn still works after the bad calls");
}

static void test_wait_kill(void)
{
	const char *argv[] = {"helpers/exit_with", "3", NULL};
	long proc = fy_spawn("helpers/exit_with", argv, envp0), noctl, pmo, n;

	noctl = fy_cap_copy((cap_t)proc, CAP_RIGHT_ALL & ~CAP_RIGHT_CONTROL);
	tap_eq(fy_proc_wait((cap_t)noctl), -ECAPBILITY,
	       "wait without CONTROL is -ECAPBILITY");
	tap_eq(fy_proc_kill((cap_t)noctl), -ECAPBILITY,
	       "kill without CONTROL is -ECAPBILITY");
	tap_eq(fy_proc_wait((cap_t)proc), PROC_STATUS_EXITED(3), "wait");
	n = fy_proc_wait((cap_t)proc);
	tap_ok(n == PROC_STATUS_EXITED(3) || n == -ECHILD,
	       "a second wait gives the status again or -ECHILD (%ld)", n);
	fy_cap_delete((cap_t)noctl);
	fy_cap_delete((cap_t)proc);

	pmo = fy_pmo_create(4096, PMO_DATA);
	tap_eq(fy_proc_wait((cap_t)pmo), -ECAPBILITY,
	       "wait on a pmo is -ECAPBILITY");
	tap_eq(fy_proc_kill((cap_t)pmo), -ECAPBILITY,
	       "kill of a pmo is -ECAPBILITY");
	fy_cap_delete((cap_t)pmo);
	tap_eq(fy_proc_wait(-1), -ECAPBILITY, "wait on cap -1 is -ECAPBILITY");
	tap_eq(fy_proc_wait(99999), -ECAPBILITY,
	       "wait on cap 99999 is -ECAPBILITY");
	tap_eq(fy_proc_kill(-1), -ECAPBILITY, "kill of cap -1 is -ECAPBILITY");
}

/*
 * The initrd's names come from the file server now (libferry's
 * fy_initrd_names walks its tree); the kernel's SYS_initrd_list (18) is
 * gone.
 */
static void test_initrd_list(void)
{
	struct fy_names names;
	int saw_init = 0, saw_self = 0, saw_tmp = 0;

	tap_eq(fy_initrd_names(&names), 0,
	       "fy_initrd_names through the file server named \"fs\"");
	for (size_t i = 0; i < names.count; i++) {
		saw_init |= !strcmp(names.names[i], "init");
		saw_self |= !strcmp(names.names[i], "tests/syscalls_proc");
		saw_tmp |= !strncmp(names.names[i], "tmp", 3);
	}
	tap_ok(saw_init && saw_self,
	       "the list names init and this program "
	       "(%zu names)",
	       names.count);
	tap_ok(!saw_tmp, "and nothing of /tmp, which is not the initrd");
	fy_names_free(&names);
	tap_eq(fy_syscall2(FERRY_SYS_BASE + 18, 0, 0), -ENOSYS,
	       "the kernel's SYS_initrd_list (18) is gone");
}

int main(void)
{
	test_exit_codes();
	test_crashes();
	test_argv();
	test_bad_spawn();
	test_wait_kill();
	test_initrd_list();
	return tap_done();
}
