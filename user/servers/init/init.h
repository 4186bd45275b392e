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

/*
 * The file server (fs.c): starts it with the initrd and keeps it
 * running; 0 or a negative errno (the system then runs without one).
 */
long init_fs_start(void);
/*
 * Puts a cap to the file server (CALL) in proc's slot FY_FS_TEST_SLOT
 * (round 1's way for tests/fs_* to find it): 0, -ENOENT (no server),
 * -EBUSY (the slot was not the first free one), or the transfer's error.
 */
long init_fs_give(cap_t proc);
/* Brings the server's handler pool to its steady size (test mode). */
long init_fs_warm(void);

#endif
