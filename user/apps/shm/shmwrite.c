/*
 * shmwrite KEY TEXT [-r]: puts TEXT (NUL-terminated) at the start of the
 * System V segment KEY (a number, 0x.. for hex), making it (4 KiB, mode
 * 0666) if it does not exist; -r removes it afterwards (IPC_RMID: the
 * key goes at once, the memory with its last detach). With shmread, a
 * demo of two processes sharing memory from the shell; an unmodified
 * Linux program. Exit 0, or 1 with the reason.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/shm.h>

#define SIZE 4096

int main(int argc, char **argv)
{
	key_t key;
	char *p;
	int id;

	if (argc < 3) {
		fprintf(stderr, "usage: shmwrite KEY TEXT [-r]\n");
		return 1;
	}
	key = (key_t)strtol(argv[1], NULL, 0);
	id = shmget(key, SIZE, IPC_CREAT | 0666);
	if (id < 0) {
		perror("shmwrite: shmget");
		return 1;
	}
	p = shmat(id, NULL, 0);
	if (p == (void *)-1) {
		perror("shmwrite: shmat");
		return 1;
	}
	strncpy(p, argv[2], SIZE - 1);
	p[SIZE - 1] = '\0';
	shmdt(p);
	if (argc > 3 && !strcmp(argv[3], "-r") && shmctl(id, IPC_RMID, 0)) {
		perror("shmwrite: IPC_RMID");
		return 1;
	}
	printf("shmwrite: key 0x%x, shmid %d: %zu bytes\n", (unsigned)key, id,
	       strlen(argv[2]) + 1);
	return 0;
}
