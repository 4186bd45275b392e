/*
 * The IPC fast path, after seL4's fastpath.c: the common call and return
 * in one straight line, with every unusual case (capabilities to move, a
 * deadline, a busy or dying party, destructors owed, a bad argument)
 * left to the general path in call.c, which checks it all again. The
 * fast path changes nothing before it commits, so falling back is
 * always safe; the same tests pass with IPC_FASTPATH=0.
 *
 * A busy handler (serving, or kept for a waiter it was granted to) sends
 * the call to the general path, which waits; a return with waiters goes
 * there too, to grant the handler to the first (wait.c).
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
#include <syscall/ipc_args.h>
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

/*
 * obj_get, forced inline: the compiler left it out of line in the
 * message call's commit (a call and a return on the hot path).
 */
static inline __attribute__((always_inline)) void fast_get(void *obj)
{
	__atomic_add_fetch(&((struct object *)obj)->refcount, 1,
			   __ATOMIC_RELAXED);
}

/*
 * arch_switch_to_user (arch.h), declared here without noreturn: GCC
 * keeps a call to a noreturn function a call, with the stack aligned
 * for it, where this is the last thing the commit does and can be a
 * jump. It never returns all the same; fast_enter is the last statement
 * of every function it is inlined in.
 */
void fast_switch_to_user(struct thread *prev,
			 struct thread *next) __asm__("arch_switch_to_user");

/* Commits a checked call and migrates: the same state ipc_call leaves. */
static inline __attribute__((always_inline)) void
fast_enter(struct thread *caller, struct connection *conn, struct thread *h,
	   u64 msg, u64 server_msg)
{
	struct ipc_passive *p = h->ipc.passive;
	struct sched_context *sc = caller->sc; /* one load, not two */
	struct arch_regs *hr;

	fast_get(conn);
	conn->busy = true;
	conn->call_msg = msg;
	p->busy = true;
	p->conn = conn;
	caller->state = TS_IPC_WAIT;
	caller->ipc.callee = h;
	p->caller = caller;
	fast_get(sc);
	h->sc = sc;
	hr = thread_regs(h);
	arch_regs_set_entry(hr, p->entry, p->stack);
	arch_regs_set_args(hr, server_msg, conn->badge, 0, 0, 0);
	h->state = TS_RUNNING;
	current = h;
	fast_switch_to_user(caller, h);
}

/* Checks the message (if any): false to fall back. */
static inline __attribute__((always_inline)) bool
fast_msg(struct connection *conn, u64 msg, u64 *server_msg)
{
	struct ipc_msg hdr;

	*server_msg = 0;
	if (msg) {
		/* Copied once and checked on the copy (ipc_args.h). */
		if (ipc_copy_msg(msg, conn->client_shm, conn->shm_size, &hdr))
			return false;
		*server_msg = msg - conn->client_shm + conn->server_shm;
	}
	return true;
}

/*
 * The handler is busy: unless it is kept for us (we waited, were granted
 * it, and issue our call again: wait.c), the general path waits. Kept
 * apart so that the common call pays nothing for it.
 */
static __attribute__((noinline)) void fast_call_granted(struct thread *caller,
							struct connection *conn,
							struct thread *h,
							u64 msg)
{
	struct ipc_passive *p = h->ipc.passive;
	u64 server_msg;

	if (p->granted != caller || !ipc_thread_alive(h))
		return;
	if (!fast_msg(conn, msg, &server_msg))
		return;
	p->granted = NULL;
	ipc_waits_on_clear(caller); /* the connection holds h too */
	fast_enter(caller, conn, h, msg, server_msg);
}

/*
 * A call with a message: apart, so that the empty call has no call out
 * to return from (ipc_copy_msg) and needs no callee-saved registers.
 */
static __attribute__((noinline)) void fast_call_msg(struct thread *caller,
						    struct connection *conn,
						    struct thread *h, u64 msg)
{
	u64 off = msg - conn->client_shm, size = conn->shm_size;
	struct ipc_msg hdr;

	/*
	 * ipc_copy_msg inline, copied once and checked on the copy
	 * (ipc_args.h). The header lies in the client's shm, which
	 * vmspace_map put in the user half (connection.c): the copy needs
	 * no range check of copy_from_user's.
	 */
	if (msg < conn->client_shm || !ipc_msg_fits(off, size) ||
	    arch_copy_from_user(&hdr, (const void __user *)msg, sizeof(hdr)) ||
	    !ipc_msg_hdr_ok(off, size, &hdr))
		return;
	fast_enter(caller, conn, h, msg, off + conn->server_shm);
}

/* Returns only to fall back to the general path. */
void ipc_fastpath_call(u64 cap, u64 msg, u64 ncaps, u64 deadline)
{
	struct thread *caller = current, *h;
	struct connection *conn;
	struct ipc_passive *p;

	if (unlikely(ncaps | deadline))
		return;
	conn = fast_conn(cap);
	if (unlikely(!conn || conn->state != CONN_VALID || conn->busy))
		return;
	h = conn->handler;
	p = h->ipc.passive;
	if (unlikely(p->busy))
		return fast_call_granted(caller, conn, h, msg);
	/*
	 * Holding a grant of another handler (issued again on a connection
	 * put in the slot meanwhile): the general path passes it on.
	 */
	if (unlikely(!ipc_thread_alive(h) || caller->ipc.waits_on))
		return;
	if (msg)
		return fast_call_msg(caller, conn, h, msg);
	fast_enter(caller, conn, h, 0, 0);
}

/*
 * The count of references, read plainly: one CPU, interrupts off, so
 * nothing changes it under us, and a plain read folds into a compare.
 */
static inline u32 fast_refs(const void *obj)
{
	return ((const struct object *)obj)->refcount;
}

/*
 * Drops a reference known not to be the last (checked before the
 * commit): nothing to free, so no call out of the fast path.
 */
static inline void fast_put_not_last(void *obj)
{
	__atomic_sub_fetch(&((struct object *)obj)->refcount, 1,
			   __ATOMIC_ACQ_REL);
}

void ipc_fastpath_return(u64 ret, u64 ncaps)
{
	struct thread *self = current, *caller;
	struct ipc_passive *p = self->ipc.passive;
	struct connection *conn;
	struct sched_context *lent;

	if (unlikely(!p || p->role != PASSIVE_HANDLER || !p->conn ||
		     p->exit_run || ncaps || !p->caller ||
		     !list_empty(&p->pending) ||
		     !list_empty(&p->waiters.threads)))
		return;
	conn = p->conn;
	caller = p->caller;
	/* A deadline to clear, or a kcall's restart (kcall.h). */
	if (unlikely(caller->ipc.deadline | caller->ipc.kcall.state))
		return;
	lent = self->sc;
	/*
	 * The last reference to the connection or to the lent scheduling
	 * context (its holders gone during the call) is dropped by the
	 * general path, which frees it.
	 */
	if (unlikely(!lent || fast_refs(conn) < 2 || fast_refs(lent) < 2))
		return;

	conn->busy = false;
	conn->call_msg = 0;
	p->busy = false;
	p->conn = NULL;
	p->caller = NULL;
	fast_put_not_last(conn);
	self->sc = NULL;
	self->state = TS_INACTIVE;
	fast_put_not_last(lent);
	caller->ipc.callee = NULL;
	arch_regs_set_ret(thread_regs(caller), ret);
	caller->state = TS_RUNNING;
	current = caller;
	fast_switch_to_user(self, caller);
}

#endif
