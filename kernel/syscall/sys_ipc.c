/*
 * IPC syscalls: argument glue around kernel/ipc/. docs/ipc.md has the
 * protocol; each contract is repeated here in short.
 */
#include <ipc/connection.h>
#include <mm/uaccess.h>
#include <syscall/native.h>
#include <uapi/ferry/errno.h>
#include <uapi/ferry/ipc.h>

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
 */
long sys_register_client(u64 server_cap, const void __user *config)
{
	struct ipc_shm_config cfg;

	if (copy_from_user(&cfg, config, sizeof(cfg)))
		return -EFAULT;
	return ipc_register_client(cap_arg(server_cap), (u64)(s64)cfg.shm_cap,
				   cfg.shm_addr);
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
 * server. timeout_us (0: none) bounds the wait. Returns the handler's
 * ipc_return value. -ECAPBILITY, -EINVAL, -EFAULT, -ENOMEM (no room in
 * the server's table for a cap), -EIPCRETRY (busy: nothing changed),
 * -EDEADLK (the busy handler is waiting, through a chain of calls, for
 * the caller itself), -EDEADSRV (server dead), -ESRCH (server died during
 * the call), -ETIMEDOUT.
 */
long sys_ipc_call(u64 conn_cap, u64 msg, u64 ncaps, u64 timeout_us)
{
	return ipc_call(cap_arg(conn_cap), msg, ncaps, timeout_us);
}

/*
 * From a handler serving a call: returns `ret` to the caller with ncaps
 * capabilities from the message's slots. Does not return on success.
 * -EINVAL (no call being served, too many caps), -ECAPBILITY (a cap not
 * ours or without GRANT: nothing was sent), -EFAULT, -ENOMEM (no room in
 * the caller's table for a cap).
 */
long sys_ipc_return(u64 ret, u64 ncaps)
{
	return ipc_return(ret, ncaps);
}

/*
 * The client ends a connection (conn_cap, CALL): the server's destructor
 * runs for it, and the slot is freed. -ECAPBILITY, -EIPCRETRY (another of
 * our threads has a call in flight on it, or is still registering it).
 */
long sys_ipc_close(u64 conn_cap)
{
	return ipc_close(cap_arg(conn_cap));
}

/*
 * From a handler's exit routine: the destructor has run; the handler
 * waits for calls again. -EINVAL outside an exit routine.
 */
long sys_ipc_exit_routine_return(void)
{
	return ipc_exit_routine_return();
}
