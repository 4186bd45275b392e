/*
 * lx_shm_hold KEY MODE [TEXT]: an unmodified Linux program (built without
 * libferry or the Ferry note: the lx_ prefix) attached to the System V
 * segment KEY, for shm_procs (and tools/linux-ref-shm.c under Linux):
 *   check TEXT  exits 0 if the segment starts with TEXT, else 1
 *   exit        attaches it twice, writes its pid at byte 128, and exits 3
 *               without detaching
 *   wait        the same, then sleeps until killed
 */
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	int id;
	char *p, *q;

	if (argc < 3)
		return 2;
	id = shmget((key_t)strtol(argv[1], NULL, 0), 0, 0);
	p = shmat(id, NULL, 0);
	if (id < 0 || p == (void *)-1)
		return 2;
	if (!strcmp(argv[2], "check"))
		return argc > 3 && !strcmp(p, argv[3]) ? 0 : 1;
	q = shmat(id, NULL, SHM_RDONLY);
	if (q == (void *)-1)
		return 2;
	*(volatile int *)(p + 128) = getpid();
	if (!strcmp(argv[2], "exit"))
		exit(3);
	for (;;)
		nanosleep(&(struct timespec){1, 0}, NULL);
}
