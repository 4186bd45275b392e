/*
 * System V shm between processes (shm_procs.h's scenario): a keyed
 * segment made by one program and read by another, writes seen across,
 * and the attaches of a process that exits or is killed going with it,
 * the last one freeing a removed segment. The children are unmodified
 * Linux programs spawned through procmgr; tools/linux-ref-shm.c runs
 * the same scenario under Linux 6.1.
 */
#include <ferry/ferry.h>
#include <uapi/ferry/proc.h>

#include "shm_procs.h"

static long f_spawn(const char *const *argv)
{
	char path[64] = "helpers/";

	if (strcmp(argv[0], "lx_shm_hold"))
		return fy_spawn(argv[0], argv, NULL);
	strcat(path, argv[0]);
	return fy_spawn(path, argv, NULL);
}

static int f_pid(long h)
{
	struct proc_info info;

	return h < 0 || fy_proc_info((cap_t)h, &info) < 0 ? -1 : (int)info.pid;
}

static long f_wait(long h)
{
	long st;

	if (h < 0)
		return h;
	st = fy_proc_wait((cap_t)h);
	fy_cap_delete((cap_t)h);
	return st;
}

static void f_kill(long h)
{
	fy_proc_kill((cap_t)h);
}

int main(void)
{
	static const struct peer_ops ops = {f_spawn, f_pid, f_wait, f_kill};

	shm_procs_run(&ops);
	return tap_done();
}
