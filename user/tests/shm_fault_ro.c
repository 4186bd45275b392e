/*
 * A write to a SHM_RDONLY attachment faults: the process is killed with
 * SIGSEGV (shmop(2): "the segment is attached for read-only access"),
 * as under Linux 6.1 (run there, the same source: "killed by signal
 * 11"). The segment is removed first, so the death that detaches it
 * also frees it (init's leak check). Plain libc: builds for Linux too.
 */
#include <stdio.h>
#include <sys/ipc.h>
#include <sys/shm.h>

int main(void)
{
	int id = shmget(IPC_PRIVATE, 4096, 0600);
	volatile char *p = shmat(id, NULL, SHM_RDONLY);

	if (id < 0 || p == (void *)-1 || shmctl(id, IPC_RMID, NULL)) {
		printf("not ok 1 - could not make the attachment\n");
		return 1;
	}
	printf("# reading a SHM_RDONLY attachment: %d\n", p[0]);
	printf("# writing it must kill this process with SIGSEGV\n");
	p[0] = 1;
	printf("not ok 1 - the write to a SHM_RDONLY attachment went "
	       "through\n");
	return 1;
}
