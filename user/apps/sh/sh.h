/* The Ferry shell: a line reader, a word splitter, builtins and jobs. */
#ifndef SH_SH_H
#define SH_SH_H

#include <stddef.h>

#include <uapi/ferry/cap.h>

#define SH_MAX_WORDS 64
#define SH_MAX_JOBS 8  /* background jobs at once */
#define SH_JOB_NAME 48 /* bytes of a job's command line kept for `jobs` */

/*
 * Splits line in place into at most max-1 words and NULL-terminates
 * words[]. Blanks separate words; "double quotes" keep blanks inside a
 * word. Returns the word count, or -1 for an unclosed quote or too many
 * words.
 */
int sh_split(char *line, char **words, int max);

/*
 * Runs words[0] if it is a builtin and returns 1 (setting *quit for
 * `exit`); returns 0 if it is not one.
 */
int sh_builtin(char **words, int n, int *quit);
int sh_is_builtin(const char *name);

/* "done", "exit 3", "killed by signal 9" for a wait status. */
void sh_status_text(long status, char *buf, size_t len);

/*
 * Makes the running process `proc` (our cap, now the job's) background
 * job: returns its job number, -EAGAIN with SH_MAX_JOBS jobs already, or
 * the error of creating its waiter thread (the caller then still owns
 * proc).
 */
long sh_job_add(cap_t proc, char **words);
/* Job id's pid (0 if unknown). */
unsigned sh_job_pid(long id);
/* Prints and forgets the jobs that have ended since the last call. */
void sh_jobs_report_done(void);
/* `jobs`: the shell's children, with their pids and state. */
void sh_jobs_list(void);
/* `kill N`: ends job N (or %N) and reports it; 1 for an unknown job. */
int sh_jobs_kill(const char *arg);
/* `wait [N]`: waits for job N, or for every job, and reports them. */
int sh_jobs_wait(const char *arg);

#endif
