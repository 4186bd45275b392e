/* init's modes, one file each; init.c picks one from the command line. */
#ifndef INIT_INIT_H
#define INIT_INIT_H

extern const char *const init_envp[];

/* Spawns path with argv {path}, waits, deletes the process cap. */
long init_run_one(const char *path, long *status);

int init_mode_test(void);

#endif
