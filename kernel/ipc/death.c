/*
 * When a party dies. The rules:
 *  - a caller waiting in IPC that dies is retired at once; the passive
 *    thread serving it goes on, orphaned, and finds nobody to return to;
 *  - a passive thread that dies while serving wakes its caller with
 *    -ESRCH, and its connections are dead for good (-EDEADSRV);
 *  - a client process that dies closes its connections, and each closed
 *    connection runs the server's destructor once, on the handler's own
 *    scheduling context, when the handler is next idle;
 *  - a caller with a deadline resumes with -ETIMEDOUT when it passes.
 * Nobody waits on a party that is gone, and every reference is dropped.
 */
#include <arch/arch.h>
#include <ipc/ipc_internal.h>
#include <lib/printk.h>
#include <object/sched_context.h>
#include <sched/sched.h>
#include <uapi/ferry/errno.h>

void ipc_wake_caller(struct thread *caller, long ret)
{
	struct thread *callee = caller->ipc.callee;

	if (callee && callee->ipc.passive)
		callee->ipc.passive->caller = NULL;
	caller->ipc.callee = NULL;
	ipc_chain_left(caller); /* the callee's waiters no longer lift it */
	ipc_clear_deadline(caller);
	if (unlikely(caller->ipc.kcall.state)) /* kcall.h: -EIO, a restart */
		kcall_abort(caller);
	else
		arch_regs_set_ret(thread_regs(caller), (u64)ret);
	/* Its kernel stack was abandoned: it resumes from its user frame. */
	arch_thread_reset_kctx(caller);
	caller->state = TS_INACTIVE;
	sched_enqueue(caller);
	/*
	 * The thread running now may be the orphaned handler on this very
	 * scheduling context, at the same priority: without this the woken
	 * caller would wait out the rest of the slice.
	 */
	sched_request_resched();
}

static void start_exit_run(struct thread *h, struct connection *conn)
{
	struct ipc_passive *p = h->ipc.passive;
	struct arch_regs *r = thread_regs(h);

	p->busy = true;
	p->exit_run = true;
	p->conn = conn; /* the pending list's reference moves here */
	obj_get(p->exit_sc);
	h->sc = p->exit_sc;
	arch_regs_set_entry(r, p->exit_routine, p->stack);
	arch_regs_set_args(r, p->destructor, conn->badge, conn->server_shm,
			   (u64)conn->server_cap, (u64)conn->server_shm_cap);
	/*
	 * A thread not running has no usable kernel continuation (its stack
	 * was abandoned). The running one resumes from its own: see
	 * ipc_exit_routine_return and ipc_finish_passive.
	 */
	if (h != current)
		arch_thread_reset_kctx(h);
	sched_enqueue(h);
}

void ipc_kick_handler(struct thread *h)
{
	struct ipc_passive *p = h->ipc.passive;
	struct connection *conn;

	if (!p || p->role != PASSIVE_HANDLER || p->busy || !ipc_thread_alive(h))
		return;
	while (!list_empty(&p->pending)) {
		conn = list_first(&p->pending, struct connection, pending_node);
		list_del(&conn->pending_node);
		conn->destructor_due = false;
		if (p->exit_routine) {
			start_exit_run(h, conn);
			return;
		}
		obj_put(conn); /* the server asked for no destructor runs */
	}
}

void ipc_queue_destructor(struct connection *conn)
{
	struct thread *h = conn->handler;

	if (!h || conn->destructor_due || !ipc_thread_alive(h))
		return;
	obj_get(conn);
	conn->destructor_due = true;
	list_append(&h->ipc.passive->pending, &conn->pending_node);
	ipc_kick_handler(h);
}

long ipc_exit_routine_return(void)
{
	struct thread *self = current;
	struct ipc_passive *p = self->ipc.passive;

	if (!p || !p->exit_run)
		return -EINVAL;
	obj_put(p->conn);
	p->conn = NULL;
	p->exit_run = false;
	p->busy = false;
	self->sc->boost = 0; /* the handler's own context: its waiters' */
	obj_put(self->sc);
	self->sc = NULL;
	self->state = TS_INACTIVE;
	ipc_passive_idle(self); /* the next pending one, or a waiter */
	schedule();
	/* Resumed only when a new exit run was queued on this thread. */
	return 0;
}

/* Closes one client connection: the destructor will run for it. */
static void close_client_side(struct connection *conn)
{
	list_del(&conn->client_node);
	list_init(&conn->client_node);
	conn->client = NULL;
	if (conn->state == CONN_PENDING || conn->state == CONN_VALID) {
		conn->state = CONN_CLOSED;
		ipc_queue_destructor(conn);
	}
}

long ipc_close(int conn_cap)
{
	struct connection *conn;
	long ret;

	ret = cap_get(current->group, conn_cap, OBJ_TYPE_CONNECTION,
		      CAP_RIGHT_CALL, (void **)&conn);
	if (ret)
		return ret;
	/* A registration not finished yet: nothing to wait on. */
	if (conn->state == CONN_PENDING) {
		obj_put(conn);
		return -EIPCRETRY;
	}
	if (conn->busy) {
		/* Another of our threads calls on it: wait for the handler. */
		struct thread *h = conn->handler;

		ret = ipc_acquire(h);
		obj_put(conn);
		return ret == -EBUSY ? ipc_wait_for(h) : ret;
	}
	/* Issued again after waiting: the grant we hold passes on. */
	ipc_wait_end(current);
	if (conn->client == current->group)
		close_client_side(conn);
	cap_remove_if(current->group, conn_cap, conn);
	obj_put(conn);
	return 0;
}

void ipc_client_teardown(struct cap_group *g)
{
	struct connection *conn;

	list_for_each_safe(conn, tmp, &g->ipc_conns, client_node)
		close_client_side(conn);
}

/* A passive thread dies: its caller and its connections learn it. */
static void passive_detach(struct thread *t)
{
	struct ipc_passive *p = t->ipc.passive;
	struct connection *conn = p->conn, *c;

	if (p->caller) {
		struct thread *caller = p->caller;

		p->caller = NULL;
		caller->ipc.callee = NULL;
		ipc_wake_caller(caller, -ESRCH);
	}
	if (conn) {
		p->conn = NULL;
		if (p->role == PASSIVE_REGISTER_CB &&
		    conn->state == CONN_PENDING && conn->client) {
			/* The registration failed: take back the client's cap.
			 */
			conn->state = CONN_CLOSED;
			list_del(&conn->client_node);
			list_init(&conn->client_node);
			cap_remove_if(conn->client, conn->client_cap, conn);
			conn->client = NULL;
		} else if (p->role == PASSIVE_HANDLER) {
			conn->busy = false;
			conn->call_msg = 0;
			conn->state = CONN_DEAD;
		}
		obj_put(conn);
	}
	list_for_each_safe(c, tmp, &p->pending, pending_node)
	{
		list_del(&c->pending_node);
		c->destructor_due = false;
		obj_put(c);
	}
	p->busy = false;
	p->exit_run = false;
	ipc_wake_all_waiters(t);
}

void ipc_thread_detach(struct thread *t)
{
	if (t->ipc.waits_on)
		ipc_wait_end(t); /* a waiter, or a grant it held, leaves */
	if (t->ipc.callee) {
		/* A dying caller: its server goes on without it. */
		t->ipc.callee->ipc.passive->caller = NULL;
		t->ipc.callee = NULL;
	}
	ipc_clear_deadline(t);
	kcall_detach(t);
	if (t->ipc.passive)
		passive_detach(t);
}
