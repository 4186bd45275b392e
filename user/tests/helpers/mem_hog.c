/*
 * helpers/mem_hog MODE: spends its memory budget, which its parent
 * (tests/budget) has set low before it runs, one way per MODE:
 *
 *   pmo     pmo_write commits frames until -ENOMEM; then a data PMO,
 *           a thread and a bigger cap table are -ENOMEM too; freeing
 *           the PMO makes room again. Exits 0.
 *   thread  passive threads until -ENOMEM; exits 0.
 *   ipc     connects to a helpers/ipc_echo of its own with a two-page
 *           shm, spends its budget, then sends a message whose second
 *           page only the server touches: the shm was committed at
 *           registration, so the server lives and answers. A new
 *           connection is -ENOMEM. Exits 0.
 *   hold    commits frames until -ENOMEM, then yields forever: its
 *           parent allocates meanwhile, then kills it.
 *   touch   maps a large anonymous PMO (lazily: it succeeds) and touches
 *           it: killed by the kernel at the fault past the budget.
 *   mmap    the same through Linux mmap.
 *   brk     the same through Linux brk.
 *   copy    maps a lazy PMO, spends the budget, then has the kernel copy
 *           into an untouched page of it (pmo_read): the kernel's fault
 *           in the user-access layer kills it the same way.
 *   global  (its budget is all of RAM) puts all but 64 free frames in
 *           data PMOs, then touches an anonymous mapping: the fault finds
 *           no free frame, and it is killed.
 *
 * Exits 0 when all went as expected, 10 and up naming the check that
 * failed (a "#" line says which); a killed one does not exit at all.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <ferry/ferry.h>
#include <ferry/ipc.h>

#define PAGE_SIZE_4K 4096ul
#define SCRATCH_VA 0x200000000000ul /* as util.h's: nothing else there */
#define BIG_PAGES 4096ul /* 16 MiB: far past any budget the parent sets */

static int fail(int code, const char *what, long got)
{
	dprintf(1, "# mem_hog: %s (got %ld)\n", what, got);
	return code;
}

static struct proc_budget own(void)
{
	struct proc_budget pb = {0, 0};

	fy_proc_budget(CAP_SELF_GROUP, &pb);
	return pb;
}

/* Commits pages of a new anonymous PMO until -ENOMEM: the PMO's cap. */
static long fill(long *pages)
{
	long pmo = fy_pmo_create(BIG_PAGES * PAGE_SIZE_4K, PMO_ANONYMOUS);
	long r = 0;
	char byte = 1;

	*pages = 0;
	if (pmo < 0)
		return pmo;
	while (*pages < (long)BIG_PAGES) {
		r = fy_pmo_write((cap_t)pmo, (size_t)*pages * PAGE_SIZE_4K,
				 &byte, 1);
		if (r)
			break;
		++*pages;
	}
	return r == -ENOMEM ? pmo : (r ? r : -E2BIG);
}

static char stack[4096] __attribute__((aligned(16)));
#define STACK_TOP ((void *)(stack + sizeof(stack) - 8))

static void idle_thread(void *arg)
{
	(void)arg;
	fy_thread_exit();
}

static int mode_pmo(void)
{
	struct proc_budget pb;
	long pmo, pages, r, copy[256];
	int copies = 0;

	pmo = fill(&pages);
	if (pmo < 0)
		return fail(10, "filling the budget did not end in -ENOMEM",
			    pmo);
	pb = own();
	if (pb.used_pages != pb.limit_pages)
		return fail(11, "at -ENOMEM the budget is not used up",
			    (long)pb.used_pages);
	if (pages < 8)
		return fail(12, "the budget held fewer than 8 frames", pages);
	r = fy_pmo_create(PAGE_SIZE_4K, PMO_DATA);
	if (r != -ENOMEM)
		return fail(13, "pmo_create(PMO_DATA) is not -ENOMEM", r);
	r = fy_thread_create(CAP_SELF_GROUP, idle_thread, STACK_TOP, NULL, 0);
	if (r != -ENOMEM)
		return fail(14, "thread_create is not -ENOMEM", r);
	r = fy_thread_create(CAP_SELF_GROUP, idle_thread, STACK_TOP, NULL,
			     THREAD_PASSIVE);
	if (r != -ENOMEM)
		return fail(15, "a passive thread_create is not -ENOMEM", r);
	/* The table doubles: some growth needs more than the page left. */
	while (copies < 256 &&
	       (r = fy_cap_copy((cap_t)pmo, CAP_RIGHT_ALL)) >= 0)
		copy[copies++] = r;
	if (r != -ENOMEM || copies >= 256)
		return fail(16, "cap table growth is not -ENOMEM", r);
	/* Raising itself above its limit is not for it to do. */
	r = fy_proc_set_budget(CAP_SELF_GROUP, pb.limit_pages + 1);
	if (r != -EPERM)
		return fail(17, "raising its own limit is not -EPERM", r);
	r = fy_proc_set_budget(CAP_SELF_GROUP, pb.used_pages - 1);
	if (r != -EBUSY)
		return fail(18, "a limit below its use is not -EBUSY", r);
	/* Deleting the PMO (and its copies) gives its frames back. */
	for (int i = 0; i < copies; i++)
		fy_cap_delete((cap_t)copy[i]);
	fy_cap_delete((cap_t)pmo);
	if (own().used_pages + pages > pb.used_pages)
		return fail(19, "deleting the PMO did not uncharge its frames",
			    (long)own().used_pages);
	r = fy_pmo_create(4 * PAGE_SIZE_4K, PMO_DATA);
	if (r < 0)
		return fail(20, "after freeing, a data PMO still fails", r);
	fy_cap_delete((cap_t)r);
	return 0;
}

static int mode_thread(void)
{
	long r, n = 0;

	while ((r = fy_thread_create(CAP_SELF_GROUP, idle_thread, STACK_TOP,
				     NULL, THREAD_PASSIVE)) >= 0)
		n++;
	if (r != -ENOMEM || n == 0)
		return fail(21, "passive threads did not end in -ENOMEM", r);
	/* The threads go with the process. */
	return 0;
}

/* Touches 32 KiB of stack below us, so that deep calls find it present. */
static __attribute__((noinline)) void warm_stack(void)
{
	volatile char buf[32768];

	for (size_t i = 0; i < sizeof(buf); i += PAGE_SIZE_4K)
		buf[i] = 0;
}

static int mode_ipc(void)
{
	const char *argv[] = {"helpers/ipc_echo", NULL};
	long proc = fy_spawn("helpers/ipc_echo", argv, NULL), server, pmo;
	long pages, r, ret = 0;
	struct ipc_conn c, c2;
	struct ipc_msg *m;
	char *d;

	if (proc < 0)
		return fail(40, "spawning the echo server failed", proc);
	server =
		fy_cap_fetch((cap_t)proc, CAP_SELF_MAIN_THREAD, CAP_RIGHT_CALL);
	/*
	 * Warm up first: whatever our side of a call and of a connection
	 * touches (stack, heap, libferry's state) is present before the
	 * budget is spent, or our own fault would kill us (and leave the
	 * echo server behind).
	 */
	r = server < 0 ? server : ipc_connect((cap_t)server, 8192, &c2);
	if (!r)
		r = ipc_close(&c2);
	if (!r)
		r = ipc_connect((cap_t)server, 8192, &c);
	if (r)
		return fail(41, "connecting failed", r);
	m = ipc_msg_init(&c, 16, 0);
	if (!m || ipc_call(&c, m, 0) != 16)
		return fail(47, "a first call failed", 0);
	warm_stack();
	pmo = fill(&pages);
	if (pmo < 0)
		return fail(42, "filling did not end in -ENOMEM", pmo);
	/* We write only the start; the server reverses all 5000 bytes. */
	m = ipc_msg_init(&c, 5000, 0);
	if (!m)
		return fail(43, "no message", 0);
	d = ipc_msg_data(m);
	d[0] = 'a';
	r = ipc_call(&c, m, 0);
	if (r != 5000 || d[4999] != 'a')
		ret = fail(44, "the server did not answer", r);
	else if ((r = ipc_call(&c, m, 0)) != 5000 || d[0] != 'a')
		ret = fail(45, "the server did not answer twice", r);
	else if ((r = ipc_connect((cap_t)server, 8192, &c2)) != -ENOMEM)
		ret = fail(46, "a new connection is not -ENOMEM", r);
	ipc_close(&c);
	fy_proc_kill((cap_t)proc);
	fy_proc_wait((cap_t)proc);
	fy_cap_delete((cap_t)server);
	fy_cap_delete((cap_t)proc);
	fy_cap_delete((cap_t)pmo);
	return (int)ret;
}

static int mode_hold(void)
{
	long pages, pmo = fill(&pages);

	if (pmo < 0)
		return fail(22, "filling did not end in -ENOMEM", pmo);
	for (;;)
		fy_yield();
}

static void touch(volatile char *p, size_t pages)
{
	for (size_t i = 0; i < pages; i++)
		p[i * PAGE_SIZE_4K] = 1;
}

static int mode_touch(void)
{
	long pmo = fy_pmo_create(BIG_PAGES * PAGE_SIZE_4K, PMO_ANONYMOUS);
	long r;

	if (pmo < 0)
		return fail(23, "a lazy PMO is refused", pmo);
	r = fy_pmo_map(CAP_SELF_GROUP, (cap_t)pmo, SCRATCH_VA,
		       VM_READ | VM_WRITE);
	if (r)
		return fail(24, "mapping it is refused", r);
	touch((volatile char *)SCRATCH_VA, BIG_PAGES);
	return fail(25, "touched 16 MiB past its budget", 0);
}

static int mode_mmap(void)
{
	/* mmap succeeds lazily, as on Linux; the fault is what fails. */
	void *p = mmap(NULL, BIG_PAGES * PAGE_SIZE_4K, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return fail(26, "a lazy mmap is refused", -1);
	touch(p, BIG_PAGES);
	return fail(27, "touched 16 MiB of mmap past its budget", 0);
}

static int mode_brk(void)
{
	long start = syscall(SYS_brk, 0);
	long end = syscall(SYS_brk, start + (long)(BIG_PAGES * PAGE_SIZE_4K));

	if (end != start + (long)(BIG_PAGES * PAGE_SIZE_4K))
		return fail(28, "a lazy brk is refused", end);
	touch((volatile char *)start, BIG_PAGES);
	return fail(29, "touched 16 MiB of brk past its budget", 0);
}

static int mode_copy(void)
{
	long pmo = fy_pmo_create(BIG_PAGES * PAGE_SIZE_4K, PMO_ANONYMOUS);
	long pages, full, r;
	char buf[64] = {0};

	if (pmo < 0)
		return fail(34, "a lazy PMO is refused", pmo);
	r = fy_pmo_map(CAP_SELF_GROUP, (cap_t)pmo, SCRATCH_VA,
		       VM_READ | VM_WRITE);
	if (r)
		return fail(35, "mapping it is refused", r);
	/* Spend the budget on another PMO; our stack page is present. */
	full = fill(&pages);
	if (full < 0)
		return fail(36, "filling did not end in -ENOMEM", full);
	r = fy_pmo_write((cap_t)full, 0, buf, sizeof(buf));
	if (r)
		return fail(37, "writing a committed page failed", r);
	r = fy_pmo_read((cap_t)full, 0, (void *)SCRATCH_VA, sizeof(buf));
	return fail(38, "the kernel's copy into a fresh page returned", r);
}

static int mode_global(void)
{
	long free = fy_kstat(KSTAT_FREE_FRAMES), pmo, r;

	/* Data PMOs take their frames at once, 1 GiB at most each. */
	while (free > 64 + 512) {
		long n = free - 64 - 512 > 262144 ? 262144 : free - 64 - 512;

		r = fy_pmo_create((size_t)n * PAGE_SIZE_4K, PMO_DATA);
		if (r < 0)
			return fail(30, "a data PMO of free frames fails", r);
		free = fy_kstat(KSTAT_FREE_FRAMES);
	}
	pmo = fy_pmo_create(BIG_PAGES * PAGE_SIZE_4K, PMO_ANONYMOUS);
	if (pmo < 0)
		return fail(31, "a lazy PMO is refused", pmo);
	r = fy_pmo_map(CAP_SELF_GROUP, (cap_t)pmo, SCRATCH_VA,
		       VM_READ | VM_WRITE);
	if (r)
		return fail(32, "mapping it is refused", r);
	touch((volatile char *)SCRATCH_VA, BIG_PAGES);
	return fail(33, "touched past the last free frame", 0);
}

/*
 * Programs are paged in by procmgr, and a writable page is copied on
 * its first write, at the process's cost: what the way out needs (the
 * stdio state exit flushes) is touched now, before the
 * budget is spent, or that last write would be the one past it.
 */
static void touch_what_exit_needs(void)
{
	fflush(stdout);
	fflush(stderr);
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*fn)(void);
	} modes[] = {
		{"pmo", mode_pmo},	 {"thread", mode_thread},
		{"ipc", mode_ipc},	 {"hold", mode_hold},
		{"touch", mode_touch},	 {"mmap", mode_mmap},
		{"brk", mode_brk},	 {"copy", mode_copy},
		{"global", mode_global},
	};

	touch_what_exit_needs();
	for (unsigned i = 0; argc > 1 && i < sizeof(modes) / sizeof(modes[0]);
	     i++)
		if (!strcmp(argv[1], modes[i].name))
			return modes[i].fn();
	return fail(2, "no such mode", argc);
}
