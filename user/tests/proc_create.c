/*
 * Empty processes built from user space: SYS_proc_create, SYS_proc_start,
 * SYS_proc_info and SYS_cap_transfer into a chosen slot.
 *
 * The child runs a few hand-assembled instructions (no ELF): they store
 * the thread's argument into a page shared with us and exit with code
 * 7. Held threads must not run before proc_start; an unstarted process
 * whose last capability goes (or that is killed) must leave nothing
 * behind, and the kernel counters tell.
 */
#include <string.h>
#include <time.h>

#include <ferry/ferry.h>

#include "tap.h"
#include "util.h"

#define CODE_VA 0x400000ul
#define DATA_VA 0x500000ul
#define STACK_VA 0x600000ul
#define MARK 0x1234abcdul

/*
 *   push %rdi; pop %rax        the argument, through the stack
 *   mov %rax, 0x500000         into the shared page
 *   mov $231, %eax; mov $7, %edi; syscall    exit_group(7)
 *   ud2
 */
static const unsigned char blob_mark[] = {
	0x57, 0x58, 0x48, 0x89, 0x04, 0x25, 0x00, 0x00, 0x50, 0x00, 0xb8, 0xe7,
	0x00, 0x00, 0x00, 0xbf, 0x07, 0x00, 0x00, 0x00, 0x0f, 0x05, 0x0f, 0x0b,
};

/*
 *   mov $0x1004, %eax; mov $9, %edi; syscall   SYS_proc_exit(9): native
 *   mov $231, %eax; mov $3, %edi; syscall      exit_group(3): -ENOSYS above
 *   ud2
 */
static const unsigned char blob_native[] = {
	0xb8, 0x04, 0x10, 0x00, 0x00, 0xbf, 0x09, 0x00, 0x00,
	0x00, 0x0f, 0x05, 0xb8, 0xe7, 0x00, 0x00, 0x00, 0xbf,
	0x03, 0x00, 0x00, 0x00, 0x0f, 0x05, 0x0f, 0x0b,
};

/* jmp . */
static const unsigned char blob_spin[] = {0xeb, 0xfe};

static volatile uint64_t *shared; /* our view of the child's DATA_VA */
static long shared_pmo;

static long frames_now(void)
{
	return fy_kstat(KSTAT_FREE_FRAMES);
}

static long objects_now(void)
{
	return fy_kstat(KSTAT_LIVE_OBJECTS);
}

/* A PMO holding `len` bytes of code, mapped RX at CODE_VA in proc. */
static long map_code(long proc, const void *code, size_t len)
{
	long pmo = fy_pmo_create(PAGE_SIZE_4K, PMO_DATA);
	long r;

	if (pmo < 0)
		return pmo;
	r = fy_pmo_write((cap_t)pmo, 0, code, len);
	if (!r)
		r = fy_pmo_map((cap_t)proc, (cap_t)pmo, CODE_VA,
			       VM_READ | VM_EXEC);
	fy_cap_delete((cap_t)pmo); /* the mapping holds it */
	return r;
}

/* A one-page stack at STACK_VA in proc. */
static long map_stack(long proc)
{
	long pmo = fy_pmo_create(PAGE_SIZE_4K, PMO_ANONYMOUS);
	long r;

	if (pmo < 0)
		return pmo;
	r = fy_pmo_map((cap_t)proc, (cap_t)pmo, STACK_VA, VM_READ | VM_WRITE);
	fy_cap_delete((cap_t)pmo);
	return r;
}

/* An active thread at CODE_VA with arg; returns its cap. */
static long new_thread(long proc, uint64_t arg, unsigned flags)
{
	return fy_syscall5(SYS_thread_create, proc, (long)CODE_VA,
			   (long)(STACK_VA + PAGE_SIZE_4K), (long)arg, flags);
}

/* A process with code, the shared page, a stack and (nthreads) threads. */
static long build(const char *name, unsigned flags, const void *code,
		  size_t len, int nthreads, long *threads)
{
	long proc = fy_proc_create(name, flags);

	if (proc < 0)
		return proc;
	if (map_code(proc, code, len) ||
	    fy_pmo_map((cap_t)proc, (cap_t)shared_pmo, DATA_VA,
		       VM_READ | VM_WRITE) ||
	    map_stack(proc))
		goto fail;
	for (int i = 0; i < nthreads; i++) {
		threads[i] = new_thread(proc, MARK, 0);
		if (threads[i] < 0)
			goto fail;
	}
	return proc;
fail:
	tap_diag("building %s failed", name);
	fy_cap_delete((cap_t)proc);
	return -1;
}

static void test_create_errors(void)
{
	char name[40];
	long p;

	tap_eq(fy_proc_create(NULL, 0), -EFAULT,
	       "proc_create(NULL) is -EFAULT");
	tap_eq(fy_proc_create(KERNEL_PTR, 0), -EFAULT,
	       "proc_create(kernel pointer) is -EFAULT");
	tap_eq(fy_proc_create(unmapped_ptr(), 0), -EFAULT,
	       "proc_create(unmapped name) is -EFAULT");
	tap_eq(fy_proc_create("", 0), -EINVAL, "an empty name is -EINVAL");
	tap_eq(fy_proc_create("x", 2), -EINVAL, "unknown flag 2 is -EINVAL");
	tap_eq(fy_syscall2(SYS_proc_create, (long)"x", 1l << 32), -EINVAL,
	       "unknown flag 1 << 32 is -EINVAL");
	memset(name, 'n', sizeof(name));
	name[32] = '\0';
	tap_eq(fy_proc_create(name, 0), -ENAMETOOLONG,
	       "a 32-byte name is -ENAMETOOLONG");
	name[31] = '\0';
	p = fy_proc_create(name, 0);
	tap_ok(p >= 0, "a 31-byte name is fine (%ld)", p);
	if (p >= 0) {
		struct proc_info pi;

		memset(&pi, 0xff, sizeof(pi));
		tap_eq(fy_proc_info((cap_t)p, &pi), 0, "proc_info on it");
		tap_eq(strcmp(pi.name, name), 0, "its name is kept whole");
		fy_cap_delete((cap_t)p);
	}
}

static void test_run_after_start(void)
{
	struct proc_info pi;
	struct timespec ts = {0, 30 * 1000 * 1000};
	long th, proc, r;

	*shared = 0;
	proc = build("blob", 0, blob_mark, sizeof(blob_mark), 1, &th);
	tap_ok(proc >= 0, "proc_create + map + thread_create (%ld)", proc);
	if (proc < 0)
		return;
	tap_eq(FY_CAP_INFO_RIGHTS(fy_cap_info((cap_t)proc)), CAP_RIGHT_ALL,
	       "the cap has every right");
	tap_eq(fy_proc_info((cap_t)proc, &pi), 0, "proc_info before start");
	tap_eq(pi.state, PROC_STATE_NEW, "state NEW");
	tap_eq(pi.nthreads, 1, "one thread");
	tap_ok(pi.pid > 1, "a pid (%u)", pi.pid);
	tap_eq(strcmp(pi.name, "blob"), 0, "name blob");
	{
		struct proc_budget pb;

		tap_eq(fy_proc_budget((cap_t)proc, &pb), 0, "proc_budget");
		tap_ok(pi.mem_used_pages > 0 &&
			       pi.mem_used_pages == pb.used_pages,
		       "mem_used_pages is the budget's use (%llu)",
		       (unsigned long long)pi.mem_used_pages);
		tap_ok(pi.mem_budget_pages > 0 &&
			       pi.mem_budget_pages == pb.limit_pages,
		       "mem_budget_pages is its limit (%llu)",
		       (unsigned long long)pi.mem_budget_pages);
	}
	for (int i = 0; i < 100; i++)
		fy_yield();
	nanosleep(&ts, NULL);
	tap_eq(*shared, 0, "nothing ran before proc_start (100 yields, 30 ms)");
	tap_eq(fy_proc_start((cap_t)proc), 0, "proc_start");
	tap_eq(fy_proc_start((cap_t)proc), -EINVAL,
	       "proc_start twice is -EINVAL");
	r = fy_proc_wait((cap_t)proc);
	tap_eq(r, PROC_STATUS_EXITED(7), "it ran and exited 7 (0x%lx)", r);
	tap_eq(*shared, MARK, "it stored its argument through its stack");
	tap_eq(fy_proc_info((cap_t)proc, &pi), 0, "proc_info after exit");
	tap_eq(pi.state, PROC_STATE_EXITED, "state EXITED");
	tap_eq(pi.exit_status, PROC_STATUS_EXITED(7), "exit status 7");
	tap_eq(pi.nthreads, 0, "no thread left");
	tap_eq(fy_proc_start((cap_t)proc), -ESRCH,
	       "proc_start on a dead process is -ESRCH");
	tap_eq(fy_thread_set_prio((cap_t)th, 1), -ESRCH, "its thread is dead");
	fy_cap_delete((cap_t)th);
	fy_cap_delete((cap_t)proc);
}

static void test_native_flag(void)
{
	long th, proc;

	proc = build("native", PROC_CREATE_NATIVE, blob_native,
		     sizeof(blob_native), 1, &th);
	tap_eq(fy_proc_start((cap_t)proc), 0, "start a native one");
	tap_eq(fy_proc_wait((cap_t)proc), PROC_STATUS_EXITED(9),
	       "PROC_CREATE_NATIVE: SYS_proc_exit(9) works");
	fy_cap_delete((cap_t)th);
	fy_cap_delete((cap_t)proc);
	proc = build("linux", 0, blob_native, sizeof(blob_native), 1, &th);
	tap_eq(fy_proc_start((cap_t)proc), 0, "start a Linux one");
	tap_eq(fy_proc_wait((cap_t)proc), PROC_STATUS_EXITED(3),
	       "without the flag SYS_proc_exit is -ENOSYS, exit_group(3) ends "
	       "it");
	fy_cap_delete((cap_t)th);
	fy_cap_delete((cap_t)proc);
}

static void test_running_state_and_kill(void)
{
	struct proc_info pi;
	long th, proc;

	proc = build("spin", 0, blob_spin, sizeof(blob_spin), 1, &th);
	tap_eq(fy_proc_start((cap_t)proc), 0, "start a spinner");
	tap_eq(fy_proc_info((cap_t)proc, &pi), 0, "proc_info while it runs");
	tap_eq(pi.state, PROC_STATE_RUNNING, "state RUNNING");
	tap_eq(fy_proc_kill((cap_t)proc), 0, "kill it");
	tap_eq(fy_proc_wait((cap_t)proc), PROC_STATUS_KILLED(PROC_SIG_KILL),
	       "killed by 9");
	fy_cap_delete((cap_t)th);
	fy_cap_delete((cap_t)proc);
}

static void test_start_info_errors(void)
{
	static const cap_t bad[] = {-1, 99999, CAP_TABLE_MAX, 0x7fffffff};
	struct proc_info pi;
	long proc = fy_proc_create("err", 0), noctl, pmo;

	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		tap_eq(fy_proc_start(bad[i]), -ECAPBILITY,
		       "proc_start(%d) is -ECAPBILITY", bad[i]);
		tap_eq(fy_proc_info(bad[i], &pi), -ECAPBILITY,
		       "proc_info(%d) is -ECAPBILITY", bad[i]);
	}
	pmo = fy_pmo_create(PAGE_SIZE_4K, PMO_ANONYMOUS);
	tap_eq(fy_proc_start((cap_t)pmo), -ECAPBILITY,
	       "proc_start on a PMO is -ECAPBILITY");
	tap_eq(fy_proc_info((cap_t)pmo, &pi), -ECAPBILITY,
	       "proc_info on a PMO is -ECAPBILITY");
	fy_cap_delete((cap_t)pmo);
	noctl = fy_cap_copy((cap_t)proc, CAP_RIGHT_ALL & ~CAP_RIGHT_CONTROL);
	tap_ok(noctl >= 0, "a copy without CONTROL (%ld)", noctl);
	tap_eq(fy_proc_start((cap_t)noctl), -ECAPBILITY,
	       "proc_start without CONTROL is -ECAPBILITY");
	tap_eq(fy_proc_info((cap_t)noctl, &pi), -ECAPBILITY,
	       "proc_info without CONTROL is -ECAPBILITY");
	tap_eq(fy_proc_info((cap_t)proc, NULL), -EFAULT,
	       "proc_info(NULL) is -EFAULT");
	tap_eq(fy_proc_info((cap_t)proc, KERNEL_PTR), -EFAULT,
	       "proc_info(kernel pointer) is -EFAULT");
	tap_eq(fy_proc_info((cap_t)proc, (void *)0x7ffffffffff0ul), -EFAULT,
	       "proc_info across the top of user space is -EFAULT");
	tap_eq(fy_proc_info((cap_t)proc, unmapped_ptr()), -EFAULT,
	       "proc_info(unmapped) is -EFAULT");
	tap_eq(fy_proc_start(CAP_SELF_GROUP), -EINVAL,
	       "proc_start on ourselves (started at birth) is -EINVAL");
	tap_eq(fy_proc_info(CAP_SELF_GROUP, &pi), 0, "proc_info on ourselves");
	tap_eq(pi.state, PROC_STATE_RUNNING, "we are RUNNING");
	tap_ok(pi.nthreads >= 1 && pi.cpu_time_ns > 0,
	       "we have a thread and used CPU (%u, %llu ns)", pi.nthreads,
	       (unsigned long long)pi.cpu_time_ns);
	/* The noctl copy is not CONTROL but still counts as a holder. */
	fy_cap_delete((cap_t)proc);
	tap_eq(fy_proc_info((cap_t)proc, &pi), -ECAPBILITY,
	       "the deleted cap is gone");
	fy_cap_delete((cap_t)noctl);
}

static void test_empty_start(void)
{
	struct proc_info pi;
	long proc = fy_proc_create("empty", 0);

	tap_eq(fy_proc_start((cap_t)proc), 0, "proc_start with no thread is 0");
	tap_eq(fy_proc_wait((cap_t)proc), PROC_STATUS_EXITED(0),
	       "... and it has ended with status 0");
	tap_eq(fy_proc_info((cap_t)proc, &pi), 0, "proc_info");
	tap_eq(pi.state, PROC_STATE_EXITED, "state EXITED");
	tap_eq(fy_thread_create((cap_t)proc, NULL, (void *)STACK_VA, NULL, 0),
	       -ESRCH, "no thread can be made in it now");
	fy_cap_delete((cap_t)proc);
}

static void test_kill_unstarted(void)
{
	long f0 = frames_now(), o0 = objects_now();
	long th[2], proc, r;

	*shared = 0;
	proc = build("victim", 0, blob_mark, sizeof(blob_mark), 2, th);
	tap_eq(fy_proc_kill((cap_t)proc), 0, "kill an unstarted process");
	r = fy_proc_wait((cap_t)proc);
	tap_eq(r, PROC_STATUS_KILLED(PROC_SIG_KILL), "killed by 9 (0x%lx)", r);
	tap_eq(fy_proc_start((cap_t)proc), -ESRCH,
	       "proc_start after the kill is -ESRCH");
	tap_eq(*shared, 0, "its held threads never ran");
	fy_cap_delete((cap_t)th[0]);
	fy_cap_delete((cap_t)th[1]);
	fy_cap_delete((cap_t)proc);
	tap_eq(frames_now(), f0, "frames back after the kill");
	tap_eq(objects_now(), o0, "objects back after the kill");
}

static void test_drop_unstarted(void)
{
	long f0 = frames_now(), o0 = objects_now();
	long th[2], proc, a, b, pmo, r;

	proc = fy_proc_create("bare", 0);
	fy_cap_delete((cap_t)proc);
	tap_eq(objects_now(), o0, "dropping an empty unstarted process");
	tap_eq(frames_now(), f0, "... frees its frames");

	*shared = 0;
	proc = build("held", 0, blob_mark, sizeof(blob_mark), 2, th);
	r = fy_syscall5(SYS_thread_create, proc, (long)CODE_VA, 0, 0,
			THREAD_PASSIVE);
	tap_ok(r >= 0, "a passive thread in it too (%ld)", r);
	tap_eq(fy_cap_transfer((cap_t)proc, (cap_t)proc, CAP_RIGHT_ALL, 7), 7,
	       "its own cap placed in its slot 7 (a cycle)");
	tap_eq(fy_cap_transfer((cap_t)proc, (cap_t)th[0], CAP_RIGHT_ALL, 8), 8,
	       "its thread's cap placed in its slot 8");
	tap_eq(fy_cap_delete((cap_t)proc), 0, "drop our only cap to it");
	tap_eq(fy_thread_set_prio((cap_t)th[0], 1), -ESRCH,
	       "its threads died with it");
	tap_eq(*shared, 0, "and never ran");
	fy_cap_delete((cap_t)th[0]);
	fy_cap_delete((cap_t)th[1]);
	fy_cap_delete((cap_t)r);
	tap_eq(objects_now(), o0, "objects back after dropping it");
	tap_eq(frames_now(), f0, "frames back after dropping it");

	/* Two unstarted processes holding each other, and a PMO. */
	a = fy_proc_create("a", 0);
	b = fy_proc_create("b", 0);
	pmo = fy_pmo_create(4 * PAGE_SIZE_4K, PMO_DATA);
	tap_eq(fy_cap_transfer((cap_t)a, (cap_t)b, CAP_RIGHT_ALL, 2), 2,
	       "b's cap in a's slot 2");
	tap_eq(fy_cap_transfer((cap_t)b, (cap_t)a, CAP_RIGHT_ALL, 2), 2,
	       "a's cap in b's slot 2");
	tap_eq(fy_cap_transfer((cap_t)a, (cap_t)pmo, CAP_RIGHT_ALL, 3), 3,
	       "a PMO in a's slot 3");
	fy_cap_delete((cap_t)pmo);
	fy_cap_delete((cap_t)a);
	tap_eq(objects_now() - o0, 3,
	       "a died: b, its vmspace and a's husk (held by b) remain");
	fy_cap_delete((cap_t)b);
	tap_eq(objects_now(), o0, "no cycle kept either alive");
	tap_eq(frames_now(), f0, "frames back after the cycle");

	/* A started process holding an unstarted one keeps it. */
	a = fy_proc_create("a", 0);
	b = fy_proc_create("b", 0);
	tap_eq(fy_cap_transfer((cap_t)a, (cap_t)b, CAP_RIGHT_ALL, 2), 2,
	       "b's cap in a");
	tap_eq(fy_proc_start((cap_t)a), 0, "start a (threadless: it ends)");
	fy_proc_wait((cap_t)a);
	fy_cap_delete((cap_t)a);
	tap_eq(objects_now() - o0, 2, "b alone is left");
	fy_cap_delete((cap_t)b);
	tap_eq(objects_now(), o0, "objects back");
}

static void test_transfer_slots(void)
{
	long proc = fy_proc_create("slots", 0), pmo, r;

	pmo = fy_pmo_create(PAGE_SIZE_4K, PMO_ANONYMOUS);
	tap_eq(fy_cap_transfer((cap_t)proc, (cap_t)pmo,
			       CAP_RIGHT_READ | CAP_RIGHT_GRANT, 5),
	       5, "cap_transfer into free slot 5");
	tap_eq(fy_cap_transfer((cap_t)proc, (cap_t)pmo, CAP_RIGHT_ALL, 5),
	       -EEXIST, "into slot 5 again is -EEXIST");
	tap_eq(fy_cap_transfer((cap_t)proc, (cap_t)pmo, CAP_RIGHT_ALL, 0),
	       -EEXIST, "into slot 0 (itself) is -EEXIST");
	tap_eq(fy_cap_transfer((cap_t)proc, (cap_t)pmo, CAP_RIGHT_ALL, 1),
	       -EEXIST, "into slot 1 (its vmspace) is -EEXIST");
	tap_eq(fy_cap_transfer((cap_t)proc, (cap_t)pmo, CAP_RIGHT_ALL,
			       CAP_TABLE_MAX),
	       -EINVAL, "into slot CAP_TABLE_MAX is -EINVAL");
	tap_eq(fy_cap_transfer((cap_t)proc, (cap_t)pmo, CAP_RIGHT_ALL, -2),
	       -EINVAL, "into slot -2 is -EINVAL");
	tap_eq(fy_syscall4(SYS_cap_transfer, proc, pmo, CAP_RIGHT_ALL,
			   1l << 32),
	       -EINVAL, "into slot 1 << 32 is -EINVAL");
	tap_eq(fy_cap_transfer((cap_t)proc, (cap_t)pmo, CAP_RIGHT_ALL,
			       CAP_TABLE_MAX - 1),
	       CAP_TABLE_MAX - 1, "into the last slot (the table grows)");
	tap_eq(fy_cap_transfer((cap_t)proc, (cap_t)pmo, CAP_RIGHT_ALL, -1), 2,
	       "-1 takes the lowest free slot (2)");
	tap_eq(fy_cap_transfer((cap_t)proc, 99999, CAP_RIGHT_ALL, 9),
	       -ECAPBILITY, "a bad cap into slot 9 is -ECAPBILITY");
	r = fy_cap_fetch((cap_t)proc, 5, CAP_RIGHT_ALL);
	tap_ok(r >= 0 &&
		       FY_CAP_INFO_TYPE(fy_cap_info((cap_t)r)) ==
			       OBJ_TYPE_PMO &&
		       FY_CAP_INFO_RIGHTS(fy_cap_info((cap_t)r)) ==
			       (CAP_RIGHT_READ | CAP_RIGHT_GRANT),
	       "slot 5 holds the PMO with READ|GRANT only");
	fy_cap_delete((cap_t)r);
	fy_proc_kill((cap_t)proc);
	tap_eq(fy_cap_transfer((cap_t)proc, (cap_t)pmo, CAP_RIGHT_ALL, 6),
	       -ESRCH, "into a dead process is -ESRCH");
	fy_cap_delete((cap_t)pmo);
	fy_cap_delete((cap_t)proc);
}

/* A creator that exits (or is killed) takes its unstarted ones along. */
static void test_orphans(void)
{
	const char *const ret[] = {"helpers/proc_orphans", NULL};
	const char *const kill[] = {"helpers/proc_orphans", "kill", NULL};
	long f0, o0;

	/* A first run warms up what a spawn keeps (page tables, heap). */
	tap_eq(spawn_wait(ret[0], ret), PROC_STATUS_EXITED(0),
	       "a creator leaves four unstarted processes and exits");
	f0 = frames_now();
	o0 = objects_now();
	tap_eq(spawn_wait(ret[0], ret), PROC_STATUS_EXITED(0), "again");
	counts_settle(f0, o0);
	tap_eq(objects_now(), o0, "its exit freed every object of theirs");
	tap_eq(frames_now(), f0, "and every frame");
	tap_eq(spawn_wait(kill[0], kill), PROC_STATUS_KILLED(PROC_SIG_KILL),
	       "a creator killed with four unstarted processes");
	counts_settle(f0, o0);
	tap_eq(objects_now(), o0, "the kill freed every object of theirs");
	tap_eq(frames_now(), f0, "and every frame");
}

static void test_cycles(void)
{
	long f0 = frames_now(), o0 = objects_now(), th, proc;
	int bad = 0;

	for (int i = 0; i < 200; i++) {
		proc = build("cycle", 0, blob_mark, sizeof(blob_mark), 1, &th);
		if (proc < 0) {
			bad++;
			break;
		}
		fy_cap_delete((cap_t)th);
		switch (i % 3) {
		case 0: /* dropped unstarted */
			break;
		case 1: /* killed unstarted */
			bad += fy_proc_kill((cap_t)proc) != 0;
			break;
		case 2: /* run to the end */
			bad += fy_proc_start((cap_t)proc) != 0 ||
			       fy_proc_wait((cap_t)proc) !=
				       PROC_STATUS_EXITED(7);
			break;
		}
		fy_cap_delete((cap_t)proc);
	}
	tap_eq(bad, 0, "200 create/destroy cycles");
	tap_eq(frames_now(), f0, "frames back after 200 cycles");
	tap_eq(objects_now(), o0, "objects back after 200 cycles");
}

/*
 * SYS_pmo_create_for: a PMO charged to another process's budget (a
 * loader's stack and bss for the process it builds).
 */
static void test_pmo_create_for(void)
{
	struct proc_budget child0, child1, mine0, mine1;
	long f0 = frames_now(), o0 = objects_now(), proc, pmo;

	proc = fy_proc_create("charged", 0);
	if (!tap_ok(proc >= 0, "a process to charge (%ld)", proc))
		return;
	tap_eq(fy_pmo_create_for((cap_t)proc, PAGE_SIZE_4K, 7), -EINVAL,
	       "pmo_create_for of an unknown type: -EINVAL");
	tap_eq(fy_pmo_create_for((cap_t)proc, 0, PMO_DATA), -EINVAL,
	       "pmo_create_for of size 0: -EINVAL");
	tap_eq(fy_pmo_create_for(CAP_SELF_VMSPACE, PAGE_SIZE_4K, PMO_DATA),
	       -ECAPBILITY, "pmo_create_for naming a vmspace: -ECAPBILITY");
	tap_eq(fy_pmo_create_for(-1, PAGE_SIZE_4K, PMO_DATA), -ECAPBILITY,
	       "pmo_create_for naming slot -1: -ECAPBILITY");
	fy_proc_budget((cap_t)proc, &child0);
	fy_proc_budget(CAP_SELF_GROUP, &mine0);
	pmo = fy_pmo_create_for((cap_t)proc, 8 * PAGE_SIZE_4K, PMO_DATA);
	tap_ok(pmo >= 0, "8 data pages made for it (%ld)", pmo);
	fy_proc_budget((cap_t)proc, &child1);
	fy_proc_budget(CAP_SELF_GROUP, &mine1);
	tap_ok(child1.used_pages >= child0.used_pages + 8,
	       "they are charged to it (%llu -> %llu pages)", child0.used_pages,
	       child1.used_pages);
	tap_ok(mine1.used_pages < mine0.used_pages + 8,
	       "not to us (%llu -> %llu pages)", mine0.used_pages,
	       mine1.used_pages);
	if (pmo >= 0)
		fy_cap_delete((cap_t)pmo);
	tap_eq(fy_proc_set_budget((cap_t)proc, child0.used_pages + 4), 0,
	       "its budget lowered to 4 pages above its use");
	tap_eq(fy_pmo_create_for((cap_t)proc, 8 * PAGE_SIZE_4K, PMO_DATA),
	       -ENOMEM, "8 data pages past its budget: -ENOMEM");
	fy_cap_delete((cap_t)proc);
	counts_settle(f0, o0);
	tap_eq(frames_now(), f0, "pmo_create_for: frames back");
	tap_eq(objects_now(), o0, "pmo_create_for: objects back");
}

int main(void)
{
	shared_pmo = fy_pmo_create(PAGE_SIZE_4K, PMO_DATA);
	if (shared_pmo < 0 || fy_pmo_map(CAP_SELF_GROUP, (cap_t)shared_pmo,
					 SCRATCH_VA, VM_READ | VM_WRITE))
		tap_diag("no shared page");
	shared = (volatile uint64_t *)SCRATCH_VA;

	test_create_errors();
	test_run_after_start();
	test_native_flag();
	test_running_state_and_kill();
	test_start_info_errors();
	test_empty_start();
	test_kill_unstarted();
	test_drop_unstarted();
	test_transfer_slots();
	test_orphans();
	test_cycles();
	test_pmo_create_for();
	fy_pmo_unmap(CAP_SELF_GROUP, SCRATCH_VA);
	fy_cap_delete((cap_t)shared_pmo);
	return tap_done();
}
