/*
 * Kernel-made calls (kcall.h): the call, the restart that completes it,
 * and the shm copies the syscalls above need.
 *
 * The protocol, in steps:
 *  1. A syscall (say a forwarded write) reserves the connection and
 *     takes its handler (kcall_prepare; a busy handler is waited for
 *     on its queue, wait.c, and the syscall restarts), writes its message into
 * the shm and calls kcall_commit(), which records the syscall's identity and
 * migrates the thread into the handler as ipc_call does. The thread's kernel
 *     stack is abandoned.
 *  2. The handler returns: ipc_finish_passive() calls kcall_finish()
 *     instead of setting rax. Or the server dies: ipc_wake_caller()
 *     calls kcall_abort(). Either records the outcome and rewinds the
 *     frame to the syscall instruction.
 *  3. The thread resumes in user mode at the syscall instruction, enters
 *     the same syscall again, and kcall_resume() gives it the outcome.
 *  4. The syscall completes and releases the connection
 *     (kcall_release), or makes the next round (back to 1, still
 *     holding it).
 * A thread killed at any step is retired as any caller in IPC is
 * (death.c); kcall_detach() forgets its kcall.
 */
#include <arch/arch.h>
#include <ipc/ipc_internal.h>
#include <ipc/kcall.h>
#include <lib/time.h>
#include <mm/uaccess.h>
#include <object/pmo.h>
#include <sched/sched.h>
#include <uapi/ferry/errno.h>

/* The connection's state and its server's life, as check_conn sees them. */
static long kcall_check_dead(struct connection *conn)
{
	if (unlikely(conn->state != CONN_VALID))
		return conn->state == CONN_PENDING ? -EINVAL : -EIO;
	if (unlikely(!ipc_thread_alive(conn->handler))) {
		conn->state = CONN_DEAD; /* as check_conn: dead for good */
		return -EIO;
	}
	return 0;
}

/* Gives back a handler kcall_prepare took for a call never committed. */
static void unhold(struct kcall *k)
{
	struct thread *h = k->conn->handler;

	k->holds = false;
	h->ipc.passive->busy = false;
	ipc_passive_idle(h); /* its first waiter's grant */
}

static void release(struct kcall *k)
{
	struct connection *conn = k->conn;

	if (conn) {
		if (k->holds)
			unhold(k);
		k->conn = NULL;
		/* A call still in flight (its caller died) keeps it busy. */
		if (conn->handler->ipc.passive->conn != conn)
			conn->busy = false;
		obj_put(conn);
	}
}

long kcall_prepare(struct connection *conn)
{
	struct kcall *k = &current->ipc.kcall;
	bool later = k->conn == conn; /* a later round: reserved already */
	long ret;

	if (!later)
		release(k); /* another connection's: not ours any more */
	/*
	 * Reserved by another thread (its kcall between two rounds, or a
	 * call in flight on it): no queue holds such a wait, so look again
	 * a tick later. A grant we hold passes on first, so that the
	 * reserving thread, which may wait for the handler, gets it.
	 */
	while (!(ret = kcall_check_dead(conn)) && !later && conn->busy) {
		if (ipc_waits_for_current(conn->handler)) {
			ret = -EDEADLK; /* it serves us: a wait never ends */
			break;
		}
		ipc_wait_end(current);
		if (sched_sleep_until(time_mono_ns() + NS_PER_TICK) < 0)
			return -EINTR;
	}
	if (ret)
		goto out_release;
	ret = ipc_acquire(conn->handler);
	if (unlikely(ret == -EBUSY)) {
		/*
		 * A busy handler: the syscall unwinds what it holds, then
		 * waits on the queue (kcall_wait). A later round replays the
		 * outcome it was given (kcall_resume forgot it), so the
		 * restart carries on where it was.
		 */
		if (later)
			k->state = KCALL_DONE;
		obj_get(conn->handler);
		k->wait_for = conn->handler;
		return KCALL_WAIT;
	}
	if (ret)
		goto out_release;
	k->holds = true;
	if (!later) {
		obj_get(conn);
		conn->busy = true;
		k->conn = conn;
	}
	return 0;
out_release:
	ipc_wait_end(current); /* a grant we cannot use passes on */
	if (later)
		release(k);
	return ret;
}

/* Records nothing of the caller; commits and migrates (kcall_commit). */
static void __attribute__((noreturn))
commit(struct kcall *k, u64 progress, bool keep)
{
	struct connection *conn = k->conn;
	struct ipc_passive *p = conn->handler->ipc.passive;

	/* Committed: the state ipc_call leaves, with no client message. */
	k->state = KCALL_CALLING;
	k->result = 0;
	k->died = false;
	k->progress = progress;
	k->holds = false; /* the handler is the call's now */
	obj_get(conn);	  /* the call's, dropped by ipc_return or the death */
	conn->busy = true;
	conn->call_msg = 0; /* nothing to take capabilities back into */
	p->busy = true;
	p->conn = conn;
	if (!keep) {
		/* Nothing to read back: the call's own reference remains. */
		k->conn = NULL;
		obj_put(conn);
	}
	ipc_migrate_to_passive(conn->handler, p->entry, p->stack,
			       conn->server_shm, conn->badge, 0, 0);
}

void kcall_commit(u64 progress)
{
	struct kcall *k = &current->ipc.kcall;
	struct arch_regs *r = thread_regs(current);

	k->pc = arch_regs_pc(r);
	k->nr = arch_syscall_nr(r);
	k->args[0] = arch_sysarg0(r);
	k->args[1] = arch_sysarg1(r);
	k->args[2] = arch_sysarg2(r);
	commit(k, progress, true);
}

void kcall_commit_fault(u64 va)
{
	struct kcall *k = &current->ipc.kcall;
	struct arch_regs *r = thread_regs(current);

	k->pc = arch_regs_pc(r);
	/*
	 * A syscall's frame (its copy met the page, pager.c) issues the
	 * syscall again after the call; a fault's re-executes as it is.
	 */
	arch_regs_restart_syscall(r, arch_syscall_nr(r));
	k->nr = KCALL_NR_FAULT;
	k->args[0] = va;
	k->args[1] = k->args[2] = 0;
	commit(k, 0, false);
}

bool kcall_fault_outcome(u64 va, long *result, bool *died)
{
	struct kcall *k = &current->ipc.kcall;
	bool mine;

	if (k->state != KCALL_DONE || k->nr != KCALL_NR_FAULT)
		return false; /* a syscall's outcome is its restart's */
	mine = k->pc == arch_regs_pc(thread_regs(current)) && k->args[0] == va;
	*result = k->result;
	*died = k->died;
	k->state = KCALL_NONE;
	return mine;
}

void kcall_fault_forget(void)
{
	struct kcall *k = &current->ipc.kcall;

	if (k->state == KCALL_DONE && k->nr == KCALL_NR_FAULT)
		k->state = KCALL_NONE;
}

long kcall_call(struct connection *conn, u64 progress)
{
	long ret = kcall_prepare(conn);

	if (ret)
		return ret;
	kcall_commit(progress);
}

void kcall_wait(void)
{
	struct kcall *k = &current->ipc.kcall;
	struct thread *h = k->wait_for;
	struct arch_regs *r = thread_regs(current);

	k->wait_for = NULL;
	/* Alive, so its process holds it past our reference. */
	if (ipc_thread_alive(h) && h->ipc.passive->busy &&
	    h->ipc.passive->granted != current) {
		obj_put(h);
		ipc_wait_for(h); /* returns only if we were killed */
		return;
	}
	/* Free (or dead) by now: the syscall is issued again at once. */
	obj_put(h);
	arch_regs_restart_syscall(r, arch_syscall_nr(r));
}

void kcall_release(void)
{
	/* A grant of the handler the syscall ended without using passes on. */
	if (unlikely(current->ipc.waits_on))
		ipc_wait_end(current);
	release(&current->ipc.kcall);
}

static void restart(struct thread *t, long result)
{
	struct kcall *k = &t->ipc.kcall;

	k->state = KCALL_DONE;
	k->result = result;
	/* A fault's frame goes back to the faulting instruction as it is. */
	if (k->nr == KCALL_NR_FAULT)
		return;
	/* ipc_return made it idle: still ours until the restart reads it. */
	if (k->conn && k->conn->state == CONN_VALID)
		k->conn->busy = true;
	arch_regs_restart_syscall(thread_regs(t), k->nr);
}

void kcall_finish(struct thread *t, long ret)
{
	restart(t, ret);
}

void kcall_abort(struct thread *t)
{
	t->ipc.kcall.died = true;
	restart(t, -EIO);
}

void kcall_detach(struct thread *t)
{
	if (t->ipc.kcall.wait_for) {
		obj_put(t->ipc.kcall.wait_for);
		t->ipc.kcall.wait_for = NULL;
	}
	t->ipc.kcall.state = KCALL_NONE;
	release(&t->ipc.kcall);
}

bool kcall_resume(long *result, u64 *progress)
{
	struct kcall *k = &current->ipc.kcall;
	struct arch_regs *r = thread_regs(current);
	bool mine =
		k->state == KCALL_DONE && k->pc == arch_regs_pc(r) &&
		k->nr == arch_syscall_nr(r) && k->args[0] == arch_sysarg0(r) &&
		k->args[1] == arch_sysarg1(r) && k->args[2] == arch_sysarg2(r);

	*result = mine ? k->result : 0;
	*progress = mine ? k->progress : 0;
	/* A pager's outcome waits for its own fault (pager.c), not ours. */
	if (k->nr != KCALL_NR_FAULT)
		k->state = KCALL_NONE;
	if (!mine)
		release(k);
	return mine;
}

static bool shm_range_ok(struct connection *conn, u64 off, u64 len)
{
	return off <= conn->shm_size && len <= conn->shm_size - off;
}

long kcall_shm_write(struct connection *conn, u64 off, const void *src, u64 len)
{
	if (!shm_range_ok(conn, off, len))
		return -EINVAL;
	return pmo_write(conn->shm, off, src, len) ? -ENOMEM : 0;
}

/* Bounce buffer size: shm pages are reached through the PMO. */
#define KCALL_BOUNCE 256

long kcall_shm_write_user(struct connection *conn, u64 off,
			  const void __user *user_src, u64 len)
{
	char buf[KCALL_BOUNCE];

	if (!shm_range_ok(conn, off, len))
		return -EINVAL;
	for (u64 done = 0; done < len;) {
		u64 n = MIN(len - done, (u64)sizeof(buf));

		if (copy_from_user(buf, (const char __user *)user_src + done,
				   n))
			return -EFAULT;
		if (pmo_write(conn->shm, off + done, buf, n))
			return -ENOMEM;
		done += n;
	}
	return 0;
}

long kcall_shm_read_user(struct connection *conn, u64 off, void __user *dst,
			 u64 len)
{
	char buf[KCALL_BOUNCE];

	if (!shm_range_ok(conn, off, len))
		return -EINVAL;
	for (u64 done = 0; done < len;) {
		u64 n = MIN(len - done, (u64)sizeof(buf));

		if (pmo_read(conn->shm, off + done, buf, n))
			return -EFAULT; /* a page the shm never had */
		if (copy_to_user((char __user *)dst + done, buf, n))
			return -EFAULT;
		done += n;
	}
	return 0;
}
