/*
 * shm_procs' scenario: processes sharing System V segments, and what
 * their exit and death leave. Shared by the system test (shm_procs.c,
 * processes spawned through procmgr) and by tools/linux-ref-shm.c (fork
 * and exec under Linux 6.1), so every value checked here was first seen
 * under Linux: the programs it starts are the same binaries
 * (shmwrite, shmread from user/apps/shm, helpers/lx_shm_hold).
 */
#ifndef TESTS_SHM_PROCS_H
#define TESTS_SHM_PROCS_H

#include <errno.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <time.h>

#include "tap.h"

/* How each side starts and ends a process. */
struct peer_ops {
	/* Starts NAME (shmwrite, shmread, lx_shm_hold) with argv: a handle. */
	long (*spawn)(const char *const *argv);
	int (*pid)(long h);
	long (*wait)(long h); /* its wait status (Linux's encoding) */
	void (*kill)(long h); /* SIGKILL */
};

#define PROCS_KEY 0x5eed1234
#define PROCS_KEY_STR "0x5eed1234"
#define PROCS_TEXT "hello from another process"
#define PROCS_REPLY "reply from the parent"
#define PROCS_PID_AT 128

static struct shmid_ds procs_stat(int id)
{
	struct shmid_ds d;

	memset(&d, 0xee, sizeof(d));
	shmctl(id, IPC_STAT, &d);
	return d;
}

/* Waits up to 10 s for the holder to say it attached (its pid at 128). */
static int procs_attached(volatile char *p, int pid)
{
	for (int i = 0; i < 1000; i++) {
		if (*(volatile int *)(p + PROCS_PID_AT) == pid)
			return 1;
		nanosleep(&(struct timespec){0, 10000000}, NULL);
	}
	return 0;
}

static void shm_procs_run(const struct peer_ops *o)
{
	const char *wr[] = {"shmwrite", PROCS_KEY_STR, PROCS_TEXT, NULL};
	const char *rd[] = {"shmread", PROCS_KEY_STR, NULL};
	const char *chk[] = {"lx_shm_hold", PROCS_KEY_STR, "check", PROCS_REPLY,
			     NULL};
	const char *ex[] = {"lx_shm_hold", PROCS_KEY_STR, "exit", NULL};
	const char *wt[] = {"lx_shm_hold", PROCS_KEY_STR, "wait", NULL};
	struct shmid_ds d;
	long h, st;
	int pid, id;
	char *p;

	/* shmwrite makes the keyed segment and writes into it. */
	h = o->spawn(wr);
	pid = o->pid(h);
	tap_eq(o->wait(h), 0, "shmwrite KEY TEXT: exit 0");
	id = shmget(PROCS_KEY, 0, 0);
	tap_ok(id >= 0, "its key finds the segment it made");
	d = procs_stat(id);
	tap_eq(d.shm_cpid, pid, "IPC_STAT: cpid is shmwrite's pid");
	tap_eq(d.shm_lpid, pid, "IPC_STAT: lpid is shmwrite's pid");
	tap_eq(d.shm_nattch, 0, "IPC_STAT: nattch 0 after its shmdt");
	tap_eq(d.shm_segsz, 4096, "IPC_STAT: segsz 4096");
	tap_eq(d.shm_perm.mode, 0666, "IPC_STAT: mode 0666");
	tap_ok(d.shm_atime > 0 && d.shm_dtime >= d.shm_atime,
	       "IPC_STAT: atime and dtime set");
	p = shmat(id, NULL, 0);
	tap_ok(p != (void *)-1 && !strcmp(p, PROCS_TEXT),
	       "attached here: the text another process wrote");
	/* Our write shows in another process. */
	strcpy(p, PROCS_REPLY);
	h = o->spawn(chk);
	pid = o->pid(h);
	tap_eq(o->wait(h), 0, "a child reads what we wrote (exit 0)");
	d = procs_stat(id);
	tap_eq(d.shm_nattch, 1, "nattch 1: ours");
	tap_eq(d.shm_lpid, pid, "lpid: the child's (its exit detached it)");
	h = o->spawn(rd);
	tap_eq(o->wait(h), 0, "shmread KEY: exit 0");
	/* Exit without shmdt: both attaches go with the process. */
	h = o->spawn(ex);
	pid = o->pid(h);
	st = o->wait(h);
	tap_eq(st, 3 << 8, "a child attached twice exits 3 without shmdt");
	tap_eq(*(int *)(p + PROCS_PID_AT), pid, "it had attached (its pid)");
	d = procs_stat(id);
	tap_eq(d.shm_nattch, 1, "its exit detached both: nattch 1");
	tap_eq(d.shm_lpid, pid, "lpid: the exited child's");
	/* Killed while attached. */
	h = o->spawn(wt);
	pid = o->pid(h);
	tap_ok(procs_attached(p, pid), "a child attached twice and waits");
	tap_eq(procs_stat(id).shm_nattch, 3, "nattch 3");
	o->kill(h);
	tap_eq(o->wait(h), 9, "killed by SIGKILL");
	d = procs_stat(id);
	tap_eq(d.shm_nattch, 1, "its death detached both: nattch 1");
	tap_eq(d.shm_lpid, pid, "lpid: the killed child's");
	/* Removed while only the child holds it: its death frees it. */
	h = o->spawn(wt);
	pid = o->pid(h);
	tap_ok(procs_attached(p, pid), "a child attached and waits");
	tap_eq(shmdt(p), 0, "we detach");
	tap_eq(shmctl(id, IPC_RMID, 0), 0, "IPC_RMID while the child holds it");
	d = procs_stat(id);
	tap_eq(d.shm_nattch, 2, "nattch 2 (the child's)");
	tap_eq(d.shm_perm.mode, 0666 | 01000, "mode has SHM_DEST");
	tap_eq(shmget(PROCS_KEY, 0, 0), -1, "the key is free at once");
	o->kill(h);
	tap_eq(o->wait(h), 9, "the child is killed");
	tap_eq(shmctl(id, IPC_STAT, &d), -1, "its death freed the segment");
	tap_eq(errno, EINVAL, "IPC_STAT: EINVAL");
	h = o->spawn(rd);
	tap_eq(o->wait(h), 1 << 8, "shmread of the freed key: exit 1");
}

#endif
