/*
 * IPC syscalls: argument glue around kernel/ipc/. docs/ipc.md has the
 * protocol; each contract is repeated here in short.
 */
#include <ipc/connection.h>
#include <mm/uaccess.h>
#include <object/cap_group.h>
#include <object/thread.h>
#include <sched/sched.h>
#include <syscall/ipc_args.h>
#include <syscall/native.h>
#include <uapi/ferry/errno.h>
#include <uapi/ferry/ipc.h>
#include <uapi/ferry/syscall_num.h>

/*
 * A call that waited for a busy passive thread is issued again
 * (IPC_RESTART: the frame was rewound): it returns its own number,
 * which is what the rewound `syscall` needs in rax. Any other failure
 * ends what the wait left (a grant passes on, a deadline ends).
 */
static long ipc_result(long ret, u64 nr)
{
	if (ret == IPC_RESTART)
		return (long)nr;
	if (ret < 0)
		ipc_call_failed(ret);
	return ret;
}

/*
 * Declares the calling thread a server: clients name it, registrations
 * run on the passive thread register_cb_cap (CONTROL, same process), and
 * `destructor` is handed to the exit routine when a connection closes.
 * -EINVAL (twice, bad addresses, cb not a fresh passive thread),
 * -ECAPBILITY, -ENOMEM.
 */
long sys_register_server(u64 ipc_routine, u64 register_cb_cap, u64 destructor)
{
	return ipc_register_server(ipc_routine, cap_arg(register_cb_cap),
				   destructor);
}

/*
 * Connects to the server thread server_cap (CALL) with the shm described
 * at config (struct ipc_shm_config: a PMO with READ WRITE MAP GRANT and
 * the address to map it at). Runs the server's register callback on the
 * caller's scheduling context; returns the connection cap (CALL).
 * -EFAULT, -ECAPBILITY, -EIPCRETRY (server not ready or busy registering
 * someone), -EDEADLK (busy with a registration that waits, through a
 * chain of calls, for us), -EDEADSRV (server dead), -EINVAL/-EEXIST
 * (mapping), -ESRCH (the server died during the registration),
 * -ECONNREFUSED (the server's callback refused us), -ENOMEM.
 * A callback busy with another registration is waited for (the call is
 * issued again when it is free: docs/ipc.md). -EIPCRETRY: the server
 * thread has not registered yet (there is nothing to wait on).
 */
long sys_register_client(u64 server_cap, const void __user *config)
{
	struct ipc_shm_config cfg;

	if (copy_from_user(&cfg, config, sizeof(cfg)))
		return ipc_result(-EFAULT, SYS_register_client);
	return ipc_result(ipc_register_client(cap_arg(server_cap),
					      (u64)(s64)cfg.shm_cap,
					      cfg.shm_addr),
			  SYS_register_client);
}

/*
 * From the register callback only: serve the new connection with the
 * passive thread handler_cap (CONTROL), whose first use records its
 * entry, stack and exit_routine, and map the shm at server_shm_addr.
 * Does not return on success (the client resumes). -EINVAL (not in a
 * registration, bad handler or address), -EEXIST, -ECAPBILITY, -ESRCH
 * (the handler has died), -ENOMEM. handler_cap IPC_REGISTER_REFUSE
 * refuses the client instead: its register_client gets -ECONNREFUSED.
 */
long sys_ipc_register_cb_return(u64 handler_cap, u64 exit_routine,
				u64 server_shm_addr)
{
	if ((s64)handler_cap == IPC_REGISTER_REFUSE)
		return ipc_register_cb_refuse();
	return ipc_register_cb_return(cap_arg(handler_cap), exit_routine,
				      server_shm_addr);
}

/*
 * Calls the server over conn_cap (CALL). msg (or NULL) is a struct
 * ipc_msg wholly inside the connection's shm in the caller's mapping;
 * ncaps (<= 16) capabilities (each with GRANT) from its slots go to the
 * server. timeout_us (0: none) bounds the call, waiting included.
 * Returns the handler's ipc_return value. A busy connection or handler
 * is waited for, best priority first (docs/ipc.md). The header and the
 * cap slots are copied in once, here, and checked on the copy.
 * -ECAPBILITY, -EINVAL, -EFAULT, -ENOMEM (no room in the server's table
 * for a cap), -EDEADLK (the busy handler is waiting, through a chain of
 * calls, for the caller itself), -EDEADSRV (server dead), -ESRCH (server
 * died during the call), -ETIMEDOUT.
 */
long sys_ipc_call(u64 conn_cap, u64 msg, u64 ncaps, u64 timeout_us)
{
	struct ipc_call_args a;
	struct connection *conn;
	long ret;

	ret = cap_get(current->group, cap_arg(conn_cap), OBJ_TYPE_CONNECTION,
		      CAP_RIGHT_CALL, (void **)&conn);
	if (unlikely(ret))
		return ipc_result(ret, SYS_ipc_call);
	a.msg = msg;
	a.ncaps = (u32)ncaps;
	a.timeout_us = timeout_us;
	ret = -EINVAL;
	if (unlikely(ncaps > IPC_MAX_CAPS || (!msg && ncaps)))
		goto out_put;
	if (msg) {
		ret = ipc_copy_msg(msg, conn->client_shm, conn->shm_size,
				   &a.hdr);
		if (!ret)
			ret = ipc_copy_slots(msg, &a.hdr, ncaps, a.slots);
		if (ret)
			goto out_put;
	}
	/* Takes our reference; returns only on failure or restart. */
	return ipc_result(ipc_call_conn(conn, &a), SYS_ipc_call);
out_put:
	obj_put(conn);
	return ipc_result(ret, SYS_ipc_call);
}

/*
 * From a handler serving a call: returns `ret` to the caller with ncaps
 * capabilities from the message's slots, or with IPC_RETURN_SLOTS in
 * ncaps from `slots` (the handler's own memory: the message lies in the
 * shm, which the client may rewrite to name another of our slots).
 * Does not return on success. The header and slots are copied in once,
 * here. -EINVAL (no call being served, too many caps, a bad header),
 * -ECAPBILITY (a cap not ours or without GRANT: nothing was sent),
 * -EFAULT, -ENOMEM (no room in the caller's table for a cap).
 */
long sys_ipc_return(u64 ret, u64 ncaps, const cap_t __user *slots)
{
	struct ipc_return_args a;
	bool own = (ncaps & IPC_RETURN_SLOTS) != 0;
	u64 msg, shm, size;
	long r;

	a.ret = ret;
	a.move = (ncaps & IPC_RETURN_MOVE) != 0;
	ncaps &= ~(u64)(IPC_RETURN_MOVE | IPC_RETURN_SLOTS);
	a.ncaps = (u32)ncaps;
	if (ncaps > IPC_MAX_CAPS)
		return -EINVAL;
	if (ncaps) {
		r = ipc_serving_msg(&msg, &shm, &size);
		if (r)
			return r;
		if (!msg)
			return -EINVAL;
		/* The server may have rewritten the header: check it anew. */
		r = ipc_copy_msg(msg, shm, size, &a.hdr);
		if (!r && own && ncaps > a.hdr.cap_slots)
			r = -EINVAL; /* no room for the caller's slot numbers */
		else if (!r && own)
			r = copy_from_user(a.slots, slots,
					   ncaps * sizeof(cap_t))
				    ? -EFAULT
				    : 0;
		else if (!r)
			r = ipc_copy_slots(msg, &a.hdr, ncaps, a.slots);
		if (r)
			return r;
	}
	return ipc_return_args(&a);
}

/*
 * From a handler serving a call that brought caps (its ncaps > 0): the
 * slots the kernel put them in, in order, copied to out (IPC_MAX_CAPS
 * cap_t of room). The message's copy lies in the shm, which the client
 * may rewrite at any time: a server that read it could be made to pass
 * on a cap it holds for someone else (a confused deputy); this one is
 * the kernel's own. Returns the count; -EINVAL (serving no call),
 * -EFAULT.
 */
long sys_ipc_received_caps(cap_t __user *out)
{
	cap_t slots[IPC_MAX_CAPS];
	long n = ipc_received_caps(slots);

	if (n <= 0)
		return n;
	return copy_to_user(out, slots, (size_t)n * sizeof(cap_t)) ? -EFAULT
								   : n;
}

/*
 * The client ends a connection (conn_cap, CALL): the server's destructor
 * runs for it, and the slot is freed. A call another of our threads has
 * in flight on it is waited for. -ECAPBILITY, -EIPCRETRY (another of our
 * threads is still registering it: nothing to wait on), -EDEADLK.
 */
long sys_ipc_close(u64 conn_cap)
{
	return ipc_result(ipc_close(cap_arg(conn_cap)), SYS_ipc_close);
}

/*
 * From a handler's exit routine: the destructor has run; the handler
 * waits for calls again. -EINVAL outside an exit routine.
 */
long sys_ipc_exit_routine_return(void)
{
	return ipc_exit_routine_return();
}
