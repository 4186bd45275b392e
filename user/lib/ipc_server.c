/*
 * The server side of libferry's IPC. Three threads: the one that called
 * ipc_serve (clients name it), a passive register-callback thread and a
 * passive handler thread. The passive ones start afresh at their entry
 * function on every use, on the caller's scheduling context, with their
 * own stacks below.
 */
#include <ferry/ipc.h>
#include <stdatomic.h>

#define PASSIVE_STACK 65536
#define SERVER_SHM_BASE 0x300000000000ul

static _Alignas(16) char cb_stack[PASSIVE_STACK];
static _Alignas(16) char handler_stack[PASSIVE_STACK];
static cap_t handler_cap = -1;
static ipc_handler_fn user_handler;
static uintptr_t next_shm = SERVER_SHM_BASE;

/* Every call starts here with the message (server address) and badge. */
static void handler_entry(struct ipc_msg *msg, uint64_t badge)
{
	fy_ipc_return(user_handler(msg, badge), 0);
	/* A refused return (it cannot be for 0 caps): end the call anyway. */
	for (;;)
		fy_ipc_return(-EINVAL, 0);
}

/* A closed connection: user destructor, then give back its resources. */
static void exit_entry(ipc_destructor_fn destructor, uint64_t badge,
		       uintptr_t shm_addr, cap_t conn_cap, cap_t shm_cap)
{
	if (destructor)
		destructor(badge);
	fy_pmo_unmap(CAP_SELF_GROUP, shm_addr);
	fy_cap_delete(shm_cap);
	fy_cap_delete(conn_cap);
	fy_ipc_exit_routine_return();
	for (;;)
		fy_thread_exit(); /* not an exit run: cannot happen */
}

/* A new client: map its shm at a fresh address and hand it the handler. */
static void register_cb_entry(void *ipc_routine, cap_t shm_cap,
			      uint64_t shm_size, uint64_t badge)
{
	(void)ipc_routine;
	(void)shm_cap;
	(void)badge;
	for (int tries = 0; tries < 8; tries++) {
		uintptr_t addr = next_shm;

		next_shm += shm_size + 4096;
		long r = fy_ipc_register_cb_return(handler_cap,
						   (void *)exit_entry, addr);

		/* Only a failure comes back: an address taken, or worse. */
		if (r != -EEXIST && r != -EINVAL)
			break;
	}
	fy_thread_exit(); /* the client sees -ESRCH */
}

long ipc_serve(ipc_handler_fn handler, ipc_destructor_fn destructor)
{
	long cb, h, r;

	if (!handler || handler_cap >= 0)
		return -EINVAL;
	user_handler = handler;
	h = fy_thread_create(CAP_SELF_GROUP, (fy_thread_entry_t)handler_entry,
			     handler_stack + PASSIVE_STACK, NULL,
			     THREAD_PASSIVE);
	if (h < 0)
		return h;
	cb = fy_thread_create(CAP_SELF_GROUP,
			      (fy_thread_entry_t)register_cb_entry,
			      cb_stack + PASSIVE_STACK, NULL, THREAD_PASSIVE);
	if (cb < 0) {
		r = cb;
		goto out_handler;
	}
	handler_cap = (cap_t)h;
	r = fy_register_server((void *)handler, (cap_t)cb, (void *)destructor);
	if (r < 0)
		goto out_cb;
	return 0;
out_cb:
	handler_cap = -1;
	fy_cap_delete((cap_t)cb);
out_handler:
	fy_cap_delete((cap_t)h);
	return r;
}

long ipc_return_caps(struct ipc_msg *m, long ret, unsigned ncaps)
{
	(void)m;
	return fy_ipc_return(ret, ncaps);
}
