/* init's modes, one file each; init.c picks one from the command line. */
#ifndef INIT_INIT_H
#define INIT_INIT_H

extern const char *const init_envp[];

/*
 * Spawns argv[0] with argv, waits, deletes the process cap. 0 with the
 * exit status in *status, or the negative errno of the spawn or wait.
 */
long init_run_argv(const char *const *argv, long *status);
/* The same with argv {path}. */
long init_run_one(const char *path, long *status);

int init_mode_test(void);
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

#endif
