/*
 * ipcs: lists the System V shared memory segments alive, as util-linux's
 * `ipcs -m` does: SHM_INFO for the highest index in use, then
 * SHM_STAT_ANY for each index up to it (a free index is -EINVAL).
 * An unmodified Linux program (no libferry), so it runs on Linux too.
 *
 *   ipcs        key, shmid, owner, perms, bytes, nattch, status, cpid, lpid
 */
#include <errno.h>
#include <stdio.h>
#include <sys/ipc.h>
#include <sys/shm.h>

#ifndef SHM_STAT_ANY
#define SHM_STAT_ANY 15
#endif
#define SHM_DEST 01000
#define SHM_LOCKED 02000

int main(void)
{
	struct shm_info info;
	int max = shmctl(0, SHM_INFO, (struct shmid_ds *)&info);

	if (max < 0) {
		perror("ipcs: shmctl(SHM_INFO)");
		return 1;
	}
	printf("------ Shared Memory Segments (%d, %lu pages, %lu resident) "
	       "------\n",
	       info.__used_ids, info.shm_tot, info.shm_rss);
	printf("%-10s %-10s %-6s %-6s %-10s %-6s %-12s %-6s %s\n", "key",
	       "shmid", "owner", "perms", "bytes", "nattch", "status", "cpid",
	       "lpid");
	for (int i = 0; i <= max; i++) {
		struct shmid_ds d;
		int id = shmctl(i, SHM_STAT_ANY, &d);

		if (id < 0)
			continue; /* a free index */
		printf("0x%08x %-10d %-6u %-6o %-10zu %-6lu %-12s %-6d %d\n",
		       (unsigned)d.shm_perm.__key, id, d.shm_perm.uid,
		       d.shm_perm.mode & 0777, d.shm_segsz,
		       (unsigned long)d.shm_nattch,
		       (d.shm_perm.mode & SHM_DEST)	? "dest"
		       : (d.shm_perm.mode & SHM_LOCKED) ? "locked"
							: "",
		       d.shm_cpid, d.shm_lpid);
	}
	return 0;
}
