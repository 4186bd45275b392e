/*
 * shm_procs' scenario (user/tests/shm_procs.h) under Linux 6.1, with the
 * same child programs, started by fork and exec from the root:
 *
 *   make   # builds build/user/{shmwrite,shmread,helpers/lx_shm_hold}
 *   musl-gcc -static -O2 -Iuser/tests -o /tmp/lrs tools/linux-ref-shm.c \
 *       user/tests/tap.c
 *   ../shared/linux-ref/run.sh -f build/user/shmwrite -f build/user/shmread \
 *       -f build/user/helpers/lx_shm_hold /tmp/lrs
 *
 * Every line must say "ok".
 */
#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "shm_procs.h"

static long l_spawn(const char *const *argv)
{
	char path[64];
	pid_t p;

	snprintf(path, sizeof(path), "/%s", argv[0]);
	p = fork();
	if (p == 0) {
		execv(path, (char *const *)argv);
		_exit(127);
	}
	return p;
}

static int l_pid(long h)
{
	return (int)h;
}

static long l_wait(long h)
{
	int st;

	return waitpid((pid_t)h, &st, 0) == h ? st : -1;
}

static void l_kill(long h)
{
	kill((pid_t)h, SIGKILL);
}

int main(void)
{
	static const struct peer_ops ops = {l_spawn, l_pid, l_wait, l_kill};

	shm_procs_run(&ops);
	return tap_done();
}
