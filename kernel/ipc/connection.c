/*
 * Registration: register_server, register_client and
 * ipc_register_cb_return. See connection.h for the protocol.
 *
 * Every check comes before the first change; once the client's caps and
 * the shm mapping exist, only the migration follows, which cannot fail.
 */
#include <arch/arch.h>
#include <ipc/ipc_internal.h>
#include <lib/printk.h>
#include <mm/budget.h>
#include <mm/kmalloc.h>
#include <mm/uaccess.h>
#include <mm/vmspace.h>
#include <object/pmo.h>
#include <object/sched_context.h>
#include <sched/sched.h>
#include <uapi/ferry/errno.h>

void connection_destroy(void *obj)
{
	struct connection *conn = obj;

	/* Client and server both dropped their caps without ipc_close. */
	list_del(&conn->client_node);
	thread_drop_ref(conn->handler); /* perhaps its last binding */
	obj_put(conn->shm);
	budget_uncharge(conn->budget, kmalloc_size(sizeof(*conn)));
	budget_put(conn->budget);
}

static struct ipc_passive *passive_new(enum passive_role role, struct thread *t)
{
	/* Charged to the server whose thread it is. */
	struct ipc_passive *p = budget_kzalloc(t->budget, sizeof(*p));

	if (!p)
		return NULL;
	p->role = role;
	p->entry = thread_regs(t)->rip;
	p->stack = thread_regs(t)->rsp;
	list_init(&p->pending);
	waitq_init(&p->waiters);
	return p;
}

/* A passive thread of our own process, idle and not yet serving. */
static bool fresh_passive(struct thread *t)
{
	return t->group == current->group && !t->sc &&
	       t->state == TS_INACTIVE && !t->ipc.passive && !t->ipc.service;
}

int ipc_register_server(u64 ipc_routine, int register_cb_cap, u64 destructor)
{
	struct thread *cb;
	struct ipc_service *svc;
	int ret;

	if (current->ipc.service || current->ipc.passive)
		return -EINVAL; /* once per thread, and not by a passive one */
	if (ipc_routine >= USER_TOP || destructor >= USER_TOP)
		return -EINVAL;
	ret = cap_get(current->group, register_cb_cap, OBJ_TYPE_THREAD,
		      CAP_RIGHT_CONTROL, (void **)&cb);
	if (ret)
		return ret;
	ret = -EINVAL;
	if (!fresh_passive(cb) || cb == current)
		goto out_put;
	ret = -ENOMEM;
	svc = budget_kzalloc(current->budget, sizeof(*svc));
	if (!svc)
		goto out_put;
	cb->ipc.passive = passive_new(PASSIVE_REGISTER_CB, cb);
	if (!cb->ipc.passive) {
		budget_kfree(current->budget, svc, sizeof(*svc));
		goto out_put;
	}
	cb->ipc.passive->ipc_routine = ipc_routine;
	cb->ipc.passive->destructor = destructor;
	svc->ipc_routine = ipc_routine;
	svc->destructor = destructor;
	svc->register_cb = cb; /* keeps cap_get's reference */
	current->ipc.service = svc;
	return 0;
out_put:
	obj_put(cb);
	return ret;
}

static long new_connection(struct thread *cb, struct pmo *shm, u64 addr,
			   struct connection **out)
{
	struct cap_group *client = current->group, *server = cb->group;
	struct connection *conn;
	long ret;

	/* Charged to the client, whose connection it is. */
	if (budget_charge(client->budget, kmalloc_size(sizeof(*conn))))
		return -ENOMEM;
	conn = obj_alloc(OBJ_TYPE_CONNECTION, sizeof(*conn));
	if (!conn) {
		budget_uncharge(client->budget, kmalloc_size(sizeof(*conn)));
		return -ENOMEM;
	}
	budget_get(client->budget);
	conn->budget = client->budget;
	list_init(&conn->client_node);
	list_init(&conn->pending_node);
	conn->state = CONN_PENDING;
	conn->badge = client->badge;
	conn->client = client;
	obj_get(shm);
	conn->shm = shm;
	conn->shm_size = shm->size;
	conn->client_shm = addr;
	conn->server_cap = conn->server_shm_cap = -1;
	ret = conn->client_cap = cap_alloc(client, conn, CAP_RIGHT_CALL);
	if (ret < 0)
		goto out_put;
	ret = conn->server_cap = cap_alloc(server, conn, CAP_RIGHT_READ);
	if (ret < 0)
		goto out_undo;
	ret = conn->server_shm_cap = cap_alloc(
		server, shm, CAP_RIGHT_READ | CAP_RIGHT_WRITE | CAP_RIGHT_MAP);
	if (ret < 0)
		goto out_undo;
	list_append(&client->ipc_conns, &conn->client_node);
	*out = conn; /* keeps the allocation reference for the registration */
	return 0;
out_undo:
	cap_remove_if(server, conn->server_cap, conn);
	cap_remove_if(client, conn->client_cap, conn);
out_put:
	obj_put(conn);
	return ret;
}

long ipc_register_client(int server_cap, u64 shm_cap, u64 shm_addr)
{
	struct thread *server, *cb;
	struct ipc_passive *p;
	struct pmo *shm;
	struct connection *conn;
	long ret;

	ret = cap_get(current->group, server_cap, OBJ_TYPE_THREAD,
		      CAP_RIGHT_CALL, (void **)&server);
	if (ret)
		return ret;
	/*
	 * The thread that registered may have ended since: the service
	 * lives on in its passive threads until the process dies.
	 */
	ret = -EDEADSRV;
	if (server->group->exiting)
		goto out_server;
	ret = -EIPCRETRY; /* not registered yet: the server is starting */
	if (!server->ipc.service)
		goto out_server;
	cb = server->ipc.service->register_cb;
	p = cb->ipc.passive;
	ret = -EDEADSRV;
	if (!ipc_thread_alive(cb))
		goto out_server;
	/* Busy with another registration: wait for it (wait.c). */
	ret = ipc_acquire(cb);
	if (ret == -EBUSY) {
		obj_put(server);
		return ipc_wait_for(cb);
	}
	if (ret)
		goto out_server; /* -EDEADLK: it waits, through calls, for us */
	ret = cap_get(current->group, (int)shm_cap, OBJ_TYPE_PMO,
		      CAP_RIGHT_READ | CAP_RIGHT_WRITE | CAP_RIGHT_MAP |
			      CAP_RIGHT_GRANT,
		      (void **)&shm);
	if (ret)
		goto out_release;
	ret = -EINVAL;
	if (shm->size < sizeof(struct ipc_msg))
		goto out_shm;
	/*
	 * Its frames are its creator's (memory budgets): given now, so that
	 * no fault of the server on it ever waits on that budget, which the
	 * client could spend to make the server's fault fail.
	 */
	ret = pmo_commit(shm);
	if (ret)
		goto out_shm;
	ret = vmspace_map(current->group->vmspace, shm_addr, shm->size,
			  VM_READ | VM_WRITE, shm, 0);
	if (ret)
		goto out_shm;
	ret = new_connection(cb, shm, shm_addr, &conn);
	if (ret) {
		vmspace_unmap(current->group->vmspace, shm_addr, shm->size);
		goto out_shm;
	}
	obj_put(shm);
	obj_put(server);

	p->conn = conn;
	ipc_migrate_to_passive(cb, p->entry, p->stack, p->ipc_routine,
			       (u64)conn->server_shm_cap, conn->shm_size,
			       conn->badge);
out_shm:
	obj_put(shm);
out_release:
	p->busy = false;
	ipc_passive_idle(cb);
out_server:
	obj_put(server);
	return ret;
}

/* May h serve our connections? A handler of ours, or a fresh passive. */
static long check_handler(struct thread *h, u64 exit_routine)
{
	if (h->group != current->group)
		return -EINVAL;
	if (h->ipc.passive) {
		if (h->ipc.passive->role != PASSIVE_HANDLER)
			return -EINVAL;
		return ipc_thread_alive(h) ? 0 : -ESRCH;
	}
	if (!fresh_passive(h) || exit_routine >= USER_TOP)
		return -EINVAL;
	return 0;
}

/* Makes a checked fresh passive thread a handler (first use only). */
static long make_handler(struct thread *h, u64 exit_routine, u64 destructor)
{
	struct ipc_passive *p;

	if (h->ipc.passive)
		return 0;
	p = passive_new(PASSIVE_HANDLER, h);
	if (!p)
		return -ENOMEM;
	/* Made with the handler, not at its first call with caps: a call
	 * must not take memory its server may not have then. */
	p->recv = budget_kmalloc(h->budget, IPC_MAX_CAPS * sizeof(cap_t));
	/* It runs the server's code: never above the handler's MCP. */
	if (!p->recv ||
	    sched_context_create(h->mcp < PRIO_DEFAULT ? h->mcp : PRIO_DEFAULT,
				 h->budget, &p->exit_sc)) {
		budget_kfree(h->budget, p->recv, IPC_MAX_CAPS * sizeof(cap_t));
		budget_kfree(h->budget, p, sizeof(*p));
		return -ENOMEM;
	}
	p->exit_routine = exit_routine;
	p->destructor = destructor;
	h->ipc.passive = p;
	return 0;
}

long ipc_register_cb_return(int handler_cap, u64 exit_routine,
			    u64 server_shm_addr)
{
	struct ipc_passive *p = current->ipc.passive;
	struct connection *conn;
	struct thread *h, *caller;
	long ret;

	if (!p || p->role != PASSIVE_REGISTER_CB || !p->conn)
		return -EINVAL;
	conn = p->conn;
	ret = cap_get(current->group, handler_cap, OBJ_TYPE_THREAD,
		      CAP_RIGHT_CONTROL, (void **)&h);
	if (ret)
		return ret;
	ret = check_handler(h, exit_routine);
	if (ret)
		goto out_put;
	ret = vmspace_map(current->group->vmspace, server_shm_addr,
			  conn->shm_size, VM_READ | VM_WRITE, conn->shm, 0);
	if (ret)
		goto out_put;
	ret = make_handler(h, exit_routine, p->destructor);
	if (ret) {
		vmspace_unmap(current->group->vmspace, server_shm_addr,
			      conn->shm_size);
		goto out_put;
	}

	conn->handler = h; /* keeps cap_get's reference */
	conn->server_shm = server_shm_addr;
	caller = p->caller;
	if (conn->state == CONN_PENDING && caller) {
		conn->state = CONN_VALID;
	} else {
		/* The client died meanwhile: let the server clean up. */
		conn->state = CONN_CLOSED;
		ipc_queue_destructor(conn);
	}
	p->busy = false;
	p->conn = NULL;
	ret = conn->client_cap;
	obj_put(conn);
	ipc_finish_passive(caller, ret);
out_put:
	obj_put(h);
	return ret;
}

long ipc_register_cb_refuse(void)
{
	struct ipc_passive *p = current->ipc.passive;
	struct connection *conn;
	struct thread *caller;

	if (!p || p->role != PASSIVE_REGISTER_CB || !p->conn)
		return -EINVAL;
	conn = p->conn;
	caller = p->caller;
	/* Take back every cap the registration made, on both sides. */
	cap_remove_if(current->group, conn->server_cap, conn);
	cap_remove_if(current->group, conn->server_shm_cap, conn->shm);
	if (conn->client) {
		list_del(&conn->client_node);
		list_init(&conn->client_node);
		cap_remove_if(conn->client, conn->client_cap, conn);
		conn->client = NULL;
	}
	conn->state = CONN_CLOSED;
	p->busy = false;
	p->conn = NULL;
	obj_put(conn); /* the registration's reference: the last one */
	ipc_finish_passive(caller, -ECONNREFUSED);
}

void ipc_thread_init(struct thread *t)
{
	list_init(&t->ipc.timed_node);
}

void ipc_thread_free(struct thread *t)
{
	struct ipc_service *svc = t->ipc.service;
	struct ipc_passive *p = t->ipc.passive;

	if (svc) {
		thread_drop_ref(svc->register_cb);
		budget_kfree(t->budget, svc, sizeof(*svc));
	}
	if (p) {
		obj_put(p->exit_sc);
		budget_kfree(t->budget, p->recv, IPC_MAX_CAPS * sizeof(cap_t));
		budget_kfree(t->budget, p, sizeof(*p));
	}
}
