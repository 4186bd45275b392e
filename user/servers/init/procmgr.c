/*
 * init starts procmgr (user/servers/procmgr, docs/process.md) with its
 * own loader (loader.c), after the file server it reads programs through,
 * connects to it and hands it that server (PROCMGR_INIT). init's
 * connection is procmgr's privileged one: the shell and the console
 * server may be started above PRIO_USER_MCP through it. From then on
 * libferry's fy_spawn* in init go through procmgr (fy_procmgr_use).
 */
#include <ferry/ferry.h>

#include "init.h"

long init_procmgr_start(void)
{
	static const char *const argv[] = {"procmgr", NULL};
	cap_t fs = init_fs_server();
	long p, t, r;

	if (fs < 0)
		return -ENOENT;
	/* At PRIO_MAX: its reapers run before anything a child could be. */
	p = init_load(argv[0], argv, PRIO_MAX, NULL, 0);
	if (p < 0)
		return p;
	t = fy_cap_fetch((cap_t)p, CAP_SELF_MAIN_THREAD,
			 CAP_RIGHT_CALL | CAP_RIGHT_GRANT);
	if (t < 0) {
		r = t;
		goto out_kill;
	}
	fy_procmgr_use((cap_t)t);
	r = fy_procmgr_init(fs);
	if (r < 0)
		goto out_kill;
	/* procmgr lives as long as we do: its cap stays in our table. */
	return 0;
out_kill:
	fy_proc_kill((cap_t)p);
	fy_proc_wait((cap_t)p);
	fy_cap_delete((cap_t)p);
	return r;
}
