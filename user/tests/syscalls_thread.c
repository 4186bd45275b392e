/*
 * Threads: create, set_prio, exit. Children here share our memory and
 * report through flags; the parent yields until they have run (bounded,
 * so a scheduler that never runs them fails instead of hanging forever).
 */
#include <stdatomic.h>

#include <ferry/ferry.h>

#include "tap.h"

#define KERNEL_ENTRY 0xffff800000001000ul

#define NCHILD 8
#define STACK_SIZE 16384
#define MAX_YIELDS 100000

static char stacks[NCHILD][STACK_SIZE] __attribute__((aligned(16)));
static atomic_long ran_mask;
static atomic_long sum;

static void *stack_top(int i)
{
	return stacks[i] + STACK_SIZE;
}

static void child(void *arg)
{
	long i = (long)arg;

	atomic_fetch_add(&sum, i);
	atomic_fetch_or(&ran_mask, 1l << i);
	fy_thread_exit();
}

/*
 * An entry in assembly that records the stack pointer the thread starts
 * with before any compiled code can move it, then goes on as child().
 */
unsigned long entry_rsp;
void rsp_probe_entry(void *arg);
__asm__(".text\n"
	".globl rsp_probe_entry\n"
	"rsp_probe_entry:\n"
	"	movq %rsp, entry_rsp(%rip)\n"
	"	jmp child\n");

static int wait_mask(long want)
{
	for (int i = 0; i < MAX_YIELDS; i++) {
		if ((atomic_load(&ran_mask) & want) == want)
			return 1;
		fy_yield();
	}
	return 0;
}

static void test_create(void)
{
	long t, total = 0, info;

	t = fy_thread_create(CAP_SELF_GROUP, rsp_probe_entry, stack_top(0),
			     (void *)0l, 0);
	info = fy_cap_info((cap_t)t);
	tap_ok(t >= 0 && FY_CAP_INFO_TYPE(info) == OBJ_TYPE_THREAD,
	       "thread_create gives a thread cap (%ld)", t);
	tap_ok(wait_mask(1), "the thread runs");
	tap_eq(atomic_load(&sum), 0, "it got its argument");
	tap_eq(entry_rsp & 15, 8,
	       "it starts with rsp = 8 mod 16, as a C function expects");
	tap_eq(fy_cap_delete((cap_t)t), 0, "delete the exited thread's cap");

	atomic_store(&ran_mask, 0);
	atomic_store(&sum, 0);
	for (long i = 1; i < NCHILD; i++) {
		t = fy_thread_create(CAP_SELF_GROUP, child, stack_top(i),
				     (void *)i, 0);
		if (t >= 0)
			fy_cap_delete((cap_t)t); /* the thread runs on */
		total += i;
	}
	tap_ok(wait_mask(((1l << NCHILD) - 1) & ~1l), "%d threads all run",
	       NCHILD - 1);
	tap_eq(atomic_load(&sum), total, "each got its own argument");
}

static atomic_int go;

/* Waits for `go`, so set_prio is tried on a thread that is still alive. */
static void waiting_child(void *arg)
{
	(void)arg;
	while (!atomic_load(&go))
		fy_yield();
	atomic_fetch_or(&ran_mask, 1);
	fy_thread_exit();
}

static void test_prio(void)
{
	long t, r;

	atomic_store(&ran_mask, 0);
	t = fy_thread_create(CAP_SELF_GROUP, waiting_child, stack_top(0), 0, 0);
	tap_eq(fy_thread_set_prio((cap_t)t, PRIO_MIN), 0, "set_prio(PRIO_MIN)");
	tap_eq(fy_thread_set_prio((cap_t)t, PRIO_MAX + 1), -EINVAL,
	       "set_prio(PRIO_MAX + 1) is -EINVAL");
	tap_eq(fy_thread_set_prio((cap_t)t, -1), -EINVAL,
	       "set_prio(-1) is -EINVAL");
	tap_eq(fy_thread_set_prio((cap_t)t, PRIO_DEFAULT), 0,
	       "set_prio(PRIO_DEFAULT)");
	/* Above us, it runs at once: let it finish then. */
	atomic_store(&go, 1);
	/* init gives every test MCP PRIO_USER_MCP (sched_mcp has the rest). */
	tap_eq(fy_thread_set_prio((cap_t)t, PRIO_MAX), -EPERM,
	       "set_prio(PRIO_MAX) above our MCP is -EPERM");
	tap_eq(fy_thread_set_prio((cap_t)t, PRIO_USER_MCP), 0,
	       "set_prio(PRIO_USER_MCP)");
	tap_ok(wait_mask(1), "the thread runs");
	r = fy_thread_set_prio((cap_t)t, PRIO_DEFAULT);
	tap_ok(r == 0 || r == -ESRCH,
	       "set_prio on an exited thread is 0 or -ESRCH (%ld)", r);
	tap_eq(fy_thread_set_prio(CAP_SELF_GROUP, PRIO_DEFAULT), -ECAPBILITY,
	       "set_prio on a cap_group is -ECAPBILITY");
	tap_eq(fy_thread_set_prio(-1, PRIO_DEFAULT), -ECAPBILITY,
	       "set_prio on cap -1 is -ECAPBILITY");
	fy_cap_delete((cap_t)t);
	tap_eq(fy_thread_set_prio((cap_t)t, PRIO_DEFAULT), -ECAPBILITY,
	       "set_prio on a deleted slot is -ECAPBILITY");
}

static void test_bad_create(void)
{
	long pmo = fy_pmo_create(4096, PMO_DATA), noctl;

	tap_eq(fy_thread_create(99999, child, stack_top(0), 0, 0), -ECAPBILITY,
	       "thread_create in group 99999 is -ECAPBILITY");
	tap_eq(fy_thread_create(-1, child, stack_top(0), 0, 0), -ECAPBILITY,
	       "thread_create in group -1 is -ECAPBILITY");
	tap_eq(fy_thread_create((cap_t)pmo, child, stack_top(0), 0, 0),
	       -ECAPBILITY, "thread_create with a pmo as group is -ECAPBILITY");
	noctl = fy_cap_copy(CAP_SELF_GROUP, CAP_RIGHT_ALL & ~CAP_RIGHT_CONTROL);
	tap_eq(fy_thread_create((cap_t)noctl, child, stack_top(0), 0, 0),
	       -ECAPBILITY, "thread_create without CONTROL is -ECAPBILITY");
	tap_eq(fy_thread_create(CAP_SELF_GROUP, child, stack_top(0), 0,
				1u << 20),
	       -EINVAL, "unknown flags are -EINVAL");
	tap_eq(fy_thread_create(CAP_SELF_GROUP, (fy_thread_entry_t)KERNEL_ENTRY,
				stack_top(0), 0, 0),
	       -EINVAL, "a kernel entry address is -EINVAL");
	tap_eq(fy_thread_create(CAP_SELF_GROUP, child, (void *)KERNEL_ENTRY, 0,
				0),
	       -EINVAL, "a kernel stack address is -EINVAL");
	fy_cap_delete((cap_t)noctl);
	fy_cap_delete((cap_t)pmo);
}

int main(void)
{
	test_create();
	test_prio();
	test_bad_create();
	return tap_done();
}
