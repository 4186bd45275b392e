/*
 * Priorities with a ceiling, kills that land, unreachable passive
 * threads (kernel/object/thread.c, cap_group.c, sched/sched.c and the
 * syscall checks in syscall/sys_thread.c):
 *  - no thread sets a priority or an MCP above its own MCP, and a new
 *    thread gets its creator's MCP and at most that priority;
 *  - a kill retires at once every thread of the victim that has nothing
 *    to unwind (ready at a clean point, passive), and runs the others
 *    at the killer's priority;
 *  - a passive thread is reclaimed when its last capability or binding
 *    goes, unless it is its process's last thread.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "kernel_env.h"
#include "object_fixtures.h"
#include <ipc/connection.h>
#include <object/cap_group.h>
#include <object/sched_context.h>
#include <object/thread.h>
#include <sched/sched.h>
#include <syscall/native.h>
#include <uapi/ferry/errno.h>
#include <uapi/ferry/proc.h>

/* An active thread taken off the run queue: the test says when it runs. */
static struct thread *new_active(struct cap_group *g, u32 prio, u32 mcp)
{
	struct thread *t = NULL;

	assert_int_equal(
		thread_create_sched(g, 0x1000, 0x2000, 0, 0, prio, mcp, &t), 0);
	sched_dequeue(t);
	t->state = TS_INACTIVE;
	return t;
}

static struct thread *new_passive(struct cap_group *g)
{
	struct thread *t = NULL;

	assert_int_equal(
		thread_create(g, 0x1000, 0x2000, 0, THREAD_PASSIVE, 0, &t), 0);
	return t;
}

/* Makes t the running thread; returns who ran before. */
static struct thread *run_as(struct thread *t)
{
	struct thread *prev = current;

	t->state = TS_RUNNING;
	current = t;
	return prev;
}

/* Ends a group whose threads the test parked (none queued, none current). */
static void end_group(struct cap_group *g)
{
	cap_group_exit(g, PROC_STATUS_KILLED(PROC_SIG_KILL));
	assert_true(g->dead);
	obj_put(g);
}

static void test_create_sched_sets_mcp(void **state)
{
	struct cap_group *g = fx_group("mcp");
	struct thread *t = NULL;

	(void)state;
	assert_int_equal(thread_create_sched(g, 0, 0, 0, THREAD_PASSIVE, 3,
					     PRIO_MAX + 1, &t),
			 -EINVAL);
	t = new_active(g, 10, 20);
	assert_int_equal(t->sc->prio, 10);
	assert_int_equal(t->mcp, 20);
	obj_put(t);
	/* Kernel-made threads: the ceiling is where they start. */
	assert_int_equal(thread_create(g, 0, 0, 0, THREAD_PASSIVE, 7, &t), 0);
	assert_int_equal(t->mcp, 7);
	obj_put(t);
	end_group(g);
}

static void test_syscalls_bounded_by_callers_mcp(void **state)
{
	struct cap_group *g = fx_group("mcp");
	struct thread *me = new_active(g, 16, 20), *u = new_active(g, 16, 29);
	struct thread *prev, *made;
	int ucap = cap_alloc(g, u, CAP_RIGHT_ALL);
	long t;

	(void)state;
	assert_true(ucap >= 0);
	prev = run_as(me);
	assert_int_equal(sys_thread_set_prio(ucap, 21), -EPERM);
	assert_int_equal(sys_thread_set_prio(ucap, PRIO_MAX + 1), -EINVAL);
	assert_int_equal(u->sc->prio, 16);
	assert_int_equal(sys_thread_set_prio(ucap, 20), 0);
	assert_int_equal(u->sc->prio, 20);
	/* Lowering another's MCP below its priority leaves the priority. */
	assert_int_equal(sys_thread_set_mcp(ucap, 21), -EPERM);
	assert_int_equal(sys_thread_set_mcp(ucap, PRIO_MAX + 1), -EINVAL);
	assert_int_equal(sys_thread_set_mcp(ucap, 12), 0);
	assert_int_equal(u->mcp, 12);
	assert_int_equal(u->sc->prio, 20);
	assert_int_equal(sys_thread_set_mcp(99, 1), -ECAPBILITY);

	/* A new thread: our MCP, our priority capped at it. */
	me->sc->prio = 25; /* as a caller's lent context might be */
	t = sys_thread_create(CAP_SELF_GROUP, 0x1000, 0x2000, 0, 0);
	assert_true(t >= 0);
	assert_int_equal(cap_get(g, (int)t, OBJ_TYPE_THREAD, 0, (void **)&made),
			 0);
	assert_int_equal(made->mcp, 20);
	assert_int_equal(made->sc->prio, 20);
	sched_dequeue(made);
	made->state = TS_INACTIVE;
	obj_put(made);

	current = prev;
	me->state = TS_INACTIVE;
	obj_put(me);
	obj_put(u);
	end_group(g);
}

static void test_kill_retires_clean_threads_boosts_the_rest(void **state)
{
	struct cap_group *kg = fx_group("killer"), *g = fx_group("victim");
	struct thread *k = new_active(kg, 22, 22);
	struct thread *clean = new_active(g, 3, 3),
		      *dirty = new_active(g, 3, 3);
	struct thread *blocked = new_active(g, 3, 3), *passive = new_passive(g);
	struct thread *prev;
	struct waitq wq;

	(void)state;
	waitq_init(&wq);
	/* Preempted on its way to user space: nothing to unwind. */
	sched_enqueue(clean);
	clean->clean_yield = true;
	/* Preempted at a preemption point inside a syscall. */
	sched_enqueue(dirty);
	/* Waiting in a syscall. */
	blocked->state = TS_BLOCKED;
	blocked->waiting_on = &wq;
	list_append(&wq.threads, &blocked->sched_node);

	prev = run_as(k);
	cap_group_exit(g, PROC_STATUS_KILLED(PROC_SIG_KILL));
	current = prev;

	assert_int_equal(clean->state, TS_DEAD);
	assert_null(clean->kstack);
	assert_int_equal(passive->state, TS_DEAD);
	/* The others finish their syscalls first, at the killer's priority. */
	assert_int_equal(dirty->state, TS_READY);
	assert_true(dirty->killed);
	assert_int_equal(dirty->rq_prio, 22);
	assert_int_equal(blocked->state, TS_READY);
	assert_int_equal(blocked->wake_result, -EINTR);
	assert_int_equal(blocked->rq_prio, 22);
	assert_int_equal(g->nthreads, 2);
	assert_false(g->dead);

	/* As if each had run to thread_exit: the last ends the process. */
	thread_retire_inactive(dirty);
	assert_false(g->dead);
	thread_retire_inactive(blocked);
	assert_true(g->dead);
	assert_int_equal(g->exit_status, PROC_STATUS_KILLED(PROC_SIG_KILL));

	obj_put(clean);
	obj_put(dirty);
	obj_put(blocked);
	obj_put(passive);
	obj_put(g);
	k->state = TS_INACTIVE;
	obj_put(k);
	end_group(kg);
}

static void test_passive_reclaimed_with_last_cap(void **state)
{
	struct cap_group *g = fx_group("srv");
	struct thread *keep = new_active(g, 16, 16), *p = new_passive(g);
	size_t threads = obj_live_count(OBJ_TYPE_THREAD);
	int a = cap_alloc(g, p, CAP_RIGHT_ALL);
	int b = cap_copy(g, a, g, CAP_RIGHT_ALL);

	(void)state;
	assert_true(a >= 0 && b >= 0);
	obj_put(p); /* only the two caps name it now */
	assert_int_equal(cap_remove(g, a), 0);
	assert_int_equal(obj_live_count(OBJ_TYPE_THREAD), threads);
	assert_int_equal(g->nthreads, 2);
	assert_int_equal(cap_remove(g, b), 0);
	/* Gone at once: stack, object and place in the process. */
	assert_int_equal(obj_live_count(OBJ_TYPE_THREAD), threads - 1);
	assert_int_equal(g->nthreads, 1);

	obj_put(keep);
	end_group(g);
}

static void test_last_thread_not_reclaimed(void **state)
{
	struct cap_group *g = fx_group("alone");
	struct thread *p = new_passive(g);
	int a = cap_alloc(g, p, CAP_RIGHT_ALL);

	(void)state;
	obj_put(p);
	assert_int_equal(cap_remove(g, a), 0);
	/* A server whose threads are all passive lives until killed. */
	assert_int_equal(g->nthreads, 1);
	assert_false(p->killed);
	assert_int_equal(p->state, TS_INACTIVE);
	end_group(g);
}

static void test_bound_register_cb_not_reclaimed(void **state)
{
	struct cap_group *g = fx_group("srv");
	struct thread *srv = new_active(g, 16, 16), *cb = new_passive(g);
	struct thread *other = new_active(g, 16, 16), *prev;
	int a = cap_alloc(g, cb, CAP_RIGHT_ALL);
	size_t threads;

	(void)state;
	obj_put(cb);
	prev = run_as(srv);
	assert_int_equal(ipc_register_server(0x401000, a, 0x402000), 0);
	current = prev;
	srv->state = TS_INACTIVE;
	threads = obj_live_count(OBJ_TYPE_THREAD);
	assert_int_equal(cap_remove(g, a), 0);
	/* The service holds it: clients may still connect. */
	assert_int_equal(obj_live_count(OBJ_TYPE_THREAD), threads);
	assert_int_equal(cb->state, TS_INACTIVE);
	assert_false(cb->killed);
	assert_int_equal(g->nthreads, 3);

	obj_put(srv);
	obj_put(other);
	end_group(g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		kenv_test(test_create_sched_sets_mcp),
		kenv_test(test_syscalls_bounded_by_callers_mcp),
		kenv_test(test_kill_retires_clean_threads_boosts_the_rest),
		kenv_test(test_passive_reclaimed_with_last_cap),
		kenv_test(test_last_thread_not_reclaimed),
		kenv_test(test_bound_register_cb_not_reclaimed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
