/*
 * sh: reads a line, runs a builtin or spawns the initrd program named by
 * the first word, and waits for it unless the line ends in `&` (then it
 * is a background job: jobs.c). The console server hands read(0) one
 * edited line at a time, so stdio's line reading is all we need. End of
 * input ends the shell. While a foreground program runs, the console
 * server knows it as the foreground process, which Ctrl-C kills;
 * background jobs are never the foreground, so Ctrl-C spares them.
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

/* Prints why a spawn failed. */
static void spawn_error(const char *name, long err)
{
	if (err == -ENOENT)
		printf("sh: %s: not found\n", name);
	else if (err == -ENOEXEC)
		/* The loader takes static, non-PIE x86_64 ELF executables. */
		printf("sh: %s: cannot run: not a static x86_64 executable "
		       "(ENOEXEC)\n",
		       name);
	else
		printf("sh: %s: cannot run: %s (error %ld)\n", name,
		       strerror((int)-err), err);
}

/* Shows a status unless it is a plain exit 0: "[exit 3]". */
static void show_status(long status)
{
	char st[48];

	if (status == 0)
		return;
	sh_status_text(status, st, sizeof(st));
	printf("[%s]\n", st);
}

static void run_program(char **words, int background)
{
	long proc, status, id;

	/* Below our own priority: a program cannot starve the shell. */
	proc = fy_spawn_sched(words[0], (const char *const *)words, sh_envp,
			      SPAWN_SCHED_DEFAULT, PRIO_USER_MCP);
	if (proc < 0) {
		spawn_error(words[0], proc);
		return;
	}
	if (background) {
		id = sh_job_add((cap_t)proc, words);
		if (id < 0) {
			printf("sh: %s: cannot run in the background: %s\n",
			       words[0],
			       id == -EAGAIN ? "too many jobs (see `jobs`)"
					     : strerror((int)-id));
			fy_proc_kill((cap_t)proc);
			fy_cap_delete((cap_t)proc);
			return;
		}
		printf("[%ld] %u %s\n", id, sh_job_pid(id), words[0]);
		return;
	}
	/* The console server's Ctrl-C kills it (-ENOTTY without one). */
	fy_syscall3(SYS_ioctl, 0, CONSOLE_IOCTL_SETFG, proc);
	status = fy_proc_wait((cap_t)proc);
	fy_syscall3(SYS_ioctl, 0, CONSOLE_IOCTL_SETFG, -1);
	fy_cap_delete((cap_t)proc);
	show_status(status);
}

/*
 * A trailing `&`, alone or glued to the last word, asks for the
 * background. Returns 1 and removes it, 0 if there is none, -1 for a
 * line that is only `&`.
 */
static int take_ampersand(char **words, int *n)
{
	char *last = words[*n - 1];
	size_t len = strlen(last);

	if (last[len - 1] != '&')
		return 0;
	if (len == 1) {
		words[--*n] = NULL;
		return *n ? 1 : -1;
	}
	last[len - 1] = '\0';
	return 1;
}

int main(void)
{
	char line[SH_LINE_MAX];
	char *words[SH_MAX_WORDS];
	int quit = 0;

	while (!quit) {
		int n, bg;

		sh_jobs_report_done();
		printf("ferry$ ");
		fflush(stdout);
		if (!fgets(line, sizeof(line), stdin))
			break;
		n = sh_split(line, words, SH_MAX_WORDS);
		if (n < 0) {
			printf("sh: unclosed quote or too many words\n");
			continue;
		}
		if (n == 0)
			continue;
		bg = take_ampersand(words, &n);
		if (bg < 0) {
			printf("sh: nothing to run before `&`\n");
			continue;
		}
		if (bg && sh_is_builtin(words[0])) {
			printf("sh: %s: a builtin cannot run in the "
			       "background\n",
			       words[0]);
			continue;
		}
		if (!bg && sh_builtin(words, n, &quit))
			continue;
		run_program(words, bg);
	}
	return 0;
}
