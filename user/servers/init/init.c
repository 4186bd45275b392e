/*
 * init: the first user process. The kernel starts it with argv {"init",
 * <words of the kernel command line>}; the first word picks the mode:
 *   run (or none)  the shell on the console; when it exits, power off
 *   test [WORD]    run every "tests/" program (or those whose name
 *                  contains WORD) and report in TAP
 *   bench          run the benchmark programs
 * init powers the machine off at the end of every mode, so QEMU's exit
 * status says how the run went.
 */
#include <stdio.h>
#include <string.h>

#include <ferry/ferry.h>
#include <uapi/ferry/proto/procmgr.h>

#include "init.h"

const char *const init_envp[] = {"PATH=/", "HOME=/", NULL};

/*
 * Priorities (docs/architecture.md, "Scheduling"): the kernel starts init
 * at PRIO_MAX with MCP PRIO_MAX; init starts the shell at PRIO_SHELL and
 * every other program (tests, benchmarks) as the shell starts programs,
 * at PRIO_DEFAULT with MCP PRIO_USER_MCP, so none can reach either.
 */
/*
 * Everything init starts itself (the shell, the tests, the benchmarks)
 * gets the platform capability as "platform": init passes it on to these
 * and to nobody else (docs/process.md, "Platform rights").
 */
static long init_spawn(const char *const *argv)
{
	static const char *const names[] = {"platform", "nsright"};
	cap_t caps[] = {CAP_INIT_PLATFORM, -1};
	struct fy_spawn_attr a = {.prio = SPAWN_SCHED_DEFAULT,
				  .mcp = PRIO_USER_MCP,
				  .ncaps = 1,
				  .names = names,
				  .caps = caps};

	/* Tests may register names under "ferry.test" (docs/naming.md). */
	if (!strncmp(argv[0], "tests/", 6) &&
	    (caps[1] = init_ns_test_right()) >= 0)
		a.ncaps = 2;

	if (!strcmp(argv[0], "sh")) {
		/* Above PRIO_USER_MCP: init's privilege with procmgr. */
		a.prio = PRIO_SHELL;
		a.mcp = PRIO_SHELL;
		a.flags = PROCMGR_SPAWN_PRIVILEGED;
	}
	return fy_spawn_caps(argv[0], argv, init_envp, &a);
}

long init_run_argv(const char *const *argv, long *status)
{
	long proc, st;

	proc = init_spawn(argv);
	if (proc < 0)
		return proc;
	st = fy_proc_wait((cap_t)proc);
	fy_cap_delete((cap_t)proc);
	if (st < 0)
		return st;
	*status = st;
	return 0;
}

long init_run_one(const char *path, long *status)
{
	const char *argv[] = {path, NULL};

	return init_run_argv(argv, status);
}

static int mode_run(void)
{
	long status, err;

	err = init_run_one("sh", &status);
	if (err < 0) {
		printf("init: cannot run sh: error %ld\n", err);
		return 1;
	}
	return 0;
}

/*
 * Missing benchmark programs are skipped: not every build has them all.
 * tools/qemu.sh boots this mode under -icount, where rdtsc counts guest
 * instructions; "--icount" tells the programs so, and they label their
 * figures insns_per_op (user/apps/bench/bench.h).
 */
static int mode_bench(void)
{
	static const char *const progs[] = {"bench", "ipcbench"};
	int failed = 0;

	for (size_t i = 0; i < sizeof(progs) / sizeof(progs[0]); i++) {
		const char *argv[] = {progs[i], "--icount", NULL};
		long status, err = init_run_argv(argv, &status);

		if (err == -ENOENT)
			continue;
		if (err < 0 || status != PROC_STATUS_EXITED(0)) {
			printf("init: %s failed: error %ld status 0x%lx\n",
			       progs[i], err, err < 0 ? 0 : status);
			failed = 1;
		}
	}
	return failed;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "run";
	int code;

	/* Console output must not wait in a buffer if a child crashes us. */
	setvbuf(stdout, NULL, _IONBF, 0);
	/* Every mode runs with the console served from user space. */
	if (init_console_start() < 0)
		printf("init: no console server; the kernel's console "
		       "serves\n");
	/* After the console: its messages go through the console server. */
	if (init_fs_start() < 0)
		printf("init: no file server\n");
	/* Before procmgr, which gives it to every process. */
	if (init_ns_start() < 0)
		printf("init: no name server\n");
	/* Every other program starts through procmgr. */
	if (init_procmgr_start() < 0)
		printf("init: no process manager: no program can start\n");
	if (!strcmp(mode, "test")) {
		code = init_mode_test(argc > 2 ? argv[2] : NULL);
	} else if (!strcmp(mode, "bench")) {
		code = mode_bench();
	} else {
		if (strcmp(mode, "run"))
			printf("init: unknown mode '%s', running the shell\n",
			       mode);
		code = mode_run();
	}
	fy_poweroff(code);
	/* The kernel gave init the platform capability; without it: */
	printf("init: cannot power off\n");
	for (;;)
		fy_yield();
}
