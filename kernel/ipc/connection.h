/*
 * Connection-based, migrating-thread IPC (after ChCore's connection.c).
 *
 * Parties:
 *   S1  a server thread that called register_server(): it owns the
 *       service (struct ipc_service) and is what clients name;
 *   S2  the server's passive register-callback thread;
 *   S3  a passive handler thread that serves calls (one may serve many
 *       connections, one call at a time);
 *   C   any thread of the client process.
 *
 * Registration: C calls register_client(S1) -> the kernel maps the
 * client's shm, makes the connection, copies the connection and shm caps
 * to the server, and migrates C's scheduling context into S2 -> S2 picks
 * a handler and an address and calls ipc_register_cb_return() -> the
 * kernel maps the shm in the server and migrates back to C, which gets
 * its connection cap.
 *
 * Call: C calls ipc_call(conn, msg) -> S3 starts at its recorded entry
 * and stack with (msg in the server's mapping, client badge) on C's
 * scheduling context -> ipc_return(ret) migrates back. No scheduler runs.
 * A busy S2 or S3 is waited for on its queue, and the context it runs on
 * inherits the waiter's priority (wait.c).
 *
 * A thread waiting for a passive thread is in TS_IPC_WAIT: on no queue,
 * with no kernel continuation (its kernel stack was abandoned), resumed
 * only through its user frame. A passive thread serving someone holds a
 * reference to the lent scheduling context.
 *
 * Locking: one CPU, kernel not preemptible: the connection and passive
 * state are owned by the CPU; the SMP issue adds conn->lock and a lock
 * per passive thread, which also guards its queue of waiters.
 */
#ifndef KERNEL_IPC_CONNECTION_H
#define KERNEL_IPC_CONNECTION_H

#include <arch_defs.h>
#include <ipc/kcall.h>
#include <lib/list.h>
#include <object/object.h>
#include <sched/waitq.h>
#include <uapi/ferry/cap.h>
#include <uapi/ferry/ipc.h>

struct thread;
struct cap_group;
struct pmo;
struct sched_context;

enum conn_state {
	CONN_PENDING, /* registration in progress */
	CONN_VALID,
	CONN_CLOSED, /* the client is gone or registration failed */
	CONN_DEAD,   /* the server is gone: -EDEADSRV for good */
};

struct connection {
	struct object obj;
	enum conn_state state;
	bool busy;		  /* a call is in flight */
	u64 badge;		  /* the client process, unforgeable */
	struct cap_group *client; /* weak: cleared when the client dies */
	struct thread *handler;	  /* holds a reference once valid */
	struct pmo *shm;	  /* holds a reference */
	u64 shm_size;
	u64 client_shm, server_shm; /* where each side mapped it */
	u64 call_msg; /* client address of the message in flight */
	int client_cap, server_cap, server_shm_cap; /* slots kernel made */
	bool destructor_due;	       /* on handler's pending list */
	struct list_head client_node;  /* in client->ipc_conns */
	struct list_head pending_node; /* in the handler's pending list */
	struct budget *budget; /* the client's: charged for this struct */
};

/* What a server thread declared with register_server. */
struct ipc_service {
	u64 ipc_routine;
	u64 destructor;
	struct thread *register_cb; /* holds a reference */
};

enum passive_role { PASSIVE_REGISTER_CB = 1, PASSIVE_HANDLER };

/* A passive server thread's IPC state (S2 or S3). */
struct ipc_passive {
	enum passive_role role;
	u64 entry, stack; /* recorded from the thread at registration */
	u64 exit_routine; /* handlers: runs the destructor */
	u64 destructor;
	u64 ipc_routine; /* register_cb: handed to the callback */
	/* serving (a call, a registration, an exit run), or kept for `granted`
	 */
	bool busy;
	bool exit_run;	       /* handlers: the busy work is a destructor run */
	u8 nrecv;	       /* recv's count (below) */
	struct thread *caller; /* whom to return to; NULL if orphaned */
	struct connection *conn;       /* being served or set up */
	struct sched_context *exit_sc; /* handlers: runs exit routines */
	struct list_head pending;      /* connections whose destructor is due */
	/*
	 * Callers waiting for us (wait.c): TS_BLOCKED threads linked by
	 * sched_node, best priority first, FIFO within one. `granted`: a
	 * woken waiter we are kept for until it restarts its call.
	 */
	struct waitq waiters;
	struct thread *granted;
	/*
	 * The slots the kernel gave the call being served, in order (a call
	 * with caps; stale after one without): the copy in the shm is the
	 * client's to rewrite, this one is not (SYS_ipc_received_caps).
	 * IPC_MAX_CAPS of them, made with a handler (charged to it); apart,
	 * so that the struct stays 128 bytes (ipc_register's zeroing).
	 */
	cap_t *recv;
};

/* Per-thread IPC fields, embedded in struct thread. */
struct ipc_thread {
	struct ipc_service *service;
	struct ipc_passive *passive;
	struct thread *callee; /* while in TS_IPC_WAIT: who serves us */
	u64 deadline;	       /* tick at which our call times out, or 0 */
	struct list_head timed_node;
	/* While waiting or granted: the passive thread (wait.c). */
	struct thread *waits_on;
	struct kcall kcall; /* a call the kernel made for us (kcall.h) */
};

/*
 * A call's arguments as the syscall layer copied and checked them
 * (sys_ipc.c): the IPC core reads no user memory. `msg` is the client's
 * address of the message (0: none); hdr and slots are kernel copies.
 */
struct ipc_call_args {
	u64 msg;
	struct ipc_msg hdr;
	u32 ncaps;
	cap_t slots[IPC_MAX_CAPS];
	u64 timeout_us;
};
/* A return's: the same, for the message in the server's mapping. */
struct ipc_return_args {
	u64 ret;
	struct ipc_msg hdr;
	u32 ncaps;
	bool move; /* IPC_RETURN_MOVE: the caps leave the handler's table */
	cap_t slots[IPC_MAX_CAPS];
};

/*
 * Returned by a core function whose caller waited and must issue the
 * same system call again: the syscall layer returns the call's number,
 * and the frame was set to re-execute `syscall` (seL4's restart).
 */
#define IPC_RESTART 1

void connection_destroy(void *obj);

int ipc_register_server(u64 ipc_routine, int register_cb_cap, u64 destructor);
/* The following return only on error; success migrates. */
long ipc_register_client(int server_cap, u64 shm_cap, u64 shm_addr);
long ipc_register_cb_return(int handler_cap, u64 exit_routine,
			    u64 server_shm_addr);
/*
 * From the register callback: refuse the registration in progress. The
 * caps it made (client's and server's) are taken back and the client's
 * register_client fails with -ECONNREFUSED; the callback is idle again.
 * -EINVAL if not in a registration; otherwise does not return.
 */
long ipc_register_cb_refuse(void);
/*
 * Calls over conn (the caller holds a reference, CALL checked) with
 * checked kernel copies of its arguments. Waits while the handler is
 * busy. Returns only on error or IPC_RESTART.
 */
long ipc_call_conn(struct connection *conn, struct ipc_call_args *a);
/*
 * Where the message of the call current serves lies in the server's
 * mapping (0: none) and the shm bounds to check it against; -EINVAL if
 * current serves no call.
 */
long ipc_serving_msg(u64 *msg, u64 *shm, u64 *size);
/*
 * The slots the kernel put the caps of the call current serves in
 * (out: IPC_MAX_CAPS of room): their count, valid when the handler was
 * told of caps (ncaps > 0); -EINVAL if current serves no call.
 */
long ipc_received_caps(cap_t *out);
long ipc_return_args(const struct ipc_return_args *a);
long ipc_exit_routine_return(void);
long ipc_close(int conn_cap);

/*
 * The fast path (fastpath.c): called first for SYS_ipc_call and
 * SYS_ipc_return, with the system call's arguments as they are in the
 * registers at entry (entry.S: no loads from the frame); returns only
 * when the general path must take over.
 */
#ifndef IPC_FASTPATH
#define IPC_FASTPATH 1
#endif
void ipc_fastpath_call(u64 cap, u64 msg, u64 ncaps, u64 deadline);
void ipc_fastpath_return(u64 ret, u64 ncaps);

/* Death and teardown hooks. */
void ipc_thread_init(struct thread *t);
/* The thread is dying (exit or retire): release every IPC tie. */
void ipc_thread_detach(struct thread *t);
void ipc_thread_free(struct thread *t);
/* The client process is gone: close its connections. */
void ipc_client_teardown(struct cap_group *g);
/*
 * t's context changed priority (sys_thread_set_prio) while t is not
 * ready: if t, or the thread at the end of its calls on that context,
 * waits for a busy passive thread, it moves in that queue and the
 * context it lifts follows (wait.c); a ready chain end is requeued.
 */
void ipc_prio_changed(struct thread *t);
/* Timer: fail calls whose deadline has passed. */
void ipc_tick(u64 now);
/*
 * The syscall side of a call that fails or restarts (sys_ipc.c): a
 * grant current holds goes to the next waiter; its deadline ends
 * unless the call restarts.
 */
void ipc_call_failed(long ret);

#endif
