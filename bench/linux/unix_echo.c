/*
 * The Linux reference for ipcbench's ipc_copy_4k (and ipc_call_empty):
 * a round trip over a Unix-domain stream socket to an echo process, in
 * guest instructions. Run it under Linux 6.1 in the same QEMU as Ferry,
 * with -icount shift=0 so that rdtsc counts instructions:
 *
 *   musl-gcc -static -O2 -o /tmp/unix_echo bench/linux/unix_echo.c
 *   LINUXREF_ICOUNT=1 ../shared/linux-ref/run.sh /tmp/unix_echo
 *
 * Per round trip the client writes N bytes and reads N back; the child
 * reads them into a buffer of its own and writes them back: four copies
 * of N bytes (two in, two out), as in ipc_copy_4k. Prints lines in
 * make bench's format.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#define ITERS 5000
#define MAX 4096

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi)::"memory");
	return ((uint64_t)hi << 32) | lo;
}

/* Reads exactly n bytes (a stream may split them). 0, or -1 at EOF/error. */
static int read_all(int fd, char *b, size_t n)
{
	while (n) {
		ssize_t r = read(fd, b, n);

		if (r <= 0)
			return -1;
		b += r;
		n -= (size_t)r;
	}
	return 0;
}

static void echo(int fd, size_t n)
{
	static char buf[MAX];

	while (read_all(fd, buf, n) == 0)
		if (write(fd, buf, n) != (ssize_t)n)
			break;
	exit(0);
}

static uint64_t empty_loop(long iters)
{
	uint64_t t0 = rdtsc();

	for (long i = 0; i < iters; i++)
		__asm__ volatile("" ::: "memory");
	return rdtsc() - t0;
}

static int run(const char *name, size_t n)
{
	static char buf[MAX];
	int sv[2];
	pid_t pid;
	uint64_t t0 = 0, cycles;

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
		return perror("socketpair"), 1;
	pid = fork();
	if (pid < 0)
		return perror("fork"), 1;
	if (pid == 0) {
		close(sv[0]);
		echo(sv[1], n);
	}
	close(sv[1]);
	for (long i = 0; i < ITERS / 10 + ITERS; i++) {
		if (i == ITERS / 10)
			t0 = rdtsc(); /* after the warm-up */
		buf[0] = (char)i;
		if (write(sv[0], buf, n) != (ssize_t)n ||
		    read_all(sv[0], buf, n) || buf[0] != (char)i)
			return printf("%s: echo failed\n", name), 1;
	}
	cycles = rdtsc() - t0 - empty_loop(ITERS);
	close(sv[0]);
	waitpid(pid, NULL, 0);
	printf("bench %s insns_per_op=%llu\n", name,
	       (unsigned long long)((cycles + ITERS / 2) / ITERS));
	return 0;
}

int main(void)
{
	return run("linux_unix_echo_1b", 1) | run("linux_unix_echo_4k", MAX);
}
