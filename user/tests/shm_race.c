/*
 * Two threads of one process race through System V shm on one range.
 * The main thread makes long preemptible calls there: SHM_REMAP over
 * 32 MiB of touched memory, shmdt of a 32 MiB touched attach in pieces,
 * munmap of it all. A top-priority intruder wakes every tick, so it runs
 * in the middle of them, and attaches, detaches, splits, unmaps and
 * re-attaches the same segment over the same range. Whatever the
 * interleaving, no call may crash or hang, and once both are done
 * nattch must be 0 (every region counted once, closed once) and the
 * removed segment must go with its frames (init's leak check).
 */
#include <stdatomic.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <sys/syscall.h>
#include <time.h>

#include <ferry/ferry.h>

#include "tap.h"

#define PG 4096l
#define BIG (32l << 20)
#define R 0x370000000l
#define ROUNDS 30
#define MS 1000000l

static char stack[16384] __attribute__((aligned(16)));
static atomic_int phase, stop, stopped;
static atomic_long ops;
static int seg;

static void sleep_ms(long ms)
{
	struct timespec ts = {0, ms * MS};

	fy_syscall2(SYS_nanosleep, (long)&ts, 0);
}

static long nattch(int id)
{
	struct shmid_ds d;

	return shmctl(id, IPC_STAT, &d) ? -1 : (long)d.shm_nattch;
}

/* One quick operation on the range, the kind chosen by n. */
static void intrude(long n)
{
	long off = (n * 7919 % (BIG / PG)) * PG, a;

	switch (n % 6) {
	case 0: /* an attach elsewhere, split, detached */
		a = fy_syscall3(SYS_shmat, seg, 0, 0);
		if (a > 0) {
			fy_syscall3(SYS_mprotect, a + PG, PG, PROT_READ);
			fy_syscall1(SYS_shmdt, a);
		}
		break;
	case 1: /* a split of whatever is there */
		fy_syscall3(SYS_mprotect, R + off, PG, PROT_READ);
		break;
	case 2: /* a page cut out of whatever is there */
		fy_syscall2(SYS_munmap, R + off, PG);
		break;
	case 3: /* the segment over the range's second half */
		fy_syscall3(SYS_shmat, seg, R + BIG, SHM_REMAP);
		break;
	case 4: /* shmdt at the range's start and in its middle */
		fy_syscall1(SYS_shmdt, R);
		fy_syscall1(SYS_shmdt, R + BIG);
		break;
	default: /* a one-page anonymous mapping over a page */
		fy_syscall6(SYS_mmap, R + off, PG, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
		break;
	}
	atomic_fetch_add(&ops, 1);
}

static void intruder(void *arg)
{
	long n = 0;

	(void)arg;
	while (!atomic_load(&stop)) {
		sleep_ms(1);
		if (atomic_load(&phase))
			intrude(n++);
	}
	atomic_store(&stopped, 1);
	fy_thread_exit();
}

static void touch(long addr, long len)
{
	for (long i = 0; i < len; i += PG)
		*(volatile char *)(addr + i) = 1;
}

int main(void)
{
	long t = fy_thread_create(CAP_SELF_GROUP, intruder,
				  stack + sizeof(stack), 0, 0);
	long bad = 0, n;

	seg = shmget(IPC_PRIVATE, BIG, 0600);
	if (!tap_ok(seg >= 0 && t >= 0, "a 32 MiB segment and an intruder") ||
	    !tap_eq(fy_thread_set_prio((cap_t)t, PRIO_USER_MCP), 0,
		    "at the top priority"))
		return tap_done();
	for (int r = 0; r < ROUNDS; r++) {
		long m = fy_syscall6(
			SYS_mmap, R, 2 * BIG, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);

		if (m != R) {
			bad++;
			break;
		}
		touch(R, 2 * BIG);
		/* The segment's pages too, through a quiet attach. */
		if (fy_syscall3(SYS_shmat, seg, R + 2 * BIG, 0) ==
		    R + 2 * BIG) {
			touch(R + 2 * BIG, BIG);
			fy_syscall1(SYS_shmdt, R + 2 * BIG);
		}
		atomic_store(&phase, 1);
		/* Over 32 MiB of touched pages: a long replace. */
		fy_syscall3(SYS_shmat, seg, R, SHM_REMAP);
		fy_syscall3(SYS_mprotect, R + 8 * PG, 8 * PG, PROT_READ);
		fy_syscall1(SYS_shmdt, R);
		fy_syscall3(SYS_shmat, seg, R, SHM_REMAP);
		fy_syscall2(SYS_munmap, R, 2 * BIG);
		atomic_store(&phase, 0);
		sleep_ms(2); /* the intruder's last call ends */
		fy_syscall2(SYS_munmap, R, 2 * BIG);
		n = nattch(seg);
		if (n != 0) {
			tap_diag("round %d: nattch %ld after all went", r, n);
			bad++;
		}
	}
	atomic_store(&stop, 1);
	for (int i = 0; i < 100 && !atomic_load(&stopped); i++)
		sleep_ms(10);
	tap_ok(atomic_load(&stopped), "the intruder stops");
	tap_ok(atomic_load(&ops) > ROUNDS / 3,
	       "the intruder ran %ld operations in the long calls",
	       atomic_load(&ops));
	tap_eq(bad, 0, "after every round nattch is 0");
	tap_eq(nattch(seg), 0, "nattch 0 at the end");
	tap_eq(shmctl(seg, IPC_RMID, 0), 0, "IPC_RMID");
	tap_eq(nattch(seg), -1, "the segment is gone");
	return tap_done();
}
