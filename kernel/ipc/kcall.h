/*
 * Kernel-made calls: the kernel sends a message on a connection on behalf
 * of the running thread, which migrates into the handler on its own
 * scheduling context exactly as a user call does (call.c).
 *
 * Restart, not continuation (after seL4's restart state and Linux's
 * -ERESTARTSYS): a thread that waits in IPC keeps no kernel stack, so
 * the syscall that made the call cannot resume half way. Instead, when
 * the handler returns (or dies), the kernel records the outcome in the
 * thread's struct kcall and rewinds its user frame to the syscall
 * instruction with the original number in rax; every other argument
 * register is as the syscall found it. The thread re-enters the same
 * syscall, which asks kcall_resume() for the outcome and completes (copies
 * results out, sets the return value, or makes the next call of a
 * multi-round operation, carrying `progress` over). docs/ipc.md has the
 * sequence.
 *
 * Identity: the outcome belongs to the syscall at the recorded pc with
 * the recorded number and first three arguments; any other syscall (the
 * code was changed under the thread by another one) finds nothing and
 * the stale outcome is dropped.
 *
 * Reservation: the shm is the connection's only buffer, so from the
 * moment a syscall starts writing its request (kcall_prepare) until it
 * has read the answer back in its restart (kcall_release), the
 * connection is the thread's: busy for everyone else (other kcalls look
 * again a tick later, user calls get -EIPCRETRY), across every round of
 * a multi-round call. Its handler is taken per round, from
 * kcall_prepare to the handler's return, as a user call takes it.
 * The thread holds a reference to it meanwhile (struct kcall's conn);
 * its death releases it (kcall_detach).
 *
 * Owner: the thread itself, and the IPC paths that resume it, on one
 * CPU with the kernel not preemptible.
 */
#ifndef KERNEL_IPC_KCALL_H
#define KERNEL_IPC_KCALL_H

#include <lib/types.h>

struct connection;
struct thread;

enum kcall_state {
	KCALL_NONE,
	KCALL_CALLING, /* in the handler (TS_IPC_WAIT) */
	KCALL_DONE,    /* outcome recorded, the syscall restarts */
};

struct kcall {
	enum kcall_state state;
	struct connection *conn; /* reserved for us, with a reference */
	bool holds; /* took conn's handler (p->busy), not yet committed */
	struct thread *wait_for; /* KCALL_WAIT's busy handler, referenced */
	long result;		 /* the handler's return value, or -EIO */
	bool died;		 /* the server died during the call */
	u64 progress;	     /* the syscall's own count, kept across rounds */
	u64 pc, nr, args[3]; /* the syscall to restart */
};

/*
 * Reserves conn for the running thread, which is in the middle of a
 * syscall whose frame is thread_regs(current), and takes its handler
 * (p->busy) for the call; a reservation the thread holds already (an
 * earlier round) is kept. A busy handler is waited for on its queue as
 * a user call does (wait.c): KCALL_WAIT, then the syscall releases what
 * it holds (its kernel stack is abandoned) and calls kcall_wait(); once
 * granted, the syscall restarts and comes back here (a later round
 * replays the outcome it had, kcall_resume). A connection reserved by another
 * thread has no queue: it is looked at again a tick later. Then the
 * caller writes the request (struct ipc_msg and its data) at offset 0
 * of the shm, with kcall_shm_write*(), and calls kcall_commit() (or
 * kcall_release(), which gives the handler back); nothing may block in
 * between. 0, or (nothing reserved then): -EIO if the server is dead or
 * dying (the connection is dead for good), -EDEADLK if the handler is
 * busy serving, through a chain of calls, the running thread itself,
 * -EINVAL for a connection not (yet or any more) valid, -EINTR if the
 * thread was killed while it waited.
 */
long kcall_prepare(struct connection *conn);
#define KCALL_WAIT 1 /* kcall_prepare: the handler is busy */
/*
 * After KCALL_WAIT, with nothing held: blocks on the handler's queue;
 * the grant (or its death) restarts the syscall from its user frame.
 * Returns only if the thread was killed, or with the frame rewound to
 * issue the syscall again (the handler was freed meanwhile): the
 * syscall then returns its own number (what the rewound `syscall`
 * needs in rax), as it does anyway.
 */
void kcall_wait(void);
/*
 * Calls the reserved connection's handler with the request in the shm:
 * the handler receives it at the server's address with the connection's
 * badge, on the running thread's scheduling context. Never returns: when
 * the handler returns (or dies) the syscall restarts, and
 * kcall_resume() hands back the outcome and `progress`.
 */
void kcall_commit(u64 progress) __attribute__((noreturn));
/*
 * A pager's call for a page (mm/pager.c), after kcall_prepare() and the
 * request: as kcall_commit(), but the reservation ends with the call,
 * since nothing is read back, and no syscall expects the outcome. A page
 * fault's frame is left as it is; a syscall's frame (its user copy met
 * the page) is rewound at once to issue the syscall again. When the
 * handler returns (or dies) the thread resumes at that frame, and
 * kcall_fault_outcome() gives the outcome to the same fault.
 */
void kcall_commit_fault(u64 va) __attribute__((noreturn));
/* struct kcall's nr for a pager's call: no syscall has it. */
#define KCALL_NR_FAULT (~0ull)
/*
 * At a fault on page va: true, and the outcome (the handler's return
 * value; *died if the pager died during the call), if the running
 * thread's last kcall was the pager's call for this very fault (same pc
 * and page); a pager call's outcome for another fault is forgotten.
 */
bool kcall_fault_outcome(u64 va, long *result, bool *died);
/* A fault was resolved: any pager call outcome left is stale. */
void kcall_fault_forget(void);

/* kcall_prepare() then kcall_commit(), for a request in the shm already. */
long kcall_call(struct connection *conn, u64 progress);
/* The syscall is done with the connection: another thread may have it. */
void kcall_release(void);
/*
 * At the start of a restartable syscall: if the running thread's last
 * kcall finished for this very syscall, stores its outcome (the handler's
 * return value, or -EIO if the server died during the call) in *result
 * and its progress in *progress, forgets it, and returns true; the
 * reservation stays until kcall_release(). Otherwise forgets any stale
 * outcome, releases any reservation, sets both to 0 and returns false.
 */
bool kcall_resume(long *result, u64 *progress);
/*
 * Writes len bytes at off in conn's shm (kernel source), or copies them
 * from user memory (user_src). 0, -EINVAL past the shm's end, -EFAULT
 * on a bad user address, -ENOMEM.
 */
long kcall_shm_write(struct connection *conn, u64 off, const void *src,
		     u64 len);
long kcall_shm_write_user(struct connection *conn, u64 off,
			  const void __user *user_src, u64 len);
/* Copies len bytes at off in conn's shm to user memory: 0, -EINVAL, -EFAULT. */
long kcall_shm_read_user(struct connection *conn, u64 off, void __user *dst,
			 u64 len);

/* Hooks for the IPC return paths (call.c, death.c). */
/* The handler returned ret to t, which made a kcall: t restarts. */
void kcall_finish(struct thread *t, long ret);
/* t's server died, or its call was abandoned: t restarts with -EIO. */
void kcall_abort(struct thread *t);
/* t is dying: forget its kcall and release its reservation. */
void kcall_detach(struct thread *t);

#endif
