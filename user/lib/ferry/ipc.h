/*
 * libferry's IPC library: ChCore-style connections in a few calls.
 *
 * Server:
 *     static long echo(struct ipc_msg *msg, uint64_t badge) { ... }
 *     ipc_serve(echo, NULL);          // then the main thread may idle
 *
 * Client:
 *     struct ipc_conn c;
 *     ipc_connect(server_thread_cap, 4096, &c);
 *     struct ipc_msg *m = ipc_msg_init(&c, 64, 0);
 *     memcpy(ipc_msg_data(m), "hi", 3);
 *     long r = ipc_call(&c, m, 0);
 *
 * The handler runs in the server process on the client's scheduling
 * context; it returns a value (and optionally capabilities with
 * ipc_return_caps). docs/ipc.md has the whole protocol.
 */
#ifndef FERRY_IPC_H
#define FERRY_IPC_H

#include <ferry/ferry.h>

typedef long (*ipc_handler_fn)(struct ipc_msg *msg, uint64_t badge);
typedef void (*ipc_destructor_fn)(uint64_t badge);
/*
 * A handler told its connection's shm: where it is mapped here and its
 * size, the server's own record of them, which the client cannot
 * change (the ipc_msg header's fields it can, during the call).
 */
typedef long (*ipc_shm_handler_fn)(struct ipc_msg *msg, uint64_t badge,
				   void *shm, size_t shm_size);
/*
 * A destructor told the closed connection's shm address too. The badge
 * names the client process, shared by all its connections; the shm
 * address names one connection among the server's open ones (until its
 * destructor has run), so a server keeping state per connection keys it
 * by that.
 */
typedef void (*ipc_shm_destructor_fn)(uint64_t badge, void *shm);
/*
 * A shm handler also told how many capabilities the call carried: the
 * kernel's count (the message's first ncaps cap slots hold the slots
 * they were copied into; anything past them is the client's).
 */
typedef long (*ipc_caps_handler_fn)(struct ipc_msg *msg, uint64_t badge,
				    uint32_t ncaps, void *shm, size_t shm_size);

/* The client's end of a connection. */
struct ipc_conn {
	cap_t cap;     /* the connection (CALL) */
	cap_t shm_cap; /* the shared memory PMO */
	void *shm;     /* where it is mapped here */
	size_t shm_size;
};

/* How ipc_serve_with sets up a server; zeroed fields take the defaults. */
struct ipc_serve_config {
	ipc_handler_fn handler;	      /* this or shm_handler */
	ipc_destructor_fn destructor; /* may be NULL */
	unsigned max_conns;	      /* 0: IPC_SERVE_MAX_CONNS */
	unsigned flags;		      /* IPC_SERVE_* */
	size_t stack_size; /* bytes per handler; 0: IPC_SERVE_STACK */
	/* Instead of `handler` (not with IPC_SERVE_SHARED): told the shm. */
	ipc_shm_handler_fn shm_handler;
	/*
	 * Instead of `destructor` (with shm_handler or caps_handler): told
	 * the shm.
	 */
	ipc_shm_destructor_fn shm_destructor;
	/* Or instead of `handler`: told the shm and the count of caps. */
	ipc_caps_handler_fn caps_handler;
};

#define IPC_SERVE_MAX_CONNS 64
#define IPC_SERVE_STACK 65536
/*
 * Idle handlers a server keeps, threads and stacks, for its next
 * connections (more are freed at close; all go with the process).
 */
#define IPC_SERVE_POOL 4
/*
 * One handler thread serves every connection, one call at a time (the
 * form before handlers per connection; the ipc_* tests use it to reach
 * the kernel's rules for a shared handler).
 */
#define IPC_SERVE_SHARED 1u
/*
 * Every page of the register callback's and each handler's stack is
 * touched when it is made, so the server's memory does not grow with
 * the depth of later calls (a long-lived server under a leak check).
 */
#define IPC_SERVE_PREFAULT 2u

/*
 * Makes the calling thread a server (clients name it). Each client
 * connection gets a passive handler thread with a stack of its own,
 * made when the client connects, so a handler that blocks stalls only
 * its own client; `destructor` (may be NULL) runs on a connection's
 * handler when the connection closes; the handler then goes idle in
 * the server's pool (IPC_SERVE_POOL), which the next connection takes
 * from, or, the pool full, it and its stack are freed. A pooled stack
 * keeps what its last client's calls left: the server's own memory,
 * only its code sees it (docs/ipc.md). Past max_conns open connections a
 * client's ipc_connect fails with -ECONNREFUSED until one closes. A process may
 * run several servers, one per thread that calls this (a thread that
 * has served once gets -EINVAL). 0 or a negative errno (-EINVAL bad
 * config, -ENOMEM, or register_server's errors).
 *
 * Handlers and destructors run without TLS (FS base 0), on the client's
 * scheduling context (a destructor on one of the handler's own): libc
 * calls that touch errno or thread state are unsafe there.
 */
long ipc_serve_with(const struct ipc_serve_config *cfg);
/* ipc_serve_with with the defaults: handler per connection, 64 at most. */
long ipc_serve(ipc_handler_fn handler, ipc_destructor_fn destructor);
/*
 * Opens IPC_SERVE_POOL + 1 connections to `server` (shm of shm_size
 * bytes) and closes them, so its pool of idle handlers is full: a
 * long-lived server made this way does not grow at a test's first
 * connections, under init's leak check. Failures are ignored.
 */
void ipc_serve_fill_pool(cap_t server, size_t shm_size);

/*
 * Connects to the server thread `server` with a shm of shm_size bytes
 * (rounded up to pages). A register callback busy with someone else is
 * waited for in the kernel; a server still starting (-EIPCRETRY: it has
 * not registered yet) is asked again every tick (10 ms), sleeping
 * between. 0 or a negative errno (-EDEADSRV if the server is dead,
 * -ECONNREFUSED if it has all the connections it takes).
 * It waits for as long as `server` is not (yet) a server: pass only a
 * thread that will call ipc_serve.
 */
long ipc_connect(cap_t server, size_t shm_size, struct ipc_conn *out);
/*
 * ipc_connect, then a touch of every page of the shm, so no later call
 * maps one (a long-lived client whose memory init's leak check counts:
 * the spawn and name-server clients). On failure out->cap is -1.
 */
long ipc_connect_touched(cap_t server, size_t shm_size, struct ipc_conn *out);
/*
 * Ends the connection (the server's destructor runs for it), unmaps the
 * shm and drops our capabilities; a call another of our threads has in
 * flight on it is waited for. 0 or a negative errno.
 */
long ipc_close(struct ipc_conn *c);

/*
 * Lays out a message at the start of the shm: header, data_len bytes of
 * data, then cap_slots capability slots. NULL if it does not fit.
 */
struct ipc_msg *ipc_msg_init(struct ipc_conn *c, uint32_t data_len,
			     uint32_t cap_slots);
static inline void *ipc_msg_data(struct ipc_msg *m)
{
	return (char *)m + m->data_offset;
}
static inline cap_t *ipc_msg_caps(struct ipc_msg *m)
{
	return (cap_t *)((char *)m + m->cap_offset);
}

/*
 * Calls the server; the handler's return value comes back. A busy
 * connection or handler is waited for in the kernel, best priority
 * first, the handler running at the waiter's priority meanwhile
 * (docs/ipc.md); nothing is retried here. ipc_call_timeout gives up with
 * -ETIMEDOUT when timeout_us passes, counting that wait too.
 */
static inline long ipc_call(struct ipc_conn *c, struct ipc_msg *m,
			    unsigned ncaps)
{
	/* Inline: part of every round trip, a call and a return saved. */
	return fy_ipc_call(c->cap, m, ncaps, 0);
}
long ipc_call_timeout(struct ipc_conn *c, struct ipc_msg *m, unsigned ncaps,
		      uint64_t timeout_us);

/*
 * From a handler: return `ret` and ncaps caps from the message's slots.
 * The client can rewrite those while the handler runs: a server that
 * holds caps for others returns with fy_ipc_return_slots instead.
 */
long ipc_return_caps(struct ipc_msg *m, long ret, unsigned ncaps);

#endif
