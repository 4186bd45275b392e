/*
 * init starts procmgr (user/servers/procmgr, docs/process.md) with its
 * own loader (loader.c), after the file server it reads programs through,
 * connects to it and hands it that server (PROCMGR_INIT). init's
 * connection is procmgr's privileged one: the shell and the console
 * server may be started above PRIO_USER_MCP through it. From then on
 * libferry's fy_spawn* in init go through procmgr (fy_procmgr_use).
 * procmgr also gets the name server (ns.c), to give every child, and
 * init registers both servers under their system names.
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
	r = fy_procmgr_init_with(fs, init_ns_server());
	if (r < 0) {
		init_unload(p);
		return r;
	}
	init_ns_register("ferry.procmgr", t);
	init_ns_register("ferry.fs", fs);
	/* procmgr lives as long as we do: its cap stays in our table. */
	return r;
}
