/*
 * Long copies into user memory that another thread of the process unmaps
 * half way (getrandom, pmo_read, pmo_write), and two threads still in
 * long calls when the process exits. Each call must stop at the hole
 * with what Linux or the contract says (getrandom: the bytes written
 * before it; pmo_read/pmo_write: -EFAULT), the kernel must live on, and
 * the exit must end both calls and free everything (init's leak check).
 */
#include <stdatomic.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>

#include <ferry/ferry.h>

#include "tap.h"

#define MIB (1ul << 20)
#define BIG (32 * MIB)
#define MS 1000000l

static char stack[3][16384] __attribute__((aligned(16)));
static atomic_int phase, done_unmap, stop, stopped;
static char *volatile victim;

static void sleep_ms(long ms)
{
	struct timespec ts = {0, ms * MS};

	fy_syscall2(SYS_nanosleep, (long)&ts, 0);
}

/* Top priority: unmaps the victim's second half while main copies. */
static void unmapper(void *arg)
{
	(void)arg;
	while (!atomic_load(&stop)) {
		sleep_ms(1);
		if (atomic_load(&phase) && !atomic_load(&done_unmap)) {
			munmap(victim + BIG / 2, BIG / 2);
			atomic_store(&done_unmap, 1);
		}
	}
	atomic_store(&stopped, 1);
	fy_thread_exit();
}

static char *fresh(void)
{
	char *b = mmap(0, BIG, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	return b == MAP_FAILED ? 0 : b;
}

/* Runs one copy into a buffer that loses its second half meanwhile. */
static long with_hole(int kind, long pmo)
{
	long r;

	victim = fresh();
	if (!victim)
		return -ENOMEM;
	atomic_store(&done_unmap, 0);
	sleep_ms(1); /* just after a tick: the copy spans the next one */
	atomic_store(&phase, 1);
	if (kind == 0)
		r = fy_syscall3(SYS_getrandom, (long)victim, BIG, 0);
	else if (kind == 1)
		r = fy_pmo_read((cap_t)pmo, 0, victim, BIG);
	else
		r = fy_pmo_write((cap_t)pmo, 0, victim, BIG);
	atomic_store(&phase, 0);
	for (int i = 0; i < 100 && !atomic_load(&done_unmap); i++)
		sleep_ms(1);
	munmap(victim, BIG / 2);
	return r;
}

static void spinner_call(void *arg)
{
	char *b = arg;

	/* Killed by the process's exit in the middle of it. */
	for (;;)
		fy_syscall3(SYS_getrandom, (long)b, BIG, 0);
}

int main(void)
{
	long t = fy_thread_create(CAP_SELF_GROUP, unmapper,
				  stack[0] + sizeof(stack[0]), 0, 0);
	long pmo = fy_pmo_create(BIG, PMO_ANONYMOUS), r;
	char *a, *b;

	if (!tap_ok(t >= 0 && pmo >= 0, "a thread and a PMO") ||
	    !tap_eq(fy_thread_set_prio((cap_t)t, PRIO_USER_MCP), 0,
		    "the thread at the top priority"))
		return tap_done();
	r = with_hole(0, pmo);
	tap_ok(atomic_load(&done_unmap) && r > 0 && r <= (long)BIG / 2,
	       "getrandom stops at the hole with the bytes before it (%ld)", r);
	r = with_hole(1, pmo);
	tap_ok(atomic_load(&done_unmap) && r == -EFAULT,
	       "pmo_read into a buffer unmapped half way: -EFAULT (%ld)", r);
	r = with_hole(2, pmo);
	tap_ok(atomic_load(&done_unmap) && r == -EFAULT,
	       "pmo_write from a buffer unmapped half way: -EFAULT (%ld)", r);
	/* The kernel lives on: a good call still works. */
	char small[64];
	tap_eq(fy_syscall3(SYS_getrandom, (long)small, sizeof(small), 0),
	       (long)sizeof(small), "a small getrandom still works");
	atomic_store(&stop, 1);
	for (int i = 0; i < 100 && !atomic_load(&stopped); i++)
		sleep_ms(10);
	tap_ok(atomic_load(&stopped), "the unmapper stops");
	fy_cap_delete((cap_t)pmo);
	/* Two threads in endless long calls when the process exits. */
	a = fresh();
	b = fresh();
	tap_ok(a && b, "two buffers");
	tap_ok(fy_thread_create(CAP_SELF_GROUP, spinner_call,
				stack[1] + sizeof(stack[1]), a, 0) >= 0 &&
		       fy_thread_create(CAP_SELF_GROUP, spinner_call,
					stack[2] + sizeof(stack[2]), b, 0) >= 0,
	       "two threads filling 32 MiB each, forever");
	sleep_ms(50);
	return tap_done(); /* exit_group: both die mid-call */
}
