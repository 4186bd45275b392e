/*
 * kernel/mm/budget.c and its users: memory budgets. Every case checks
 * that a budget's usage comes back exactly to where it was on every free
 * path, that a charge past the limit fails without charging anything,
 * and that one budget spent leaves another untouched. kenv_run's leak
 * check (frames, objects, kmalloc bytes) runs around each case, and
 * budget_put halts the kernel if a budget dies with usage left.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "kernel_env.h"
#include <mm/budget.h>
#include <mm/frame.h>
#include <mm/kmalloc.h>
#include <mm/oom.h>
#include <mm/vmspace.h>
#include <object/cap_group.h>
#include <object/pmo.h>
#include <object/sched_context.h>
#include <object/thread.h>
#include <sched/sched.h>
#include <uapi/ferry/errno.h>
#include <uapi/ferry/proc.h>

#define BASE 0x400000ul
#define P(n) ((size_t)(n)*PAGE_SIZE)
#define RW (VM_READ | VM_WRITE)
/* A PMO of n <= 512 pages: its radix is one node of n slots. */
#define RADIX(n) kmalloc_size(8 * (n))

static u64 used(struct budget *b)
{
	return __atomic_load_n(&b->used, __ATOMIC_RELAXED);
}

static size_t used_pages(struct budget *b)
{
	size_t u, l;

	budget_read(b, &u, &l);
	return u;
}

static size_t limit_pages(struct budget *b)
{
	size_t u, l;

	budget_read(b, &u, &l);
	return l;
}

static struct budget *new_budget(size_t pages)
{
	struct budget *b = budget_new(pages);

	assert_non_null(b);
	return b;
}

static void test_charge_up_to_the_limit(void **state)
{
	struct budget *b = new_budget(2);

	(void)state;
	assert_int_equal(budget_charge(b, P(1)), 0);
	/* One byte past the limit fails and charges nothing. */
	assert_int_equal(budget_charge(b, P(1) + 1), -ENOMEM);
	assert_int_equal(used(b), P(1));
	assert_int_equal(budget_charge(b, P(1)), 0);
	assert_int_equal(budget_charge(b, 1), -ENOMEM);
	assert_int_equal(budget_charge(b, (size_t)-1), -ENOMEM);
	assert_int_equal(used(b), P(2));
	budget_uncharge(b, P(2));
	assert_int_equal(used(b), 0);
	budget_put(b);
}

static void test_pages_round_up(void **state)
{
	struct budget *b = new_budget(3);

	(void)state;
	assert_int_equal(limit_pages(b), 3);
	assert_int_equal(used_pages(b), 0);
	assert_int_equal(budget_charge(b, 16), 0);
	assert_int_equal(used_pages(b), 1);
	assert_int_equal(budget_charge(b, P(1) - 16), 0);
	assert_int_equal(used_pages(b), 1);
	assert_int_equal(budget_charge(b, 1), 0);
	assert_int_equal(used_pages(b), 2);
	budget_uncharge(b, P(1) + 1);
	assert_int_equal(used_pages(b), 0);
	budget_put(b);
}

static void test_null_budget_takes_anything(void **state)
{
	size_t u = 7, l = 7;

	(void)state;
	assert_null(budget_new(0));
	assert_int_equal(budget_charge(NULL, (size_t)-1), 0);
	budget_uncharge(NULL, (size_t)-1);
	budget_read(NULL, &u, &l);
	assert_int_equal(u, 0);
	assert_int_equal(l, 0);
	budget_get(NULL);
	budget_put(NULL);
}

static void test_kmalloc_charges_the_size_class(void **state)
{
	struct budget *b = new_budget(4);
	size_t heap = kmalloc_bytes_in_use();
	void *small, *big;

	(void)state;
	small = budget_kmalloc(b, 100);
	assert_non_null(small);
	assert_int_equal(used(b), 128);
	assert_int_equal(kmalloc_size(100), 128);
	big = budget_kzalloc(b, 5000); /* two frames */
	assert_non_null(big);
	assert_int_equal(used(b), 128 + P(2));
	/* Past the limit: nothing allocated, nothing charged. */
	assert_null(budget_kmalloc(b, P(2)));
	assert_int_equal(used(b), 128 + P(2));
	assert_int_equal(kmalloc_bytes_in_use(), heap + 128 + P(2));
	budget_kfree(b, big, 5000);
	budget_kfree(b, small, 100);
	budget_kfree(b, NULL, 100); /* nothing to give back */
	assert_int_equal(used(b), 0);
	budget_put(b);
}

static void test_frames_and_global_exhaustion(void **state)
{
	struct budget *b = new_budget(1);
	paddr_t pa;

	(void)state;
	pa = budget_frame_alloc_zeroed(b);
	assert_true(pa != 0);
	assert_int_equal(budget_frame_alloc_zeroed(b), 0); /* over budget */
	assert_int_equal(used(b), P(1));
	budget_frame_free(b, pa);
	assert_int_equal(used(b), 0);
	/* No frame at all: the charge is given back. */
	kenv_take_all_frames();
	assert_int_equal(budget_frame_alloc_zeroed(b), 0);
	assert_null(budget_kmalloc(b, 64));
	assert_int_equal(used(b), 0);
	kenv_give_all_frames();
	budget_put(b);
}

static void test_set_limit(void **state)
{
	struct budget *b = new_budget(10);

	(void)state;
	assert_int_equal(budget_charge(b, P(3) - 5), 0);
	assert_int_equal(budget_set_limit(b, 0, 10), -EINVAL);
	assert_int_equal(budget_set_limit(b, (size_t)-1, (size_t)-1), -EINVAL);
	assert_int_equal(budget_set_limit(b, 11, 10), -EPERM);
	assert_int_equal(budget_set_limit(b, 2, 10), -EBUSY);
	assert_int_equal(limit_pages(b), 10);
	/* Down to exactly what it uses: the next page fails. */
	assert_int_equal(budget_set_limit(b, 3, 10), 0);
	assert_int_equal(limit_pages(b), 3);
	assert_int_equal(budget_charge(b, 5), 0);
	assert_int_equal(budget_charge(b, 1), -ENOMEM);
	assert_int_equal(budget_set_limit(b, 10, 10), 0);
	assert_int_equal(budget_charge(b, 1), 0);
	budget_uncharge(b, P(3) + 1);
	assert_int_equal(used(b), 0);
	budget_put(b);
}

static void test_pmo_charges_its_creator(void **state)
{
	struct budget *b = new_budget(64);
	size_t base, frames = frame_free_count();
	struct pmo *p;
	char byte = 1;

	(void)state;
	assert_int_equal(pmo_create(P(40), PMO_ANONYMOUS, b, &p), 0);
	base = used(b);
	assert_int_equal(base, kmalloc_size(sizeof(struct pmo)));
	/*
	 * The first page brings the radix, sized to the PMO (one level of
	 * 40 slots), and the frame.
	 */
	assert_int_equal(pmo_write(p, 0, &byte, 1), 0);
	assert_int_equal(used(b), base + RADIX(40) + P(1));
	assert_int_equal(pmo_write(p, P(1), &byte, 1), 0);
	assert_int_equal(used(b), base + RADIX(40) + P(2));
	obj_put(p);
	assert_int_equal(used(b), 0);
	assert_int_equal(frame_free_count(), frames);
	budget_put(b);
}

static void test_pmo_write_past_the_budget_is_enomem(void **state)
{
	struct budget *b = new_budget(8);
	struct pmo *p;
	size_t i;
	int ret = 0;
	char byte = 1;

	(void)state;
	assert_int_equal(pmo_create(P(40), PMO_ANONYMOUS, b, &p), 0);
	for (i = 0; i < 40 && ret == 0; i++)
		ret = pmo_write(p, P(i), &byte, 1);
	assert_int_equal(ret, -ENOMEM);
	/* The struct and radix take less than a page: 7 frames fit. */
	assert_int_equal(i, 8);
	assert_int_equal(pmo_resident_pages(p), 7);
	assert_int_equal(used_pages(b), 8);
	/* Draining gives the frames and the radix back. */
	pmo_drain(p);
	assert_int_equal(used(b), kmalloc_size(sizeof(struct pmo)));
	assert_int_equal(pmo_write(p, 0, &byte, 1), 0);
	obj_put(p);
	assert_int_equal(used(b), 0);
	budget_put(b);
}

static void test_data_pmo_past_the_budget_fails_at_once(void **state)
{
	struct budget *b = new_budget(8);
	size_t frames = frame_free_count();
	struct pmo *p = NULL;

	(void)state;
	assert_int_equal(pmo_create(P(9), PMO_DATA, b, &p), -ENOMEM);
	assert_null(p);
	assert_int_equal(used(b), 0);
	assert_int_equal(frame_free_count(), frames);
	/* Room for the pages but not the struct and radix: -ENOMEM. */
	assert_int_equal(pmo_create(P(8), PMO_DATA, b, &p), -ENOMEM);
	assert_int_equal(used(b), 0);
	assert_int_equal(frame_free_count(), frames);
	assert_int_equal(pmo_create(P(5), PMO_DATA, b, &p), 0);
	assert_int_equal(pmo_resident_pages(p), 5);
	obj_put(p);
	assert_int_equal(used(b), 0);
	budget_put(b);
}

/* The creator's reference goes first: the PMO keeps the budget alive. */
static void test_pmo_outlives_its_creator(void **state)
{
	struct budget *b = new_budget(8);
	struct pmo *p;
	char byte = 1;

	(void)state;
	assert_int_equal(pmo_create(P(2), PMO_ANONYMOUS, b, &p), 0);
	budget_put(b);
	assert_int_equal(pmo_write(p, P(1), &byte, 1), 0);
	assert_int_equal(p->budget->used,
			 kmalloc_size(sizeof(*p)) + RADIX(2) + P(1));
	obj_put(p); /* frees the budget too: ASan sees any use after */
}

static void test_fault_past_the_budget_is_enomem(void **state)
{
	struct budget *a = new_budget(16), *other = new_budget(16);
	struct vmspace *vs, *vs2;
	struct pmo *p, *p2;
	size_t i;
	int ret = 0;

	(void)state;
	assert_int_equal(vmspace_create(a, &vs), 0);
	/* The struct and the root table. */
	assert_int_equal(used(a), kmalloc_size(sizeof(*vs)) + P(1));
	assert_int_equal(pmo_create(P(32), PMO_ANONYMOUS, a, &p), 0);
	assert_int_equal(vmspace_map(vs, BASE, P(32), RW, p, 0), 0);
	for (i = 0; i < 32 && ret == 0; i++)
		ret = vmspace_fault(vs, BASE + P(i), FAULT_WRITE);
	assert_int_equal(ret, -ENOMEM);
	assert_int_equal(used_pages(a), 16);
	assert_int_equal(vmspace_fault(vs, BASE + P(31), 0), -ENOMEM);
	/* A bad access is still -EFAULT, not out of memory. */
	assert_int_equal(vmspace_fault(vs, BASE + P(64), 0), -EFAULT);
	/* Another budget is untouched. */
	assert_int_equal(vmspace_create(other, &vs2), 0);
	assert_int_equal(pmo_create(P(4), PMO_ANONYMOUS, other, &p2), 0);
	assert_int_equal(vmspace_map(vs2, BASE, P(4), RW, p2, 0), 0);
	for (i = 0; i < 4; i++)
		assert_int_equal(vmspace_fault(vs2, BASE + P(i), FAULT_WRITE),
				 0);
	obj_put(vs2);
	obj_put(p2);
	assert_int_equal(used(other), 0);
	/* Unmapping gives the region struct back; the PMO keeps frames. */
	assert_int_equal(vmspace_unmap(vs, BASE, P(32)), 0);
	obj_put(vs);
	obj_put(p);
	assert_int_equal(used(a), 0);
	budget_put(a);
	budget_put(other);
}

static void test_group_thread_and_table_are_charged(void **state)
{
	struct cap_group *g = NULL;
	struct thread *t = NULL;
	struct budget *b;
	size_t before, u, l, filler;
	int i, ret = 0;

	(void)state;
	assert_int_equal(cap_group_create("b", &g), 0);
	b = g->budget;
	budget_get(b);
	/* The kernel made it (current has no group): all of RAM. */
	assert_int_equal(limit_pages(b), frame_total_count());
	before = used(b);
	assert_true(before > P(1)); /* struct, table, vmspace and its root */
	assert_int_equal(thread_create(g, 0, 0, 0, THREAD_PASSIVE, 0, &t), 0);
	assert_int_equal(used(b), before + kmalloc_size(sizeof(*t)) +
					  kmalloc_size(KSTACK_SIZE));
	/* Lowered to what it uses: no new thread, no bigger table. */
	budget_read(b, &u, &l);
	assert_int_equal(budget_set_limit(b, u, l), 0);
	filler = P(u) - used(b); /* the rest of the last page */
	assert_int_equal(budget_charge(b, filler), 0);
	before = used(b);
	{
		struct thread *t2 = NULL;

		assert_int_equal(thread_create(g, 0, 0, 0, 0, 0, &t2), -ENOMEM);
		assert_null(t2);
	}
	assert_int_equal(used(b), before);
	for (i = 0; i < 40 && ret >= 0; i++)
		ret = cap_alloc(g, t, CAP_RIGHT_ALL);
	assert_int_equal(ret, -ENOMEM);
	assert_int_equal(g->nslots, 16);
	assert_int_equal(used(b), before);
	budget_uncharge(b, filler);
	cap_group_exit(g, 0); /* retires the passive thread: g is dead */
	assert_true(g->dead);
	obj_put(t);
	obj_put(g);
	assert_int_equal(used(b), 0);
	budget_put(b);
}

/* A process made by a process gets its creator's limit. */
static void test_child_inherits_the_creators_limit(void **state)
{
	struct cap_group *parent = NULL, *child = NULL;
	struct cap_group *saved = current->group;
	size_t u, l;

	(void)state;
	assert_int_equal(cap_group_create("parent", &parent), 0);
	budget_read(parent->budget, &u, &l);
	assert_int_equal(budget_set_limit(parent->budget, 300, l), 0);
	current->group = parent; /* as if parent made the call */
	assert_int_equal(cap_group_create("child", &child), 0);
	current->group = saved;
	assert_int_equal(limit_pages(child->budget), 300);
	/* Its own budget: charging it leaves the parent's alone. */
	assert_true(child->budget != parent->budget);
	assert_int_equal(used_pages(parent->budget), u);
	cap_group_teardown(child);
	obj_put(child);
	cap_group_teardown(parent);
	obj_put(parent);
}

/* The report names the process and its pages; the status is SIGKILL. */
static void test_oom_kill_reports_and_kills(void **state)
{
	struct cap_group *g = NULL;
	struct thread *t = NULL;
	size_t u, l;
	char want[128];

	(void)state;
	assert_int_equal(cap_group_create("hog", &g), 0);
	assert_int_equal(thread_create(g, 0, 0, 0, THREAD_PASSIVE, 0, &t), 0);
	budget_read(g->budget, &u, &l);
	assert_int_equal(budget_set_limit(g->budget, u, l), 0);
	host_console_reset();
	oom_kill(g);
	snprintf(want, sizeof(want),
		 "[ferry] pid %u (hog): out of memory: used %zu of %zu pages; "
		 "killed (SIGKILL)\n",
		 g->pid, u, u);
	assert_string_equal(host_console, want);
	assert_true(g->dead); /* its only thread could not run: retired */
	assert_int_equal(g->exit_status, PROC_STATUS_KILLED(PROC_SIG_KILL));
	assert_false(current->killed); /* the caller is not one of g's */
	/* Below its limit, the fault found no free frame: it says so. */
	obj_put(t);
	obj_put(g);
	assert_int_equal(cap_group_create("hog2", &g), 0);
	budget_read(g->budget, &u, &l);
	host_console_reset();
	kenv_take_all_frames();
	oom_kill(g);
	kenv_give_all_frames();
	snprintf(want, sizeof(want),
		 "[ferry] pid %u (hog2): out of memory: used %zu of %zu pages, "
		 "no free frame; killed (SIGKILL)\n",
		 g->pid, u, l);
	assert_string_equal(host_console, want);
	/* Neither: the page was another's PMO's, on a spent budget. */
	host_console_reset();
	oom_kill(g);
	assert_string_equal(host_console, ""); /* killed once: said once */
	cap_group_teardown(g);
	obj_put(g);
	assert_int_equal(cap_group_create("hog3", &g), 0);
	budget_read(g->budget, &u, &l);
	host_console_reset();
	oom_kill(g);
	snprintf(want, sizeof(want),
		 "[ferry] pid %u (hog3): out of memory: used %zu of %zu pages, "
		 "its PMO's creator's budget is spent; killed (SIGKILL)\n",
		 g->pid, u, l);
	assert_string_equal(host_console, want);
	assert_int_equal(g->exit_status, PROC_STATUS_KILLED(PROC_SIG_KILL));
	cap_group_teardown(g);
	obj_put(g);
}

static void test_commit_checks_first(void **state)
{
	struct budget *b = new_budget(4);
	struct pmo *p;
	size_t base;
	char byte = 1;

	(void)state;
	assert_int_equal(pmo_create(P(4), PMO_ANONYMOUS, b, &p), 0);
	base = used(b);
	/* 4 frames and the radix do not fit beside the struct. */
	assert_int_equal(pmo_commit(p), -ENOMEM);
	assert_int_equal(pmo_resident_pages(p), 0);
	assert_int_equal(used(b), base);
	assert_int_equal(budget_set_limit(b, 5, 5), 0);
	assert_int_equal(pmo_write(p, P(2), &byte, 1), 0); /* one is there */
	assert_int_equal(pmo_commit(p), 0);
	assert_int_equal(pmo_resident_pages(p), 4);
	assert_int_equal(used(b), base + RADIX(4) + P(4));
	assert_int_equal(pmo_commit(p), 0); /* nothing missing */
	assert_int_equal(used(b), base + RADIX(4) + P(4));
	/* No free frame: refused before anything is taken. */
	obj_put(p);
	assert_int_equal(pmo_create(P(4), PMO_ANONYMOUS, b, &p), 0);
	kenv_take_all_frames();
	assert_int_equal(pmo_commit(p), -ENOMEM);
	kenv_give_all_frames();
	assert_int_equal(pmo_resident_pages(p), 0);
	obj_put(p);
	assert_int_equal(used(b), 0);
	budget_put(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		kenv_test(test_charge_up_to_the_limit),
		kenv_test(test_pages_round_up),
		kenv_test(test_null_budget_takes_anything),
		kenv_test(test_kmalloc_charges_the_size_class),
		kenv_test(test_frames_and_global_exhaustion),
		kenv_test(test_set_limit),
		kenv_test(test_pmo_charges_its_creator),
		kenv_test(test_pmo_write_past_the_budget_is_enomem),
		kenv_test(test_data_pmo_past_the_budget_fails_at_once),
		kenv_test(test_pmo_outlives_its_creator),
		kenv_test(test_commit_checks_first),
		kenv_test(test_fault_past_the_budget_is_enomem),
		/* cap_group_exit under UBSan: see test_cap.c */
		kenv_test_forked(test_group_thread_and_table_are_charged),
		kenv_test(test_child_inherits_the_creators_limit),
		/* cap_group_exit under UBSan: see test_cap.c */
		kenv_test_forked(test_oom_kill_reports_and_kills),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
