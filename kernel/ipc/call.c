/*
 * The call path: ipc_call_conn migrates the caller's scheduling context
 * into the handler (waiting first if it is busy: wait.c);
 * ipc_return_args migrates it back. Both check everything before
 * changing anything, so a refused call (-EINVAL, -EDEADLK, ...) leaves
 * the connection as it was. Their arguments are kernel copies the
 * syscall layer made and checked (sys_ipc.c): nothing here reads user
 * memory.
 */
#include <arch/arch.h>
#include <ipc/ipc_internal.h>
#include <lib/printk.h>
#include <lib/string.h>
#include <mm/budget.h>
#include <object/pmo.h>
#include <object/sched_context.h>
#include <sched/sched.h>
#include <uapi/ferry/errno.h>

void ipc_migrate_to_passive(struct thread *server, u64 pc, u64 sp, u64 a0,
			    u64 a1, u64 a2, u64 a3)
{
	struct thread *caller = current;
	struct ipc_passive *p = server->ipc.passive;
	struct arch_regs *r = thread_regs(server);

	caller->state = TS_IPC_WAIT;
	caller->ipc.callee = server;
	p->caller = caller;
	obj_get(caller->sc);
	server->sc = caller->sc;
	arch_regs_set_entry(r, pc, sp);
	arch_regs_set_args(r, a0, a1, a2, a3, 0);
	server->state = TS_RUNNING;
	current = server;
	arch_switch_to_user(caller, server);
}

void ipc_finish_passive(struct thread *caller, long ret)
{
	struct thread *self = current;
	struct sched_context *lent = self->sc;

	self->ipc.passive->caller = NULL;
	self->sc = NULL;
	self->state = TS_INACTIVE;
	/*
	 * An orphan's waiters boosted a context whose chain we cannot see
	 * from here: it is recomputed from its owner's chain (wait.c).
	 */
	if (unlikely(!caller && lent->boost))
		ipc_orphan_left(lent);
	obj_put(lent); /* a live caller still holds its own reference */
	/* Destructor runs owed (on a context of its own), else a waiter. */
	ipc_passive_idle(self);
	if (!caller) {
		/* Orphaned: the caller died or gave up; nobody to return to. */
		if (self->state == TS_READY) {
			/* A destructor run was queued on us: go straight in. */
			sched_dequeue(self);
			self->state = TS_RUNNING;
			arch_switch_to_user(self, self);
		}
		/* Passive and idle: never resumed from this stack again. */
		schedule();
		panic("orphaned passive thread resumed");
	}
	/*
	 * If the kick queued us, we resume through the scheduler later, and
	 * this kernel stack is about to be abandoned: start afresh then.
	 * (Safe only because nothing returns up this stack from here.)
	 */
	if (self->state == TS_READY)
		arch_thread_reset_kctx(self);
	ipc_clear_deadline(caller);
	caller->ipc.callee = NULL;
	ipc_chain_left(caller);
	if (unlikely(caller->ipc.kcall.state)) /* kcall.h: a restart */
		kcall_finish(caller, ret);
	else
		arch_regs_set_ret(thread_regs(caller), (u64)ret);
	if (unlikely(ipc_grantee_outranks(self, caller))) {
		/*
		 * The waiter we were just granted to outranks our caller: it
		 * runs first, and the caller waits its turn on a run queue.
		 * We are idle and kept for the grantee: this stack is never
		 * resumed (a call or an exit run enters at the user frame).
		 */
		arch_thread_reset_kctx(caller);
		caller->state = TS_INACTIVE;
		sched_enqueue(caller);
		schedule();
		panic("granted passive thread resumed");
	}
	caller->state = TS_RUNNING;
	current = caller;
	arch_switch_to_user(self, caller);
}

long ipc_transfer_caps(struct cap_group *from, const cap_t *slots,
		       struct cap_group *to, u32 ncaps, struct pmo *shm,
		       u64 slots_off, cap_t *given)
{
	cap_t local[IPC_MAX_CAPS];
	cap_t *out = given ? given : local;
	u32 i;
	long ret;

	for (i = 0; i < ncaps; i++) {
		ret = cap_copy(from, slots[i], to, CAP_RIGHT_ALL);
		if (ret < 0)
			goto out_undo;
		out[i] = (cap_t)ret;
	}
	/* The receiver reads its slot numbers in the message. */
	ret = pmo_write(shm, slots_off, out, ncaps * sizeof(cap_t));
	if (ret)
		goto out_undo;
	return 0;
out_undo:
	while (i-- > 0)
		cap_remove(to, out[i]);
	return ret;
}

/* Can conn carry a call? 0, or the error the call fails with. */
static long check_conn(struct connection *conn)
{
	if (unlikely(conn->state != CONN_VALID)) {
		if (conn->state == CONN_DEAD)
			return -EDEADSRV;
		return conn->state == CONN_PENDING ? -EINVAL : -ESRCH;
	}
	if (unlikely(!ipc_thread_alive(conn->handler))) {
		/* A server that dies stays dead for this connection. */
		conn->state = CONN_DEAD;
		return -EDEADSRV;
	}
	return 0;
}

static void set_deadline(struct thread *t, u64 timeout_us);

/* Gives back a handler ipc_acquire took for a call that then failed. */
static void release_handler(struct thread *h)
{
	h->ipc.passive->busy = false;
	ipc_passive_idle(h);
}

long ipc_call_conn(struct connection *conn, struct ipc_call_args *a)
{
	struct thread *h;
	struct ipc_passive *p;
	u64 server_msg = 0;
	long ret;

	/*
	 * A deadline already set is this call's, issued again after a wait:
	 * the wait counts against it (every other path clears it).
	 */
	if (a->timeout_us && !current->ipc.deadline)
		set_deadline(current, a->timeout_us);
	/* Granted after its deadline passed: a grant passes on. */
	ret = -ETIMEDOUT;
	if (unlikely(current->ipc.deadline &&
		     current->ipc.deadline <= sched_ticks()))
		goto out_put;
	ret = check_conn(conn);
	if (unlikely(ret))
		goto out_put;
	h = conn->handler;
	if (unlikely(conn->busy && h->ipc.passive->conn != conn)) {
		/*
		 * Busy, but not with a call its handler serves: a kernel-made
		 * call reserved it until its syscall restarts (kcall.c).
		 * There is no queue to wait on: ask again.
		 */
		ret = -EIPCRETRY;
		goto out_put;
	}
	ret = ipc_acquire(h);
	if (unlikely(ret == -EBUSY)) {
		/* Busy: wait for it, holding nothing (see wait.c). */
		obj_put(conn);
		return ipc_wait_for(h);
	}
	if (unlikely(ret))
		goto out_put;
	if (a->msg)
		server_msg = a->msg - conn->client_shm + conn->server_shm;
	if (a->ncaps) {
		struct ipc_passive *hp = h->ipc.passive;

		ret = ipc_transfer_caps(
			current->group, a->slots, h->group, a->ncaps, conn->shm,
			a->msg - conn->client_shm + a->hdr.cap_offset,
			hp->recv);
		if (ret) {
			release_handler(h);
			goto out_put;
		}
		hp->nrecv = (u8)a->ncaps;
	}
	/* Committed: the call goes ahead and holds our reference. */
	p = h->ipc.passive;
	conn->busy = true;
	conn->call_msg = a->msg;
	p->conn = conn;
	/* The handler learns how many caps came (its third argument). */
	ipc_migrate_to_passive(h, p->entry, p->stack, server_msg, conn->badge,
			       a->ncaps, 0);
out_put:
	obj_put(conn);
	return ret;
}

long ipc_received_caps(cap_t *out)
{
	struct ipc_passive *p = current->ipc.passive;

	if (!p || p->role != PASSIVE_HANDLER || !p->conn || p->exit_run)
		return -EINVAL;
	if (!p->recv)
		return 0; /* a register callback: no caps */
	memcpy(out, p->recv, p->nrecv * sizeof(cap_t));
	return p->nrecv;
}

long ipc_serving_msg(u64 *msg, u64 *shm, u64 *size)
{
	struct ipc_passive *p = current->ipc.passive;
	struct connection *conn;

	if (!p || p->role != PASSIVE_HANDLER || !p->conn || p->exit_run)
		return -EINVAL;
	conn = p->conn;
	*msg = conn->call_msg
		       ? conn->call_msg - conn->client_shm + conn->server_shm
		       : 0;
	*shm = conn->server_shm;
	*size = conn->shm_size;
	return 0;
}

long ipc_return_args(const struct ipc_return_args *a)
{
	struct ipc_passive *p = current->ipc.passive;
	struct connection *conn;
	struct thread *caller;
	long r;

	if (!p || p->role != PASSIVE_HANDLER || !p->conn || p->exit_run)
		return -EINVAL;
	conn = p->conn;
	caller = p->caller;
	if (a->ncaps > IPC_MAX_CAPS || (a->ncaps && !conn->call_msg))
		return -EINVAL;
	if (a->ncaps && caller) {
		r = ipc_transfer_caps(current->group, a->slots, caller->group,
				      a->ncaps, conn->shm,
				      conn->call_msg - conn->client_shm +
					      a->hdr.cap_offset,
				      NULL);
		if (r)
			return r;
	}
	/*
	 * A moved cap leaves us once the caller has it (or has gone): a
	 * server returns what it made for the caller without keeping a
	 * copy it could never delete (it runs no code after the return).
	 */
	for (u32 i = 0; a->move && i < a->ncaps; i++)
		cap_remove(current->group, a->slots[i]);
	conn->busy = false;
	conn->call_msg = 0;
	p->busy = false;
	p->conn = NULL;
	obj_put(conn);
	ipc_finish_passive(caller, (long)a->ret);
}

/* Deadlines: callers with one wait on this list, checked every tick. */
static struct list_head timed_calls = {&timed_calls, &timed_calls};

#define US_PER_TICK 10000

static void set_deadline(struct thread *t, u64 timeout_us)
{
	u64 ticks = timeout_us / US_PER_TICK + 1; /* at least what was asked */

	t->ipc.deadline = sched_ticks() + ticks;
	list_append(&timed_calls, &t->ipc.timed_node);
}

void ipc_call_failed(long ret)
{
	if (ret == IPC_RESTART)
		return; /* the same call comes again */
	ipc_wait_end(current);
	ipc_clear_deadline(current);
}

void ipc_clear_deadline(struct thread *t)
{
	if (t->ipc.deadline) {
		list_del(&t->ipc.timed_node);
		t->ipc.deadline = 0;
	}
}

void ipc_tick(u64 now)
{
	struct thread *t;

	list_for_each_safe(t, tmp, &timed_calls, ipc.timed_node)
	{
		if (t->ipc.deadline > now)
			continue;
		if (t->state == TS_BLOCKED) {
			/* Still waiting for the handler: give up the wait. */
			ipc_clear_deadline(t);
			ipc_wait_timeout(t);
		} else if (t->state == TS_IPC_WAIT) {
			/*
			 * The handler goes on (orphaned) and keeps the
			 * connection busy until it returns; the caller
			 * resumes with -ETIMEDOUT.
			 */
			ipc_wake_caller(t, -ETIMEDOUT);
		}
		/*
		 * Otherwise it is about to issue its call again (granted, or
		 * woken by a server's death): that call meets the deadline
		 * at the next tick or ends it.
		 */
	}
}
