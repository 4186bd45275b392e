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
	cap_t fs = init_fs_server(), p, t;
	long r;

	if (fs < 0)
		return -ENOENT;
	/* At PRIO_MAX: its reapers run before anything a child could be. */
	r = init_load_server("procmgr", NULL, 0,
			     CAP_RIGHT_CALL | CAP_RIGHT_GRANT, &p, &t);
	if (r < 0)
		return r;
	fy_procmgr_use(t);
	r = fy_procmgr_init(fs);
	if (r < 0)
		init_unload(p);
	/* procmgr lives as long as we do: its cap stays in our table. */
	return r;
}
