/*
 * The shell's background jobs. Each one has a waiter thread in the
 * shell that blocks in SYS_proc_wait and then publishes the status (the
 * kernel has no "has it exited?" query, and the main thread blocks in
 * read(0) between commands). Before each prompt the main thread reports
 * and forgets the jobs whose waiter has published.
 *
 * Protocol between the main thread and a job's waiter:
 *   1. main fills the slot (proc, name), sets `used`, starts the waiter;
 *   2. the waiter stores `status`, then sets `done` (release), then exits
 *      with no further use of its stack: fy_thread_exit is one inline
 *      syscall, so a slot (and its stack) may be reused once `done` is
 *      seen;
 *   3. main, on seeing `done` (acquire), reads `status`, deletes the
 *      process and thread caps and frees the slot.
 * Main may also wait for the process itself (`wait`, `kill`): several
 * waiters of one process are all woken by its exit.
 *
 * A job is named by its pid (`kill 12`) or by its number (`kill %2`).
 * The shell can end only what it started: it holds capabilities to its
 * jobs and to nothing else (procmgr's list, `ps`, shows every process,
 * but naming a pid gives no right over it).
 */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ferry/ferry.h>
#include <ferry/status.h>
#include <sys/syscall.h>
#include <uapi/ferry/proto/console.h>

#include "sh.h"

#define JOB_STACK 4096

struct sh_job {
	int id; /* 1.., shown as [id]; 0 while the slot is free */
	unsigned pid;
	cap_t proc;
	cap_t waiter;
	char name[SH_JOB_NAME];
	long status;	 /* the waiter's result, once done */
	atomic_int done; /* set by the waiter after status */
	_Alignas(16) char stack[JOB_STACK];
};

static struct sh_job jobs[SH_MAX_JOBS];
static int next_id = 1;

static void job_waiter(void *arg)
{
	struct sh_job *j = arg;

	j->status = fy_proc_wait(j->proc);
	atomic_store_explicit(&j->done, 1, memory_order_release);
	fy_thread_exit();
}

/* "[exit 3]"-style text for a wait status (or a wait error). */
void sh_status_text(long status, char *buf, size_t len)
{
	if (status < 0)
		snprintf(buf, len, "wait failed: %s", strerror((int)-status));
	else if (fy_status_killed(status))
		snprintf(buf, len, "killed by signal %d",
			 fy_status_signal(status));
	else if (fy_status_code(status))
		snprintf(buf, len, "exit %d", fy_status_code(status));
	else
		snprintf(buf, len, "done");
}

static void job_report(const struct sh_job *j)
{
	char st[48];

	sh_status_text(j->status, st, sizeof(st));
	printf("[%d] %s  %s\n", j->id, st, j->name);
}

static void job_free(struct sh_job *j)
{
	fy_cap_delete(j->waiter);
	fy_cap_delete(j->proc);
	j->id = 0;
}

/* Blocks until j's waiter has published (its process has exited). */
static void job_join(struct sh_job *j, int foreground)
{
	if (foreground)
		fy_syscall3(SYS_ioctl, 0, CONSOLE_IOCTL_SETFG, j->proc);
	fy_proc_wait(j->proc);
	if (foreground)
		fy_syscall3(SYS_ioctl, 0, CONSOLE_IOCTL_SETFG, -1);
	/* The waiter was woken too; it publishes in a moment. */
	while (!atomic_load_explicit(&j->done, memory_order_acquire))
		fy_yield();
}

long sh_job_add(cap_t proc, char **words)
{
	struct sh_job *j = NULL;
	struct proc_info pi;
	size_t at = 0;
	long t;

	for (int i = 0; i < SH_MAX_JOBS && !j; i++)
		if (!jobs[i].id)
			j = &jobs[i];
	if (!j)
		return -EAGAIN;
	for (int i = 0; words[i] && at + 1 < sizeof(j->name); i++)
		at += (size_t)snprintf(j->name + at, sizeof(j->name) - at,
				       "%s%s", i ? " " : "", words[i]);
	j->proc = proc;
	j->pid = fy_proc_info(proc, &pi) == 0 ? pi.pid : 0;
	j->status = 0;
	atomic_store(&j->done, 0);
	t = fy_thread_create(CAP_SELF_GROUP, job_waiter,
			     j->stack + sizeof(j->stack), j, 0);
	if (t < 0)
		return t;
	j->waiter = (cap_t)t;
	j->id = next_id++;
	return j->id;
}

/* "%N": job N; "N": the job whose pid is N. NULL if none of ours. */
static struct sh_job *job_find(const char *arg)
{
	int by_job = *arg == '%';
	char *end;
	long n;

	arg += by_job;
	n = strtol(arg, &end, 10);
	if (!*arg || *end || n <= 0)
		return NULL;
	for (int i = 0; i < SH_MAX_JOBS; i++)
		if (jobs[i].id &&
		    (by_job ? jobs[i].id == n : (long)jobs[i].pid == n))
			return &jobs[i];
	return NULL;
}

unsigned sh_job_pid(long id)
{
	for (int i = 0; i < SH_MAX_JOBS; i++)
		if (jobs[i].id == id)
			return jobs[i].pid;
	return 0;
}

void sh_jobs_report_done(void)
{
	for (int i = 0; i < SH_MAX_JOBS; i++) {
		struct sh_job *j = &jobs[i];

		if (j->id &&
		    atomic_load_explicit(&j->done, memory_order_acquire)) {
			job_report(j);
			job_free(j);
		}
	}
}

void sh_jobs_list(void)
{
	char st[48];

	printf("JOB  PID   STATE                COMMAND\n");
	for (int i = 0; i < SH_MAX_JOBS; i++) {
		const struct sh_job *j = &jobs[i];

		if (!j->id)
			continue;
		if (atomic_load_explicit(&j->done, memory_order_acquire))
			sh_status_text(j->status, st, sizeof(st));
		else
			snprintf(st, sizeof(st), "running");
		printf("%-4d %-5u %-20s %s\n", j->id, j->pid, st, j->name);
	}
}

int sh_jobs_kill(const char *arg)
{
	struct sh_job *j = job_find(arg);
	long err;

	if (!j) {
		printf("sh: kill: %s: not one of this shell's jobs (see "
		       "`jobs`; the shell can end only what it started)\n",
		       arg);
		return 1;
	}
	err = fy_proc_kill(j->proc);
	if (err < 0) {
		printf("sh: kill: %s: %s\n", arg, strerror((int)-err));
		return 1;
	}
	/* Report it now, not at some later prompt. */
	job_join(j, 0);
	job_report(j);
	job_free(j);
	return 0;
}

int sh_jobs_wait(const char *arg)
{
	struct sh_job *j;
	int waited = 0;

	if (arg) {
		j = job_find(arg);
		if (!j) {
			printf("sh: wait: %s: not one of this shell's jobs "
			       "(see `jobs`)\n",
			       arg);
			return 1;
		}
		job_join(j, 1);
		job_report(j);
		job_free(j);
		return 0;
	}
	/* In job order; Ctrl-C ends the one being waited for. */
	for (;;) {
		j = NULL;
		for (int i = 0; i < SH_MAX_JOBS; i++)
			if (jobs[i].id && (!j || jobs[i].id < j->id))
				j = &jobs[i];
		if (!j)
			break;
		job_join(j, 1);
		job_report(j);
		job_free(j);
		waited++;
	}
	if (!waited)
		printf("sh: wait: no background jobs\n");
	return 0;
}
