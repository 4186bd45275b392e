/*
 * sh: reads a line, runs a builtin or spawns the initrd program named by
 * the first word and waits for it. The console server hands read(0) one
 * edited line at a time, so stdio's line reading is all we need. End of
 * input ends the shell. While a program runs, the console server knows
 * it as the foreground process, which Ctrl-C kills.
 */
#include <stdio.h>
#include <string.h>

#include <ferry/ferry.h>
#include <ferry/status.h>
#include <sys/syscall.h>
#include <uapi/ferry/proto/console.h>

#include "sh.h"

#define SH_LINE_MAX 1024

static const char *const sh_envp[] = {"PATH=/", "HOME=/", NULL};

static void run_program(char **words)
{
	long proc, status;

	/* Below our own priority: a program cannot starve the shell. */
	proc = fy_spawn_sched(words[0], (const char *const *)words, sh_envp,
			      SPAWN_SCHED_DEFAULT, PRIO_USER_MCP);
	if (proc == -ENOENT) {
		printf("sh: %s: not found\n", words[0]);
		return;
	}
	if (proc == -ENOEXEC) {
		/* The loader takes static, non-PIE x86_64 ELF executables. */
		printf("sh: %s: cannot run: not a static x86_64 executable "
		       "(ENOEXEC)\n",
		       words[0]);
		return;
	}
	if (proc < 0) {
		printf("sh: %s: cannot run: %s (error %ld)\n", words[0],
		       strerror((int)-proc), proc);
		return;
	}
	/* The console server's Ctrl-C kills it (-ENOTTY without one). */
	fy_syscall3(SYS_ioctl, 0, CONSOLE_IOCTL_SETFG, proc);
	status = fy_proc_wait((cap_t)proc);
	fy_syscall3(SYS_ioctl, 0, CONSOLE_IOCTL_SETFG, -1);
	fy_cap_delete((cap_t)proc);
	if (status < 0)
		printf("sh: %s: wait failed: error %ld\n", words[0], status);
	else if (fy_status_killed(status))
		printf("sh: %s: killed by signal %d\n", words[0],
		       fy_status_signal(status));
}

int main(void)
{
	char line[SH_LINE_MAX];
	char *words[SH_MAX_WORDS];
	int quit = 0;

	while (!quit) {
		int n;

		printf("ferry$ ");
		fflush(stdout);
		if (!fgets(line, sizeof(line), stdin))
			break;
		n = sh_split(line, words, SH_MAX_WORDS);
		if (n < 0) {
			printf("sh: unclosed quote or too many words\n");
			continue;
		}
		if (n == 0 || sh_builtin(words, n, &quit))
			continue;
		run_program(words);
	}
	return 0;
}
