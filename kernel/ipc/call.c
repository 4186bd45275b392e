/*
 * The call path: ipc_call migrates the caller's scheduling context into
 * the handler; ipc_return migrates it back. Both check everything before
 * changing anything, so a refused call (-EIPCRETRY, -EINVAL, ...) leaves
 * the connection as it was.
 */
#include <arch/arch.h>
#include <ipc/ipc_internal.h>
#include <lib/printk.h>
#include <mm/uaccess.h>
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
	obj_put(lent); /* a live caller still holds its own reference */
	/* The handler may owe destructor runs, on a context of its own. */
	ipc_kick_handler(self);
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
	if (unlikely(caller->ipc.kcall.state)) /* kcall.h: a restart */
		kcall_finish(caller, ret);
	else
		arch_regs_set_ret(thread_regs(caller), (u64)ret);
	caller->state = TS_RUNNING;
	current = caller;
	arch_switch_to_user(self, caller);
}

long ipc_check_msg(u64 msg, u64 shm, u64 size, struct ipc_msg *hdr)
{
	u64 off, data, caps;

	/* Offsets from the shm start; every sum stays far below 2^64. */
	if (msg < shm || msg - shm > size || size - (msg - shm) < sizeof(*hdr))
		return -EINVAL;
	off = msg - shm;
	if (copy_from_user(hdr, (void __user *)msg, sizeof(*hdr)))
		return -EFAULT;
	data = off + hdr->data_offset;
	if (data > size || hdr->data_len > size - data)
		return -EINVAL;
	caps = off + hdr->cap_offset;
	if (caps > size || (u64)hdr->cap_slots * sizeof(cap_t) > size - caps)
		return -EINVAL;
	return 0;
}

long ipc_transfer_caps(struct cap_group *from, u64 msg, struct cap_group *to,
		       u32 ncaps)
{
	cap_t slots[IPC_MAX_CAPS];
	struct ipc_msg hdr;
	cap_t __user *uslots;
	u32 i;
	long ret;

	if (copy_from_user(&hdr, (void __user *)msg, sizeof(hdr)))
		return -EFAULT;
	if (ncaps > hdr.cap_slots)
		return -EINVAL;
	uslots = (cap_t __user *)(msg + hdr.cap_offset);
	if (copy_from_user(slots, uslots, ncaps * sizeof(cap_t)))
		return -EFAULT;
	for (i = 0; i < ncaps; i++) {
		ret = cap_copy(from, slots[i], to, CAP_RIGHT_ALL);
		if (ret < 0)
			goto out_undo;
		slots[i] = (cap_t)ret;
	}
	if (copy_to_user(uslots, slots, ncaps * sizeof(cap_t))) {
		ret = -EFAULT;
		goto out_undo;
	}
	return 0;
out_undo:
	while (i-- > 0)
		cap_remove(to, slots[i]);
	return ret;
}

bool ipc_waits_for_current(struct thread *h)
{
	for (struct thread *t = h; t; t = t->ipc.callee)
		if (t == current)
			return true;
	return false;
}

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
	if (unlikely(conn->busy || conn->handler->ipc.passive->busy))
		return ipc_waits_for_current(conn->handler) ? -EDEADLK
							    : -EIPCRETRY;
	return 0;
}

static void set_deadline(struct thread *t, u64 timeout_us);

long ipc_call(int conn_cap, u64 msg, u64 ncaps, u64 timeout_us)
{
	struct connection *conn;
	struct ipc_passive *p;
	struct ipc_msg hdr;
	u64 server_msg = 0;
	long ret;

	ret = cap_get(current->group, conn_cap, OBJ_TYPE_CONNECTION,
		      CAP_RIGHT_CALL, (void **)&conn);
	if (unlikely(ret))
		return ret;
	ret = check_conn(conn);
	if (unlikely(ret))
		goto out_put;
	ret = -EINVAL;
	if (unlikely(ncaps > IPC_MAX_CAPS || (!msg && ncaps)))
		goto out_put;
	if (msg) {
		ret = ipc_check_msg(msg, conn->client_shm, conn->shm_size,
				    &hdr);
		if (ret)
			goto out_put;
		server_msg = msg - conn->client_shm + conn->server_shm;
	}
	if (ncaps) {
		ret = ipc_transfer_caps(current->group, msg,
					conn->handler->group, (u32)ncaps);
		if (ret)
			goto out_put;
	}
	/* Committed: the call goes ahead and holds cap_get's reference. */
	p = conn->handler->ipc.passive;
	conn->busy = true;
	conn->call_msg = msg;
	p->busy = true;
	p->conn = conn;
	if (timeout_us)
		set_deadline(current, timeout_us);
	ipc_migrate_to_passive(conn->handler, p->entry, p->stack, server_msg,
			       conn->badge, 0, 0);
out_put:
	obj_put(conn);
	return ret;
}

long ipc_return(u64 ret, u64 ncaps)
{
	struct ipc_passive *p = current->ipc.passive;
	struct connection *conn;
	struct thread *caller;
	long r;

	if (!p || p->role != PASSIVE_HANDLER || !p->conn || p->exit_run)
		return -EINVAL;
	conn = p->conn;
	caller = p->caller;
	if (ncaps > IPC_MAX_CAPS || (ncaps && !conn->call_msg))
		return -EINVAL;
	if (ncaps && caller) {
		u64 msg = conn->call_msg - conn->client_shm + conn->server_shm;
		struct ipc_msg hdr;

		/* Re-check: the server may have rewritten the header. */
		r = ipc_check_msg(msg, conn->server_shm, conn->shm_size, &hdr);
		if (!r)
			r = ipc_transfer_caps(current->group, msg,
					      caller->group, (u32)ncaps);
		if (r)
			return r;
	}
	conn->busy = false;
	conn->call_msg = 0;
	p->busy = false;
	p->conn = NULL;
	obj_put(conn);
	ipc_finish_passive(caller, (long)ret);
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
		/*
		 * The handler goes on (orphaned) and keeps the connection
		 * busy until it returns; the caller resumes with -ETIMEDOUT.
		 */
		ipc_wake_caller(t, -ETIMEDOUT);
	}
}
