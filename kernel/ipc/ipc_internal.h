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
/* Makes a thread that waits in IPC runnable again with result `ret`. */
void ipc_wake_caller(struct thread *caller, long ret);
/* Starts the next pending destructor on an idle handler, if any. */
void ipc_kick_handler(struct thread *handler);
/* Queues a closed connection's destructor on its handler. */
void ipc_queue_destructor(struct connection *conn);
/* Stops a caller's deadline. */
void ipc_clear_deadline(struct thread *t);
/* Takes a message's capabilities from one process to another. */
long ipc_transfer_caps(struct cap_group *from, u64 msg, struct cap_group *to,
		       u32 ncaps);
/* Checks a user message lies in [shm, shm+size); copies its header. */
long ipc_check_msg(u64 msg, u64 shm, u64 size, struct ipc_msg *hdr);

#endif
