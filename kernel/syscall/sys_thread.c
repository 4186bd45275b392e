/* Thread syscalls. */
#include <arch/arch.h>
#include <ipc/connection.h>
#include <object/cap_group.h>
#include <object/sched_context.h>
#include <object/thread.h>
#include <sched/sched.h>
#include <syscall/native.h>
#include <uapi/ferry/errno.h>

/*
 * Starts a thread in process group_cap (CONTROL) at entry(arg) with stack
 * pointer `stack`, at the caller's priority (capped at the caller's MCP:
 * a handler may run on a caller's higher one) and with the caller's MCP.
 * flags: THREAD_PASSIVE makes it wait for IPC instead. A thread of the
 * caller's own process starts with the caller's TLS base. Returns a
 * thread cap (all rights).
 * -ECAPBILITY, -EINVAL (entry or stack outside user space, flags),
 * -ESRCH (process exiting), -EAGAIN (no thread id free), -ENOMEM.
 */
long sys_thread_create(u64 group_cap, u64 entry, u64 stack, u64 arg, u64 flags)
{
	struct cap_group *g;
	struct thread *t;
	u32 prio = current->sc ? current->sc->prio : PRIO_DEFAULT;
	long ret;

	if (prio > current->mcp)
		prio = current->mcp;

	if (entry >= USER_TOP || stack > USER_TOP ||
	    (flags & ~(u64)THREAD_PASSIVE))
		return -EINVAL;
	ret = get_controlled_group(group_cap, &g);
	if (ret)
		return ret;
	ret = thread_create_sched(g, entry, stack, arg, (u32)flags, prio,
				  current->mcp, &t);
	if (ret)
		goto out_group;
	/* As Linux's clone without CLONE_SETTLS: same TLS as the creator. */
	if (g == current->group)
		arch_thread_inherit_tls(t, current);
	ret = cap_alloc(current->group, t, CAP_RIGHT_ALL);
	if (ret < 0) { /* no one could ever name it */
		if (t->sc)
			thread_kill(t);
		else
			thread_retire_inactive(t);
	}
	obj_put(t);
out_group:
	obj_put(g);
	return ret;
}

/*
 * Sets a thread's priority (0..31), at most the caller's MCP (as seL4's
 * TCB_SetPriority checks it against its authority's MCP).
 * -EINVAL (prio > 31, passive thread), -EPERM (prio above the caller's
 * MCP), -ECAPBILITY, -ESRCH (the thread has died).
 */
long sys_thread_set_prio(u64 thread_cap, u64 prio)
{
	struct thread *t;
	long ret;

	if (prio > PRIO_MAX)
		return -EINVAL;
	if (prio > current->mcp)
		return -EPERM;
	ret = cap_get(current->group, cap_arg(thread_cap), OBJ_TYPE_THREAD,
		      CAP_RIGHT_CONTROL, (void **)&t);
	if (ret)
		return ret;
	if (t->state == TS_DEAD || !t->sc || t->ipc.passive) {
		/* A passive thread runs at its callers' priorities. */
		ret = t->state == TS_DEAD ? -ESRCH : -EINVAL;
	} else if (t->state == TS_READY) {
		sched_dequeue(t);
		t->state = TS_INACTIVE;
		t->sc->prio = (u32)prio;
		sched_enqueue(t);
	} else {
		t->sc->prio = (u32)prio;
		ipc_prio_changed(t); /* a waiter moves; what it lends too */
		if (t == current)
			sched_yield(); /* a higher thread may be ready now */
	}
	obj_put(t);
	return ret;
}

/*
 * Sets a thread's maximum controlled priority (0..31), at most the
 * caller's own (seL4's TCB_SetMCPriority). The thread's priority stays
 * as it is: the MCP bounds what it may set from now on, for itself and
 * for the threads and processes it creates. -EINVAL (mcp > 31), -EPERM
 * (above the caller's MCP), -ECAPBILITY, -ESRCH (the thread has died).
 */
long sys_thread_set_mcp(u64 thread_cap, u64 mcp)
{
	struct thread *t;
	long ret;

	if (mcp > PRIO_MAX)
		return -EINVAL;
	if (mcp > current->mcp)
		return -EPERM;
	ret = cap_get(current->group, cap_arg(thread_cap), OBJ_TYPE_THREAD,
		      CAP_RIGHT_CONTROL, (void **)&t);
	if (ret)
		return ret;
	if (t->state == TS_DEAD)
		ret = -ESRCH;
	else
		t->mcp = (u32)mcp;
	obj_put(t);
	return ret;
}

/* Ends the calling thread; the last thread's exit ends the process (0). */
long sys_thread_exit(void)
{
	thread_exit();
}

/* Yields the CPU to the next ready thread of the same or higher priority. */
long sys_yield(void)
{
	sched_yield();
	return 0;
}
