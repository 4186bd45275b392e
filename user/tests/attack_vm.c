/*
 * Two threads of one process race each other through the preemptible
 * memory calls (munmap, MAP_FIXED, mprotect, getrandom and pmo_read into
 * a buffer being unmapped). A top-priority thread wakes every tick, so
 * it runs in the middle of the other's long call.
 *
 * The bug this guards: munmap used to cut its regions and then drop the
 * PTEs in chunks; a mapping made by another thread in that window, at
 * the same address, saw the old pages through the PTEs not yet dropped
 * (fresh anonymous memory not zero, and its writes lost when the munmap
 * went on). Linux serializes the two calls (mmap_lock).
 */
#include <stdatomic.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>

#include <ferry/ferry.h>

#include "tap.h"

#define MIB (1ul << 20)
#define BIG (64 * MIB)
#define HEAP (128 * MIB)
#define ROUNDS 3 /* at least; more until the intruder got in */
#define MAX_ROUNDS 16
#define MS 1000000l

static char stack[16384] __attribute__((aligned(16)));
static atomic_int phase; /* 1 while main is inside its long call */
static atomic_int round_no, checked, stop, stopped;
static atomic_long stale, lost, hits, same_addr;
static char *volatile main_buf;

static void sleep_ms(long ms)
{
	struct timespec ts = {0, ms * MS};

	fy_syscall2(SYS_nanosleep, (long)&ts, 0);
}

/* What the top-priority thread does while main is in a long call. */
static void intruder_round(void)
{
	char *q = mmap(0, BIG, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	size_t last = BIG - 4096;

	if (q == MAP_FAILED)
		return;
	atomic_fetch_add(&hits, 1);
	if (q == main_buf)
		atomic_fetch_add(&same_addr, 1);
	/* Fresh anonymous memory reads as zeros, every page of it. */
	for (size_t off = 0; off < BIG; off += 16 * 4096)
		if (q[off] || q[off + 4095])
			atomic_fetch_add(&stale, 1);
	q[0] = 0x77;
	q[last] = 0x77;
	while (atomic_load(&phase) && !atomic_load(&stop))
		sleep_ms(1);
	/* What it wrote stays, whatever the other call did meanwhile. */
	if (q[0] != 0x77 || q[last] != 0x77)
		atomic_fetch_add(&lost, 1);
	munmap(q, BIG);
}

static atomic_long brk_seen, brk_got;

/* The intruder's part of the brk race: grow the heap by 1 MiB. */
static void intruder_brk(void)
{
	long b = fy_syscall1(SYS_brk, 0);

	atomic_store(&brk_seen, b);
	atomic_store(&brk_got, fy_syscall1(SYS_brk, b + (long)MIB));
}

static void intruder(void *arg)
{
	int seen = 0;

	(void)arg;
	while (!atomic_load(&stop)) {
		sleep_ms(1);
		if (atomic_load(&phase) && atomic_load(&round_no) != seen) {
			seen = atomic_load(&round_no);
			if (seen == 999)
				intruder_brk();
			else
				intruder_round();
			atomic_store(&checked, seen);
		}
	}
	atomic_store(&stopped, 1);
	fy_thread_exit();
}

static char *touched(void)
{
	char *b = mmap(0, BIG, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (b == MAP_FAILED)
		return 0;
	for (size_t i = 0; i < BIG; i += 4096)
		memset(b + i, 0x5a, 4096);
	return b;
}

static long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000l + ts.tv_nsec;
}

/*
 * The intruder wakes at a tick (10 ms), so it gets in only if a tick
 * falls inside main's call; on a fast, idle host a 64 MiB munmap may
 * take less than a tick. Start each round at another phase of the tick
 * (0, 2.5, 5, 7.5 ms after it) and go on past ROUNDS until it got in.
 */
static void start_at_phase(int r)
{
	long until;

	sleep_ms(1); /* returns just after a tick */
	until = now_ns() + (r % 4) * 2500000l;
	while (now_ns() < until)
		;
}

/* One long call by main with the intruder let in; 0 if it went wrong. */
static void race(const char *what, int kind)
{
	atomic_store(&stale, 0);
	atomic_store(&lost, 0);
	atomic_store(&hits, 0);
	atomic_store(&same_addr, 0);
	int r;

	for (r = 1; r <= MAX_ROUNDS; r++) {
		char *b;

		if (r > ROUNDS && atomic_load(&hits) > 0)
			break;
		b = touched();
		long ret = 0;

		if (!b)
			break;
		main_buf = b;
		atomic_store(&round_no, r + 100 * kind);
		start_at_phase(r);
		atomic_store(&phase, 1);
		if (kind == 0)
			ret = munmap(b, BIG);
		else
			ret = mmap(b, BIG, PROT_READ | PROT_WRITE,
				   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1,
				   0) == b
				      ? 0
				      : -1;
		atomic_store(&phase, 0);
		if (ret)
			tap_diag("%s failed in round %d", what, r);
		for (int i = 0;
		     i < 200 && atomic_load(&checked) != atomic_load(&round_no);
		     i++)
			sleep_ms(1);
		if (kind == 1) {
			/* MAP_FIXED gave fresh memory: zeros. */
			for (size_t i = 0; i < BIG; i += 64 * 4096)
				if (b[i])
					atomic_fetch_add(&stale, 1);
			munmap(b, BIG);
		}
	}
	tap_ok(atomic_load(&hits) > 0,
	       "%s: the other thread ran during it (%ld of %d rounds, %ld at "
	       "the same address)",
	       what, atomic_load(&hits), r - 1, atomic_load(&same_addr));
	tap_eq(atomic_load(&stale), 0,
	       "%s: a mapping made meanwhile reads as zeros", what);
	tap_eq(atomic_load(&lost), 0, "%s: what that mapping was written keeps",
	       what);
}

/*
 * brk: main shrinks a touched 128 MiB heap (preemptible) while the
 * intruder grows it. Either order is fine, but the break must agree
 * with what is mapped: before, the shrink stored its break last, over
 * the intruder's, leaving a mapped MiB above a break that could then
 * never grow again.
 */
static void race_brk(void)
{
	long cur = fy_syscall1(SYS_brk, 0), end, fin;
	char *h = (char *)cur;

	end = fy_syscall1(SYS_brk, cur + (long)HEAP);
	if (!tap_eq(end, cur + (long)HEAP, "brk grows by 128 MiB"))
		return;
	for (size_t i = 0; i < HEAP; i += 4096)
		h[i] = 0x5a;
	atomic_store(&checked, 0);
	atomic_store(&round_no, 999);
	/* Just after a tick: the shrink (~25 ms) spans the intruder's next. */
	sleep_ms(1);
	atomic_store(&phase, 1);
	tap_eq(fy_syscall1(SYS_brk, cur), cur, "brk shrinks back");
	atomic_store(&phase, 0);
	for (int i = 0; i < 500 && atomic_load(&checked) != 999; i++)
		sleep_ms(1);
	tap_ok(atomic_load(&checked) == 999,
	       "the intruder's brk ran during the shrink");
	fin = fy_syscall1(SYS_brk, 0);
	tap_eq(atomic_load(&brk_got), atomic_load(&brk_seen) + (long)MIB,
	       "the intruder's brk grew the break it saw");
	tap_eq(fin, cur + (long)MIB, "the break is the shrink's plus 1 MiB");
	/* The break agrees with the mappings: it can grow and shrink. */
	tap_eq(fy_syscall1(SYS_brk, fin + (long)BIG), fin + (long)BIG,
	       "the heap grows again past the intruder's MiB");
	h[0] = 1;
	h[BIG - 1] = 1;
	tap_eq(fy_syscall1(SYS_brk, cur), cur, "and shrinks to where it was");
}

int main(void)
{
	long t = fy_thread_create(CAP_SELF_GROUP, intruder,
				  stack + sizeof(stack), 0, 0);

	if (!tap_ok(t >= 0, "an intruder thread") ||
	    !tap_eq(fy_thread_set_prio((cap_t)t, PRIO_USER_MCP), 0,
		    "at the top priority"))
		return tap_done();
	race("munmap of 64 MiB", 0);
	race("MAP_FIXED over 64 MiB", 1);
	race_brk();
	atomic_store(&stop, 1);
	for (int i = 0; i < 100 && !atomic_load(&stopped); i++)
		sleep_ms(10);
	tap_ok(atomic_load(&stopped), "the intruder stops");
	return tap_done();
}
