/*
 * The IPC fast path, after seL4's fastpath.c: the common call and return
 * in one straight line, with every unusual case (capabilities to move, a
 * deadline, a busy or dying party, destructors owed, a bad argument)
 * left to the general path in call.c, which checks it all again. The
 * fast path changes nothing before it commits, so falling back is
 * always safe; the same tests pass with IPC_FASTPATH=0.
 *
 * What a call does here, in order: look the connection cap up by hand,
 * check the connection and its handler, check the message header in the
 * shm, then commit and migrate (the same steps as ipc_call and
 * ipc_migrate_to_passive).
 */
#include <arch/arch.h>
#include <ipc/ipc_internal.h>
#include <mm/uaccess.h>
#include <sched/sched.h>
#include <uapi/ferry/errno.h>
#include <uapi/ferry/syscall_num.h>

#if IPC_FASTPATH

static inline struct connection *fast_conn(u64 cap)
{
	struct cap_group *g = current->group;
	struct cap_slot *s;

	/* A Linux program has no native calls, this one included. */
	if (unlikely(cap >= g->nslots || !g->native))
		return NULL;
	s = &g->slots[cap];
	if (unlikely(!s->obj || obj_type(s->obj) != OBJ_TYPE_CONNECTION ||
		     !(s->rights & CAP_RIGHT_CALL)))
		return NULL;
	return s->obj;
}

/* Returns only to fall back to the general path. */
void ipc_fastpath_call(struct arch_regs *r)
{
	struct thread *caller = current, *h;
	struct connection *conn;
	struct ipc_passive *p;
	struct arch_regs *hr;
	u64 msg = arch_sysarg1(r), server_msg = 0;

	if (unlikely(arch_sysarg2(r) | arch_sysarg3(r))) /* caps, deadline */
		return;
	conn = fast_conn(arch_sysarg0(r));
	if (unlikely(!conn || conn->state != CONN_VALID || conn->busy))
		return;
	h = conn->handler;
	p = h->ipc.passive;
	if (unlikely(p->busy || !ipc_thread_alive(h)))
		return;
	if (msg) {
		struct ipc_msg hdr;

		if (ipc_check_msg(msg, conn->client_shm, conn->shm_size, &hdr))
			return;
		server_msg = msg - conn->client_shm + conn->server_shm;
	}

	/* Commit: the same state ipc_call leaves. */
	obj_get(conn);
	conn->busy = true;
	conn->call_msg = msg;
	p->busy = true;
	p->conn = conn;
	caller->state = TS_IPC_WAIT;
	caller->ipc.callee = h;
	p->caller = caller;
	obj_get(caller->sc);
	h->sc = caller->sc;
	hr = thread_regs(h);
	arch_regs_set_entry(hr, p->entry, p->stack);
	arch_regs_set_args(hr, server_msg, conn->badge, 0, 0, 0);
	h->state = TS_RUNNING;
	current = h;
	arch_switch_to_user(caller, h);
}

void ipc_fastpath_return(struct arch_regs *r)
{
	struct thread *self = current, *caller;
	struct ipc_passive *p = self->ipc.passive;
	struct connection *conn;
	struct sched_context *lent;

	if (unlikely(!p || p->role != PASSIVE_HANDLER || !p->conn ||
		     p->exit_run || arch_sysarg1(r) || !p->caller ||
		     !list_empty(&p->pending)))
		return;
	conn = p->conn;
	caller = p->caller;
	/* A deadline to clear, or a kcall's restart (kcall.h). */
	if (unlikely(caller->ipc.deadline | caller->ipc.kcall.state))
		return;

	conn->busy = false;
	conn->call_msg = 0;
	p->busy = false;
	p->conn = NULL;
	p->caller = NULL;
	obj_put(conn);
	lent = self->sc;
	self->sc = NULL;
	self->state = TS_INACTIVE;
	obj_put(lent);
	caller->ipc.callee = NULL;
	arch_regs_set_ret(thread_regs(caller), arch_sysarg0(r));
	caller->state = TS_RUNNING;
	current = caller;
	arch_switch_to_user(self, caller);
}

#endif
