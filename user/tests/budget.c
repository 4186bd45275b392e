/*
 * Memory budgets (docs/architecture.md, "Memory budgets"):
 * SYS_proc_set_budget and SYS_proc_budget with good and bad arguments,
 * and helpers/mem_hog lowered to a small budget before it runs (spawned
 * below our priority, so it starts only when we wait) spending it every
 * way: -ENOMEM where a syscall allocates, the out-of-memory kill where a
 * fault needs memory (its own, or the kernel's copy into its memory),
 * while we keep allocating and working. Last, a hog
 * that takes every free frame is killed with the same report. After
 * each, our own usage is back where it was.
 */
#include <string.h>
#include <time.h>

#include <ferry/ferry.h>

#include "tap.h"
#include "util.h"

#define HOG "helpers/mem_hog"
#define HOG_PRIO 1 /* below ours: it runs only while we wait or sleep */

static const char *const envp[] = {NULL};

static struct proc_budget budget_of(long proc)
{
	struct proc_budget pb = {0, 0};
	long r = fy_proc_budget((cap_t)proc, &pb);

	if (r)
		tap_diag("proc_budget(%ld) = %ld", proc, r);
	return pb;
}

/*
 * A hog in MODE whose limit is what it uses before it runs plus `room`
 * pages, in *limit; its process cap or a negative errno.
 */
static long hog_spawn(const char *mode, unsigned long room,
		      unsigned long *limit)
{
	const char *argv[] = {HOG, mode, NULL};
	long proc =
		spawn_platform(HOG, argv, envp, HOG_PRIO, SPAWN_SCHED_DEFAULT);
	long r;

	if (proc < 0)
		return proc;
	/* Room 0: its limit stays the one it inherited (ours). */
	*limit = room ? budget_of(proc).used_pages + room
		      : budget_of(proc).limit_pages;
	r = room ? fy_proc_set_budget((cap_t)proc, *limit) : 0;
	if (r) {
		tap_diag("proc_set_budget = %ld", r);
		fy_proc_kill((cap_t)proc);
		fy_proc_wait((cap_t)proc);
		fy_cap_delete((cap_t)proc);
		return r;
	}
	return proc;
}

/* Runs a hog to its end: its wait status, or a negative errno. */
static long hog_run(const char *mode, unsigned long room, unsigned long *limit)
{
	long proc = hog_spawn(mode, room, limit), status;

	if (proc < 0)
		return proc;
	status = fy_proc_wait((cap_t)proc);
	fy_cap_delete((cap_t)proc);
	return status;
}

static void test_read(void)
{
	struct proc_budget pb = budget_of(CAP_SELF_GROUP);

	tap_ok(pb.used_pages > 0 && pb.used_pages < pb.limit_pages,
	       "proc_budget(self): %llu of %llu pages", pb.used_pages,
	       pb.limit_pages);
	/* init's budget is all of RAM, and we inherit its limit. */
	tap_eq((long)pb.limit_pages, fy_kstat(KSTAT_TOTAL_FRAMES),
	       "our limit is init's: all of RAM");
	tap_eq(fy_proc_budget(CAP_SELF_GROUP, KERNEL_PTR), -EFAULT,
	       "proc_budget to a kernel pointer is -EFAULT");
	tap_eq(fy_proc_budget(CAP_SELF_GROUP, NULL), -EFAULT,
	       "proc_budget to NULL is -EFAULT");
	tap_eq(fy_proc_budget(99999, &pb), -ECAPBILITY,
	       "proc_budget(99999) is -ECAPBILITY");
	tap_eq(fy_proc_budget(CAP_SELF_VMSPACE, &pb), -ECAPBILITY,
	       "proc_budget on a vmspace cap is -ECAPBILITY");
}

static void test_set_errors(void)
{
	struct proc_budget me = budget_of(CAP_SELF_GROUP), child;
	const char *argv[] = {"helpers/spinner", NULL};
	long proc, weak, r;

	proc = fy_spawn_sched("helpers/spinner", argv, envp, HOG_PRIO,
			      SPAWN_SCHED_DEFAULT);
	tap_ok(proc >= 0, "spawn a spinner below our priority (%ld)", proc);
	child = budget_of(proc);
	tap_eq((long)child.limit_pages, (long)me.limit_pages,
	       "a spawned child inherits our limit");
	tap_ok(child.used_pages > 0, "its ELF, stack and objects count (%llu)",
	       child.used_pages);
	tap_eq(fy_proc_set_budget((cap_t)proc, 0), -EINVAL,
	       "a limit of 0 is -EINVAL");
	tap_eq(fy_proc_set_budget((cap_t)proc, me.limit_pages + 1), -EPERM,
	       "above our own limit is -EPERM");
	tap_eq(fy_proc_set_budget((cap_t)proc, ~0ul), -EINVAL,
	       "2^64-1 pages is -EINVAL");
	tap_eq(fy_proc_set_budget((cap_t)proc, child.used_pages - 1), -EBUSY,
	       "below what it uses is -EBUSY");
	tap_eq(fy_proc_set_budget(99999, 100), -ECAPBILITY,
	       "a bad cap is -ECAPBILITY");
	tap_eq(fy_proc_set_budget(CAP_SELF_VMSPACE, 100), -ECAPBILITY,
	       "a vmspace cap is -ECAPBILITY");
	weak = fy_cap_copy((cap_t)proc, CAP_RIGHT_ALL & ~CAP_RIGHT_CONTROL);
	tap_eq(fy_proc_set_budget((cap_t)weak, child.used_pages + 10),
	       -ECAPBILITY, "without CONTROL it is -ECAPBILITY");
	fy_cap_delete((cap_t)weak);
	tap_eq(fy_proc_budget(CAP_SELF_GROUP, &me), 0, "our budget again");
	tap_eq(budget_of(proc).limit_pages, child.limit_pages,
	       "the refused calls left its limit alone");
	r = fy_proc_set_budget((cap_t)proc, child.used_pages);
	tap_eq(r, 0, "down to exactly what it uses");
	tap_eq((long)budget_of(proc).limit_pages, (long)child.used_pages,
	       "which proc_budget reads back");
	tap_eq(fy_proc_set_budget((cap_t)proc, me.limit_pages), 0,
	       "and up again, to our own limit");
	tap_eq(fy_proc_kill((cap_t)proc), 0, "kill it");
	tap_eq(fy_proc_wait((cap_t)proc), PROC_STATUS_KILLED(PROC_SIG_KILL),
	       "it is dead");
	tap_eq(fy_proc_set_budget((cap_t)proc, 100), -ESRCH,
	       "setting a dead process's limit is -ESRCH");
	/* Only its struct is left, held by our cap. */
	tap_eq((long)budget_of(proc).used_pages, 1,
	       "a dead process still reads: its struct, 1 page");
	fy_cap_delete((cap_t)proc);
	/* A process may lower itself, never raise itself. */
	tap_eq(fy_proc_set_budget(CAP_SELF_GROUP, me.limit_pages + 1), -EPERM,
	       "raising our own limit is -EPERM");
	tap_eq(fy_proc_set_budget(CAP_SELF_GROUP, me.limit_pages), 0,
	       "setting it to itself is allowed");
}

/* Each helper run ends with our usage back where it was. */
static void check_own(unsigned long before, const char *after)
{
	tap_eq((long)budget_of(CAP_SELF_GROUP).used_pages, (long)before,
	       "our usage is back after %s", after);
}

static void test_enomem(unsigned long own)
{
	unsigned long limit;

	tap_eq(hog_run("pmo", 24, &limit), PROC_STATUS_EXITED(0),
	       "pmo_write, data PMO, threads, cap table: -ENOMEM at the "
	       "limit, room again after a free");
	check_own(own, "the pmo hog");
	tap_eq(hog_run("thread", 24, &limit), PROC_STATUS_EXITED(0),
	       "passive threads until -ENOMEM");
	check_own(own, "the thread hog");
	tap_eq(hog_run("ipc", 64, &limit), PROC_STATUS_EXITED(0),
	       "a client at its limit: its server still touches the shm and "
	       "answers; a new connection is -ENOMEM");
	check_own(own, "the ipc hog");
}

/* A fault past the budget kills, with a report naming the process. */
static void test_fault_kills(unsigned long own)
{
	static const char *const modes[] = {"touch", "mmap", "brk", "copy"};

	for (unsigned i = 0; i < 4; i++) {
		unsigned long limit;
		/* A room of its own per mode: each report is distinct. */
		long st = hog_run(modes[i], 30 + i, &limit);

		tap_eq(st, PROC_STATUS_KILLED(PROC_SIG_KILL),
		       "%s past the budget: killed with SIGKILL", modes[i]);
		tap_diag("console-once-from: mem_hog out of memory: used %lu "
			 "of %lu pages; killed (SIGKILL)",
			 limit, limit);
		check_own(own, modes[i]);
	}
}

/*
 * While a hog sits at its limit, we allocate and fault as ever. Our new
 * page tables stay with our vmspace: the usage after, which the hog's
 * death must not change, is returned.
 */
static unsigned long test_others_unaffected(void)
{
	struct timespec ts = {0, 5 * 1000 * 1000};
	unsigned long limit, own;
	long proc = hog_spawn("hold", 28, &limit), pmo, data, r = -1;
	int i;

	tap_ok(proc >= 0, "a hog that holds its budget (%ld)", proc);
	for (i = 0; i < 400 && budget_of(proc).used_pages < limit; i++)
		nanosleep(&ts, NULL);
	tap_eq((long)budget_of(proc).used_pages, (long)limit,
	       "it is at its limit");
	data = fy_pmo_create(256 * PAGE_SIZE_4K, PMO_DATA);
	tap_ok(data >= 0, "we still get a 1 MiB data PMO");
	pmo = fy_pmo_create(256 * PAGE_SIZE_4K, PMO_ANONYMOUS);
	if (pmo >= 0)
		r = fy_pmo_map(CAP_SELF_GROUP, (cap_t)pmo, SCRATCH_VA,
			       VM_READ | VM_WRITE);
	tap_eq(r, 0, "and map 1 MiB");
	if (!r) {
		volatile char *p = (volatile char *)SCRATCH_VA;
		int bad = 0;

		for (unsigned long j = 0; j < 256; j++)
			p[j * PAGE_SIZE_4K] = (char)j;
		for (unsigned long j = 0; j < 256; j++)
			bad += p[j * PAGE_SIZE_4K] != (char)j;
		tap_eq(bad, 0, "whose 256 pages fault in and hold data");
		fy_pmo_unmap(CAP_SELF_GROUP, SCRATCH_VA);
	}
	fy_cap_delete((cap_t)pmo);
	fy_cap_delete((cap_t)data);
	own = budget_of(CAP_SELF_GROUP).used_pages;
	tap_eq(fy_proc_kill((cap_t)proc), 0, "kill the hog");
	tap_eq(fy_proc_wait((cap_t)proc), PROC_STATUS_KILLED(PROC_SIG_KILL),
	       "it is gone");
	fy_cap_delete((cap_t)proc);
	check_own(own, "the holding hog");
	return own;
}

/* No free frame at all: the faulting process gets the same report. */
static void test_global(unsigned long own)
{
	long free = fy_kstat(KSTAT_FREE_FRAMES), pmo;
	unsigned long limit;

	tap_eq(hog_run("global", 0, &limit), PROC_STATUS_KILLED(PROC_SIG_KILL),
	       "a hog that takes every free frame is killed with SIGKILL");
	tap_diag("console-once-from: mem_hog out of memory: used * of %lu "
		 "pages, no free frame; killed (SIGKILL)",
		 limit);
	tap_ok(fy_kstat(KSTAT_FREE_FRAMES) >= free - 8,
	       "its frames are free again (%ld, was %ld)",
	       fy_kstat(KSTAT_FREE_FRAMES), free);
	pmo = fy_pmo_create(64 * PAGE_SIZE_4K, PMO_DATA);
	tap_ok(pmo >= 0, "and we allocate again");
	fy_cap_delete((cap_t)pmo);
	check_own(own, "the global hog");
}

int main(void)
{
	unsigned long own;

	test_read();
	test_set_errors();
	own = budget_of(CAP_SELF_GROUP).used_pages;
	test_enomem(own);
	test_fault_kills(own);
	own = test_others_unaffected();
	test_global(own);
	return tap_done();
}
