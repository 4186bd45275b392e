/*
 * long_call KIND: makes one long system call with the largest arguments
 * it may, for tests/kernel_time (which measures how long other threads
 * wait meanwhile). Exits 0 if the call gave the expected result; the
 * endless kinds (write, writev) are killed by the test.
 *
 *   pmo_huge   pmo_create(1 GiB, PMO_DATA): -ENOMEM, at once
 *   pmo_big    pmo_create(60% of free memory, PMO_DATA): zeroes it all
 *   pmo_rw     pmo_write then pmo_read of 48 MiB through a user buffer
 *   getrandom  getrandom of 32 MiB
 *   munmap     munmap of 128 MiB of touched memory (PTEs and frames)
 *   mprotect   mprotect of 16 GiB touched every 2 MiB (4 M PTE slots)
 *   mmap_fixed MAP_FIXED over 128 MiB of touched memory (the unmap)
 *   shm_rmid   IPC_RMID of a detached System V segment of 128 MiB touched
 *   shm_lastdt shmdt of the last attach of a removed 128 MiB segment
 *   shm_pieces shmdt of an attach cut into 2500 pieces by mprotect, above
 *              1500 other regions (each piece's search walks past them)
 *   cap_delete cap_delete of the only cap to a 60%-of-memory data PMO
 *   passive_kill  the same PMO, and only a passive thread left: killed
 *   write      write(1) of 64 MiB of TAP comment lines
 *   writev     writev(1) of 8 x 8 MiB of them
 */
#include <string.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>

#include <ferry/ferry.h>

#define MIB (1ul << 20)

static char *filler(size_t n)
{
	static const char line[] = "# long_call: console filler ...........\n";
	char *b = mmap(0, n, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (b == MAP_FAILED)
		return 0;
	for (size_t i = 0; i < n; i++)
		b[i] = line[i % (sizeof(line) - 1)];
	return b;
}

static int pmo_big(void)
{
	size_t size = fy_kstat(KSTAT_FREE_FRAMES) * 4096 / 10 * 6;
	long p = fy_pmo_create(size, PMO_DATA);

	return p >= 0 ? 0 : 1; /* the exit frees it: teardown is timed too */
}

static int pmo_rw(void)
{
	size_t n = 48 * MIB;
	char *b = mmap(0, n, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	long p = fy_pmo_create(n, PMO_ANONYMOUS);

	if (b == MAP_FAILED || p < 0)
		return 1;
	memset(b, 0x5a, n);
	if (fy_pmo_write((cap_t)p, 0, b, n))
		return 2;
	if (fy_pmo_read((cap_t)p, 0, b, n))
		return 3;
	return 0;
}

static int getrandom_big(void)
{
	size_t n = 32 * MIB;
	char *b = mmap(0, n, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (b == MAP_FAILED)
		return 1;
	return fy_syscall3(SYS_getrandom, (long)b, (long)n, 0) == (long)n ? 0
									  : 2;
}

static int munmap_big(void)
{
	size_t n = 128 * MIB;
	char *b = mmap(0, n, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (b == MAP_FAILED)
		return 1;
	for (size_t i = 0; i < n; i += 4096)
		b[i] = 1;
	return munmap(b, n) ? 2 : 0;
}

/*
 * A System V segment of 128 MiB, every page touched, whose frames one
 * call frees: IPC_RMID once detached, or the last shmdt once removed.
 */
static int shm_big(int rmid_first)
{
	size_t n = 128 * MIB;
	int id = shmget(IPC_PRIVATE, n, 0600);
	char *b = shmat(id, 0, 0);

	if (id < 0 || b == (void *)-1)
		return 1;
	for (size_t i = 0; i < n; i += 4096)
		b[i] = 1;
	if (rmid_first)
		return shmctl(id, IPC_RMID, 0) || shmdt(b) ? 2 : 0;
	return shmdt(b) || shmctl(id, IPC_RMID, 0) ? 2 : 0;
}

/*
 * An attachment in 2500 pieces (every other page read-only) above 1500
 * one-page mappings: shmdt unmaps the pieces one at a time (each search
 * and unmap walked the region list from its start before the region
 * tree; now each starts with a descent of the tree).
 */
static int shm_pieces(void)
{
	char *low = (char *)0x200000000ul, *at = (char *)0x300000000ul;
	int id = shmget(IPC_PRIVATE, 2500 * 4096ul, 0600);

	if (id < 0 || shmat(id, at, 0) != at || shmctl(id, IPC_RMID, 0))
		return 1;
	for (size_t i = 0; i < 1500; i++)
		if (mmap(low + i * 4096, 4096, PROT_READ,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1,
			 0) == MAP_FAILED)
			return 2;
	for (size_t i = 1; i < 2500; i += 2)
		if (mprotect(at + i * 4096, 4096, PROT_READ))
			return 3;
	return shmdt(at) ? 4 : 0;
}

/* 128 MiB of touched anonymous memory (PTEs and frames to drop). */
static char *touched(size_t n)
{
	char *b = mmap(0, n, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (b == MAP_FAILED)
		return 0;
	for (size_t i = 0; i < n; i += 4096)
		b[i] = 1;
	return b;
}

/*
 * 16 GiB mapped, one page touched per 2 MiB: 8192 page tables (64 MiB)
 * whose 4 M entries mprotect must drop.
 */
static int mprotect_big(void)
{
	char *base = (char *)0x100000000000ul;

	for (size_t g = 0; g < 16; g++)
		if (mmap(base + (g << 30), 1ul << 30, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1,
			 0) == MAP_FAILED)
			return 1;
	for (size_t off = 0; off < (16ul << 30); off += 2 * MIB)
		base[off] = 1;
	return mprotect(base, 16ul << 30, PROT_READ) == 0 ? 0 : 2;
}

static int mmap_fixed_big(void)
{
	char *b = touched(128 * MIB);

	if (!b)
		return 1;
	return mmap(b, 128 * MIB, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == b
		       ? 0
		       : 2;
}

/* The last capability to a big data PMO goes: its frames are freed. */
static int cap_delete_big(void)
{
	size_t size = fy_kstat(KSTAT_FREE_FRAMES) * 4096 / 10 * 6;
	long p = fy_pmo_create(size, PMO_DATA);
	struct timespec ts = {0, 100000000};

	if (p < 0)
		return 1;
	/* A pause, so that the test can tell creation from deletion. */
	fy_syscall2(SYS_nanosleep, (long)&ts, 0);
	return fy_cap_delete((cap_t)p) ? 2 : 0;
}

static void never_runs(void *arg)
{
	(void)arg;
	fy_thread_exit();
}

/*
 * Holds 60% of memory with only a passive thread left, which cannot die
 * by itself: the killer retires it and frees the process.
 */
static int passive_kill(void)
{
	static char stack[4096] __attribute__((aligned(16)));
	size_t size = fy_kstat(KSTAT_FREE_FRAMES) * 4096 / 10 * 6;

	if (fy_pmo_create(size, PMO_DATA) < 0 ||
	    fy_thread_create(CAP_SELF_GROUP, never_runs, stack + sizeof(stack),
			     0, THREAD_PASSIVE) < 0)
		return 1;
	fy_thread_exit();
}

static int writev_big(void)
{
	struct iovec iov[8];
	char *b = filler(8 * MIB);

	if (!b)
		return 1;
	for (int i = 0; i < 8; i++)
		iov[i] = (struct iovec){b, 8 * MIB};
	fy_syscall3(SYS_writev, 1, (long)iov, 8);
	return 0;
}

static int run(const char *k)
{

	if (!strcmp(k, "pmo_huge"))
		return fy_pmo_create(1ul << 30, PMO_DATA) == -ENOMEM ? 0 : 1;
	if (!strcmp(k, "pmo_big"))
		return pmo_big();
	if (!strcmp(k, "pmo_rw"))
		return pmo_rw();
	if (!strcmp(k, "getrandom"))
		return getrandom_big();
	if (!strcmp(k, "write")) {
		char *b = filler(64 * MIB);

		if (b)
			fy_syscall3(SYS_write, 1, (long)b, 64 * MIB);
		return 0;
	}
	if (!strcmp(k, "writev"))
		return writev_big();
	if (!strcmp(k, "munmap"))
		return munmap_big();
	if (!strcmp(k, "shm_rmid"))
		return shm_big(0);
	if (!strcmp(k, "shm_lastdt"))
		return shm_big(1);
	if (!strcmp(k, "shm_pieces"))
		return shm_pieces();
	if (!strcmp(k, "mprotect"))
		return mprotect_big();
	if (!strcmp(k, "mmap_fixed"))
		return mmap_fixed_big();
	if (!strcmp(k, "cap_delete"))
		return cap_delete_big();
	if (!strcmp(k, "passive_kill"))
		return passive_kill();
	return 9;
}

int main(int argc, char **argv)
{
	int r = run(argc > 1 ? argv[1] : "");
	struct timespec ts = {0, 100000000};

	/* A pause between the call and the exit, so that the test can
	 * tell the call's gaps from the teardown's. */
	fy_syscall2(SYS_nanosleep, (long)&ts, 0);
	return r;
}
