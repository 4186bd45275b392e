/*
 * Raw System V shm calls for the linux_abi_shm* tables: the kernel's own
 * answer, not libc's (musl clamps shmget's size and maps errors to
 * errno). Each returns the result or -errno, as linux_abi.h's lx*.
 */
#ifndef TESTS_LINUX_SHM_H
#define TESTS_LINUX_SHM_H

#include <sys/shm.h>
#include <sys/syscall.h>

#include "linux_abi.h"

static inline long get(long key, long size, long flg)
{
	return lx3(SYS_shmget, key, size, flg);
}
static inline long at(long id, long addr, long flg)
{
	return lx3(SYS_shmat, id, addr, flg);
}
static inline long dt(long addr)
{
	return lx1(SYS_shmdt, addr);
}
static inline long ctl(long id, long cmd, void *buf)
{
	return lx3(SYS_shmctl, id, cmd, buf);
}
/* shm_nattch from IPC_STAT, or -1 if that fails. */
static inline long nattch(long id)
{
	struct shmid_ds d;

	return ctl(id, IPC_STAT, &d) ? -1 : (long)d.shm_nattch;
}

#endif
