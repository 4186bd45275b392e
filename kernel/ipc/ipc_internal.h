/* Helpers shared by the IPC files; not for the rest of the kernel. */
#ifndef KERNEL_IPC_INTERNAL_H
#define KERNEL_IPC_INTERNAL_H

#include <ipc/connection.h>
#include <object/cap_group.h>
#include <object/thread.h>
#include <uapi/ferry/ipc.h>

/* A thread that can still serve: not dead, not dying. */
static inline bool ipc_thread_alive(const struct thread *t)
{
	return t->state != TS_DEAD && !t->killed && !t->group->exiting;
}

/*
 * Moves the running thread's scheduling context into the passive thread
 * `server` and enters it at pc/sp with the given arguments; the caller
 * waits in TS_IPC_WAIT. Never returns.
 */
void ipc_migrate_to_passive(struct thread *server, u64 pc, u64 sp, u64 a0,
			    u64 a1, u64 a2, u64 a3) __attribute__((noreturn));
/*
 * The passive thread (current) has finished serving: it gives the lent
 * context back, and `caller` (if any) resumes at once with `ret`.
 * Without a caller the CPU goes to whoever is next. Never returns.
 */
void ipc_finish_passive(struct thread *caller, long ret)
	__attribute__((noreturn));
/*
 * Is the busy passive thread h, through the chain of calls it waits on,
 * waiting for the running thread? Then a retry could never succeed (A
 * calls B, B calls back into A's busy handler): -EDEADLK, not -EIPCRETRY.
 */
bool ipc_waits_for_current(struct thread *h);
/*
 * Waiting (wait.c). ipc_acquire takes the passive thread h for current:
 * 0 (it is ours: p->busy set), -EBUSY (wait: ipc_wait_for), -EDEADLK.
 */
long ipc_acquire(struct thread *h);
/*
 * Blocks current, which holds no reference, until h is granted to it,
 * its deadline passes or h dies; it then resumes from its user frame.
 * Returns only if current was killed meanwhile (IPC_RESTART) or at once
 * (-EINTR).
 */
long ipc_wait_for(struct thread *h);
/* h is free: an owed destructor run starts, or the first waiter's grant. */
void ipc_passive_idle(struct thread *h);
/* Drops t's waits_on and the reference it holds (wait.c). */
void ipc_waits_on_clear(struct thread *t);
/* t stops waiting, or gives up a grant it holds (it passes on). */
void ipc_wait_end(struct thread *t);
/* Deadline: a waiting t resumes with -ETIMEDOUT; false if not waiting. */
bool ipc_wait_timeout(struct thread *t);
/* h dies: every waiter re-issues its call (and finds the server dead). */
void ipc_wake_all_waiters(struct thread *h);
/* Is h granted to a waiter of higher priority than t? */
bool ipc_grantee_outranks(struct thread *h, struct thread *t);
/*
 * An orphaned passive thread gave back the context sc it ran on: sc's
 * boost is recomputed from its owner's chain of calls (0 without one).
 */
void ipc_orphan_left(struct sched_context *sc);
/* t left a chain of calls: what its context inherited is recomputed. */
void ipc_chain_left(struct thread *t);
/* Makes a thread that waits in IPC runnable again with result `ret`. */
void ipc_wake_caller(struct thread *caller, long ret);
/* Starts the next pending destructor on an idle handler, if any. */
void ipc_kick_handler(struct thread *handler);
/* Queues a closed connection's destructor on its handler. */
void ipc_queue_destructor(struct connection *conn);
/* Stops a caller's deadline. */
void ipc_clear_deadline(struct thread *t);
/*
 * Copies ncaps capabilities named by slots[] (a checked kernel copy of
 * the message's cap slots) from one process to another, and writes the
 * receiver's slot numbers into the message's slots in the shm (at shm
 * offset slots_off) through the PMO, and in `given` if not NULL (the
 * receiver's own record); a failure part way undoes it all.
 */
long ipc_transfer_caps(struct cap_group *from, const cap_t *slots,
		       struct cap_group *to, u32 ncaps, struct pmo *shm,
		       u64 slots_off, cap_t *given);

#endif
