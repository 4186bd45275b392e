/* Thread creation, exit and reaping. */
#include <arch/arch.h>
#include <lib/printk.h>
#include <mm/budget.h>
#include <mm/kmalloc.h>
#include <mm/vmspace.h>
#include <object/cap_group.h>
#include <object/sched_context.h>
#include <object/task_id.h>
#include <object/thread.h>
#include <sched/sched.h>
#include <uapi/ferry/errno.h>

int thread_create(struct cap_group *g, u64 pc, u64 sp, u64 arg, u32 flags,
		  u32 prio, struct thread **out)
{
	return thread_create_sched(g, pc, sp, arg, flags, prio, prio, out);
}

int thread_create_sched(struct cap_group *g, u64 pc, u64 sp, u64 arg, u32 flags,
			u32 prio, u32 mcp, struct thread **out)
{
	struct thread *t;
	bool run;
	int ret;

	if (prio > PRIO_MAX || mcp > PRIO_MAX || (flags & ~THREAD_PASSIVE))
		return -EINVAL;
	/* Charged to g, whose thread it is, whoever creates it. */
	if (budget_charge(g->budget, kmalloc_size(sizeof(*t))))
		return -ENOMEM;
	t = obj_alloc(OBJ_TYPE_THREAD, sizeof(*t));
	if (!t) {
		budget_uncharge(g->budget, kmalloc_size(sizeof(*t)));
		return -ENOMEM;
	}
	budget_get(g->budget);
	t->budget = g->budget;
	list_init(&t->sched_node);
	list_init(&t->group_node);
	ipc_thread_init(t);
	t->state = TS_INACTIVE;
	t->mcp = mcp;
	t->kstack = budget_kmalloc(t->budget, KSTACK_SIZE);
	if (!t->kstack) {
		ret = -ENOMEM;
		goto out_put;
	}
	if (!(flags & THREAD_PASSIVE)) {
		ret = sched_context_create(prio, t->budget, &t->sc);
		if (ret)
			goto out_put;
		t->sc->owner = t;
	}
	arch_thread_init(t);
	arch_regs_set_entry(thread_regs(t), pc, sp);
	arch_regs_set_args(thread_regs(t), arg, 0, 0, 0, 0);

	lock(&g->lock);
	if (g->exiting || g->dead) {
		unlock(&g->lock);
		ret = -ESRCH;
		goto out_put;
	}
	/* The first thread's tid is the pid (held by g); others get their own.
	 */
	t->tid = g->threads_made ? task_id_alloc() : g->pid;
	if (!t->tid) {
		unlock(&g->lock);
		ret = -EAGAIN;
		goto out_put;
	}
	g->threads_made++;
	obj_get(g);
	t->group = g;
	t->pt_root = g->vmspace->pt_root;
	list_append(&g->threads, &t->group_node);
	g->nthreads++;
	/* Not started: held, inactive, until cap_group_start queues it. */
	run = t->sc && g->started;
	unlock(&g->lock);

	obj_get(t); /* the thread's own life */
	if (run)
		sched_enqueue(t);
	*out = t;
	return 0;
out_put:
	obj_put(t); /* thread_destroy frees what was taken */
	return ret;
}

/* t's context forgets t as its owner (t is being reaped). */
static void sc_disown(struct thread *t)
{
	if (t->sc && t->sc->owner == t)
		t->sc->owner = NULL;
}

void thread_destroy(void *obj)
{
	struct thread *t = obj;

	/* Still set only when creation failed before the thread lived. */
	budget_kfree(t->budget, t->kstack, KSTACK_SIZE);
	sc_disown(t);
	obj_put(t->sc);
	ipc_thread_free(t);
	if (t->group && t->tid != t->group->pid)
		task_id_free(t->tid);
	obj_put(t->group);
	budget_uncharge(t->budget, kmalloc_size(sizeof(*t)));
	budget_put(t->budget);
}

void thread_reap(struct thread *t)
{
	budget_kfree(t->budget, t->kstack, KSTACK_SIZE);
	t->kstack = NULL;
	sc_disown(t);
	obj_put(t->sc);
	t->sc = NULL;
	obj_put(t); /* the life reference */
}

/* Leaves the group's list; true if t was its last thread. */
static bool leave_group(struct thread *t)
{
	struct cap_group *g = t->group;
	bool last;

	lock(&g->lock);
	list_del(&t->group_node);
	g->dead_cpu_tsc += t->cpu_tsc; /* the process clock keeps it */
	last = --g->nthreads == 0;
	if (last && !g->exiting) {
		g->exiting = true;
		g->exit_status = 0;
	}
	unlock(&g->lock);
	return last;
}

void thread_exit(void)
{
	struct thread *t = current;

	ipc_thread_detach(t);
	sched_account(); /* its CPU time up to now */
	if (leave_group(t)) {
		cap_group_shed_memory(t->group); /* preemptible */
		cap_group_teardown(t->group);
	}
	t->state = TS_DEAD;
	schedule();
	panic("dead thread %u scheduled again", t->tid);
}

void thread_kill(struct thread *t)
{
	u32 prio = current && current->sc ? current->sc->prio : PRIO_MAX;

	t->killed = true;
	/*
	 * What it has left to do (unwind a syscall, free its process) runs
	 * at its killer's priority if that is higher: a kill lands at once
	 * however busy the priorities above the victim's are.
	 */
	if (prio > t->kill_prio)
		t->kill_prio = prio;
	if (t->state == TS_BLOCKED)
		sched_wake(t, -EINTR);
	else if (t->state == TS_READY)
		sched_requeue(t);
}

/*
 * A thread that cannot run (passive, never lent a scheduling context)
 * would never reach thread_exit: the killer retires it instead. So does
 * one that need not run: ready at a clean point, with nothing on its
 * kernel stack to unwind (t->clean_yield).
 */
void thread_retire_inactive(struct thread *t)
{
	struct cap_group *g = t->group;
	bool last;

	t->killed = true; /* no second retirement (thread_drop_ref) */
	if (t->state == TS_READY)
		sched_dequeue(t);
	sched_timeout_clear(t);
	ipc_thread_detach(t);
	last = leave_group(t);
	t->state = TS_DEAD;
	if (!last) {
		thread_reap(t);
		return;
	}
	/*
	 * The killer frees the process's memory on its own time, as the
	 * last thread would on its way out: preemptibly (a client killed
	 * while it waits in IPC may hold all of memory).
	 */
	obj_get(g);
	thread_reap(t);
	cap_group_shed_memory(g);
	cap_group_teardown(g);
	obj_put(g);
}

void thread_exit_if_killed(void)
{
	if (unlikely(current->killed))
		thread_exit();
}

/*
 * Unreachable passive threads. A passive thread runs only when IPC
 * enters it, and IPC enters it only through a capability to it or a
 * binding (a service's register callback, a connection's handler), each
 * of which holds a reference. When the last of them goes and only its
 * own life reference is left, nothing can ever run it: it is retired at
 * once. Retiring may drop further references (the connections on its
 * pending list, the register callback of a service it named), so
 * retirements go on a list that the outermost caller drains: the depth
 * of nesting stays one, whatever chain user space builds.
 *
 * The last thread of a process is left alone: retiring it would tear
 * the process down from inside whatever dropped the reference (perhaps
 * another teardown). Such a process ends when it is killed, as a server
 * whose only threads are passive always has (docs/syscalls.md).
 *
 * Owner: the one CPU, kernel not preemptible: nothing below yields.
 */
static struct list_head reclaim_list = {&reclaim_list, &reclaim_list};
static bool reclaiming;

static bool unreachable_passive(struct thread *t)
{
	/* Our reference and its life: nothing else can name it. */
	return obj_refcount(t) == 2 && !t->sc && t->state == TS_INACTIVE &&
	       !t->killed && t != current && t->group && !t->group->exiting;
}

static void reclaim_drain(void)
{
	reclaiming = true;
	while (!list_empty(&reclaim_list)) {
		struct thread *t =
			list_first(&reclaim_list, struct thread, sched_node);
		struct cap_group *g = t->group;
		bool alone;

		list_del(&t->sched_node);
		list_init(&t->sched_node);
		lock(&g->lock);
		alone = g->nthreads == 1 || g->exiting;
		unlock(&g->lock);
		if (alone)
			t->killed = false; /* left as it was (see above) */
		else
			thread_retire_inactive(t);
		obj_put(t); /* the reference the list took over */
	}
	reclaiming = false;
}

void thread_drop_ref(struct thread *t)
{
	if (!t || !unreachable_passive(t)) {
		obj_put(t);
		return;
	}
	t->killed = true; /* queued: not queued twice, never entered */
	list_append(&reclaim_list, &t->sched_node);
	if (!reclaiming)
		reclaim_drain();
}
