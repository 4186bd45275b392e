/*
 * shmread KEY [-r]: prints the text at the start of the System V segment
 * KEY (attached read-only) and who made and last used it; -r removes the
 * segment afterwards. shmwrite's other half; an unmodified Linux program.
 * Exit 0, or 1 with the reason (-ENOENT: no such key).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/shm.h>

int main(int argc, char **argv)
{
	struct shmid_ds d;
	key_t key;
	char *p;
	int id;

	if (argc < 2) {
		fprintf(stderr, "usage: shmread KEY [-r]\n");
		return 1;
	}
	key = (key_t)strtol(argv[1], NULL, 0);
	id = shmget(key, 0, 0);
	if (id < 0) {
		perror("shmread: shmget");
		return 1;
	}
	p = shmat(id, NULL, SHM_RDONLY);
	if (p == (void *)-1 || shmctl(id, IPC_STAT, &d)) {
		perror("shmread: shmat");
		return 1;
	}
	printf("%.*s\n", (int)strnlen(p, d.shm_segsz), p);
	printf("shmread: shmid %d, %zu bytes, made by pid %d, nattch %lu\n", id,
	       d.shm_segsz, d.shm_cpid, (unsigned long)d.shm_nattch);
	shmdt(p);
	if (argc > 2 && !strcmp(argv[2], "-r") && shmctl(id, IPC_RMID, 0)) {
		perror("shmread: IPC_RMID");
		return 1;
	}
	return 0;
}
