/*
 * The Linux reference for bench's shm_cycle and shm_attach (user/apps/
 * bench/shm.c, the same loops): in guest instructions, under Linux 6.1
 * in the same QEMU with -icount shift=0 so that rdtsc counts them:
 *
 *   musl-gcc -static -O2 -o /tmp/shm_cycle bench/linux/shm_cycle.c
 *   LINUXREF_ICOUNT=1 ../shared/linux-ref/run.sh /tmp/shm_cycle
 *
 * Prints lines in make bench's format.
 */
#include <stdint.h>
#include <stdio.h>
#include <sys/ipc.h>
#include <sys/shm.h>

#define ITERS 2000

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi)::"memory");
	return ((uint64_t)hi << 32) | lo;
}

static uint64_t cycle(long n)
{
	uint64_t t0 = rdtsc();

	for (long i = 0; i < n; i++) {
		int id = shmget(IPC_PRIVATE, 4096, 0600);
		volatile char *p = shmat(id, 0, 0);

		p[0] = 1;
		shmdt((void *)p);
		shmctl(id, IPC_RMID, 0);
	}
	return rdtsc() - t0;
}

static uint64_t attach(int id, long n)
{
	uint64_t t0 = rdtsc();

	for (long i = 0; i < n; i++)
		shmdt(shmat(id, 0, 0));
	return rdtsc() - t0;
}

int main(void)
{
	int id;

	cycle(100);
	printf("bench shm_cycle insns_per_op=%llu\n",
	       (unsigned long long)(cycle(ITERS) / ITERS));
	id = shmget(IPC_PRIVATE, 4096, 0600);
	attach(id, 100);
	printf("bench shm_attach insns_per_op=%llu\n",
	       (unsigned long long)(attach(id, ITERS) / ITERS));
	shmctl(id, IPC_RMID, 0);
	return 0;
}
