/* init's modes, one file each; init.c picks one from the command line. */
#ifndef INIT_INIT_H
#define INIT_INIT_H

#include <ferry/ferry.h>

extern const char *const init_envp[];

/*
 * Spawns argv[0] with argv, waits, deletes the process cap. 0 with the
 * exit status in *status, or the negative errno of the spawn or wait.
 */
long init_run_argv(const char *const *argv, long *status);
/* The same with argv {path}. */
long init_run_one(const char *path, long *status);

/* Runs every tests/ program, or those whose name contains `only`. */
int init_mode_test(const char *only);
/*
 * Starts the console server, makes it the system's console and keeps it
 * running (console.c). 0 or a negative errno (the kernel's console then
 * stays).
 */
long init_console_start(void);
/*
 * Kills the console server and checks that the watcher starts another
 * and that a write goes through it; prints one TAP line. 1 if not.
 */
int init_console_check_restart(void);

/*
 * The file server (fs.c): starts it with the initrd and keeps it
 * running; 0 or a negative errno (the system then runs without one).
 */
long init_fs_start(void);
/* A capability init_load places in the new process before it starts. */
struct init_cap {
	cap_t cap;	 /* ours */
	unsigned rights; /* the mask */
	cap_t slot;	 /* its slot there */
};
/*
 * Loads the initrd program `path` (no leading /) with argv and init's
 * environment, its main thread at prio with MCP prio, places caps, and
 * starts it (loader.c): the process cap, or a negative errno.
 */
long init_load(const char *path, const char *const *argv, int prio,
	       const struct init_cap *caps, unsigned ncaps);
/*
 * init_load at PRIO_MAX of a server, then our cap to its main thread
 * with `rights` (to connect to it): 0 with *proc and *thread, or a
 * negative errno with nothing left behind.
 */
long init_load_server(const char *path, const struct init_cap *caps,
		      unsigned ncaps, unsigned rights, cap_t *proc,
		      cap_t *thread);
/* Kills and reaps a process init started, and drops our cap to it. */
void init_unload(cap_t proc);

/* The file server's main thread (CALL|GRANT), or -1. */
cap_t init_fs_server(void);
/*
 * Starts procmgr (procmgr.c) and hands it the file server: from then on
 * every program but the servers above starts through it. 0 or a
 * negative errno.
 */
long init_procmgr_start(void);
/*
 * The name server (ns.c): started before procmgr with the root right,
 * which init keeps. 0 or a negative errno (the system then runs
 * without names).
 */
long init_ns_start(void);
/* Its thread (CALL|GRANT), or -1. */
cap_t init_ns_server(void);
/* Registers a system name ("ferry.*") for server; reports a failure. */
void init_ns_register(const char *name, cap_t server);
/* Fills the name server's pool of idle handlers (test mode). */
long init_ns_warm(void);
/* The right "ferry.test" init gives every test as "nsright", or -1. */
cap_t init_ns_test_right(void);
/* Brings the server's handler pool to its steady size (test mode). */
long init_fs_warm(void);
/*
 * Kills the file server and checks that the watcher starts another that
 * serves the initrd; prints one TAP line. 1 if not.
 */
int init_fs_check_restart(void);

#endif
