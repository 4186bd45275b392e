/*
 * Threads. A thread belongs to one cap_group, owns a kernel stack (its
 * user register frame sits at the top) and runs on a scheduling context,
 * its own or, for a passive IPC handler, one lent by a caller.
 *
 * Lifetime: capabilities hold references, and so does the thread's own
 * life (the "alive" reference) until its kernel stack is freed after the
 * last switch away from it. A thread dies only in its own context
 * (thread_exit), so it never leaves kernel state half done; killing it
 * sets `killed` and wakes it if blocked.
 */
#ifndef KERNEL_OBJECT_THREAD_H
#define KERNEL_OBJECT_THREAD_H

#include <arch_defs.h>
#include <ipc/connection.h>
#include <lib/list.h>
#include <object/object.h>
#include <syscall/linux/state.h>

struct budget;
struct cap_group;
struct sched_context;
struct waitq;

enum thread_state {
	TS_INACTIVE, /* passive, or not yet started */
	TS_READY,    /* on a run queue */
	TS_RUNNING,
	TS_BLOCKED,  /* on a wait queue */
	TS_IPC_WAIT, /* lent its context to a passive thread (ipc/) */
	TS_DEAD,
};

struct thread {
	struct object obj;
	struct arch_thread arch;
	struct cap_group *group;  /* holds a reference */
	struct sched_context *sc; /* holds a reference, NULL if passive */
	void *kstack;		  /* KSTACK_SIZE bytes */
	paddr_t pt_root;	  /* the group's page tables, cached */
	enum thread_state state;
	struct list_head sched_node; /* run queue or wait queue */
	u32 rq_prio; /* its run queue (the context's prio may change) */
	struct waitq *waiting_on;
	long wake_result;
	struct list_head group_node; /* guarded by group->lock */
	bool killed;
	/*
	 * Set while it yields at a clean point (on its way back to user
	 * space, nothing held on its kernel stack) or before it first ran:
	 * a killer may then retire it instead of waiting for it to run.
	 */
	bool clean_yield;
	u32 kill_prio;	 /* killed: runs at least at its killer's priority */
	u32 mcp;	 /* maximum controlled priority (seL4's MCP) */
	u32 tid;	 /* task_id.h: the pid for a process's first thread */
	u64 cpu_tsc;	 /* TSC ticks run so far (sched/cputime.c) */
	u64 sleep_until; /* monotonic ns, while on the sleepers queue */
	/* sched_block_until's deadline (monotonic ns), 0 when none; while
	 * set, timeout_node is on sched/timeout.c's `timed` list. */
	u64 timeout_at;
	struct list_head timeout_node;
	/*
	 * A page only a pager can supply that the user-access layer met
	 * in a syscall (mm/pager.c), or 0; its FAULT_* access, and the
	 * syscall's pc (the page is that syscall's only).
	 */
	u64 pager_pending;
	u64 pager_pending_pc;
	u32 pager_access;
	struct linux_thread lx; /* Linux-personality state (syscall/linux/) */
	struct ipc_thread ipc;
	/* Its process's budget (a reference): charged for this struct and
	 * the kernel stack until they are freed. */
	struct budget *budget;
};

static inline struct arch_regs *thread_regs(struct thread *t)
{
	return (struct arch_regs *)((char *)t->kstack + KSTACK_SIZE) - 1;
}

/*
 * Creates a thread in g that will enter user space at pc with stack sp
 * and arg in the first argument register. With THREAD_PASSIVE it gets no
 * scheduling context and does not run; otherwise it is made ready, or,
 * in a process not yet started, held (TS_INACTIVE) until it starts.
 * Returns 0 and a reference for the caller in *out; -EINVAL for bad prio
 * or flags, -ESRCH if g is exiting, -EAGAIN when no thread id is free,
 * -ENOMEM.
 */
int thread_create(struct cap_group *g, u64 pc, u64 sp, u64 arg, u32 flags,
		  u32 prio, struct thread **out);
/*
 * The same with the thread's maximum controlled priority (plain
 * thread_create gives it mcp = prio). The caller has checked both
 * against its own authority; -EINVAL if either exceeds PRIO_MAX.
 */
int thread_create_sched(struct cap_group *g, u64 pc, u64 sp, u64 arg, u32 flags,
			u32 prio, u32 mcp, struct thread **out);
void thread_destroy(void *obj);
/* Ends the running thread; the last one ends its process. */
void thread_exit(void) __attribute__((noreturn));
/* Asks a thread to die at its next return to user space. */
void thread_kill(struct thread *t);
/*
 * Ends a thread that cannot run (passive, not lent a context) at once;
 * if it was its process's last, frees the process preemptibly (call it
 * with no lock held).
 */
void thread_retire_inactive(struct thread *t);
/*
 * Drops a reference that let someone reach t (a capability, an IPC
 * binding). A passive, idle thread left with no such reference is
 * retired at once, unless it is its process's last thread.
 */
void thread_drop_ref(struct thread *t);
/* At every return to user space: a killed thread dies here. */
void thread_exit_if_killed(void);
/* Frees what a dead thread held once nothing runs on its stack. */
void thread_reap(struct thread *t);

#endif
