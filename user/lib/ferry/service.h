/*
 * libferry's Tock-style services (docs/services.md): a service runs a
 * callback when a client notifies it, a client runs a callback when its
 * service notifies it back, and a client shares a read-write buffer with
 * a service, which its callback then sees as (client id, address, length),
 * as in Tock's IPC driver.
 *
 * Service:
 *     static void on_client(uint64_t client, void *buf, size_t len,
 *                           void *arg) { ...; fy_notify_client(client); }
 *     fy_service_register("rot13", on_client, NULL);  // serve, by name
 *     for (;;) fy_svc_yield();                 // run callbacks
 * Client:
 *     struct fy_svc *s;
 *     fy_service_lookup("rot13", 1000000, &s); // or _connect(thread cap)
 *     fy_client_callback(s, on_service, NULL);
 *     char *buf = fy_share_alloc(64);
 *     fy_share(s, buf, 64);
 *     fy_notify_service(s);
 *     fy_svc_yield();                          // on_service runs
 *
 * Notifies never block: each sets a pending flag in the connection's shm
 * and ORs a bit into the peer's one notification object; many notifies
 * before the peer looks coalesce into one callback, and none is lost to
 * a peer that has not set its callback yet (it runs once one is set).
 * Callbacks run only inside fy_svc_yield / fy_svc_yield_for, on the thread
 * that calls them; the client-side calls below belong to that thread too.
 */
#ifndef FERRY_SERVICE_H
#define FERRY_SERVICE_H

#include <ferry/ferry.h>
#include <uapi/ferry/proto/service.h> /* SVC_SHARE_MAX */

/* A client's handle on one service it is connected to. */
struct fy_svc;

/*
 * A service's callback: `client` is the client's badge (set by the
 * kernel per client process: unforgeable, never reused), buf/len the
 * buffer it shares with us, mapped read-write here (NULL, 0: none).
 */
typedef void (*fy_service_fn)(uint64_t client, void *buf, size_t len,
			      void *arg);

/* Why a client's callback runs (a bit set of these). */
#define FY_SVC_NOTIFIED 1u /* the service called fy_notify_client */
#define FY_SVC_DEAD 2u	   /* the service's process has ended (once) */

/*
 * A client's callback: the service, what happened, and the buffer we
 * share with it (NULL, 0: none).
 */
typedef void (*fy_client_fn)(struct fy_svc *svc, unsigned events, void *buf,
			     size_t len, void *arg);

/* The most clients one service takes, and services one client uses. */
#define FY_SVC_MAX_CLIENTS 32
#define FY_SVC_MAX 31
/* Buffers one process may have from fy_share_alloc at once. */
#define FY_SHARE_MAX_BUFS 32

/*
 * Waits until at least one callback is due, runs every due one, and
 * returns how many ran. fy_svc_yield_for gives up after timeout_us (0:
 * never) with -ETIMEDOUT. Other errors: -ENOMEM (no notification
 * object could be made), -EINTR (killed). Not from inside a callback.
 */
long fy_svc_yield(void);
long fy_svc_yield_for(uint64_t timeout_us);

/*
 * Makes the calling thread a service (ipc_serve underneath): clients
 * holding a cap to this thread (CALL) connect with fy_service_connect.
 * fn runs from our fy_svc_yield for each client that notified us. Once
 * per process. 0, -EINVAL (fn NULL, served already), -ENOMEM, or
 * ipc_serve's errors.
 */
long fy_service_serve(fy_service_fn fn, void *arg);

/*
 * fy_service_serve, from the main thread, and registers that thread
 * under `name` with the name server (fy_ns_register: the rules of names
 * and who may register which are there). 0, fy_service_serve's errors,
 * or fy_ns_register's (-EEXIST: the name is taken; the process then
 * serves unnamed, and should end).
 */
long fy_service_register(const char *name, fy_service_fn fn, void *arg);

/*
 * Notifies every connection of the client process `client` (a badge our
 * callback was given): its callback runs from its own loop. Never
 * blocks, whatever the client does. 0, or -ENOENT (no such client now).
 */
long fy_notify_client(uint64_t client);

/*
 * Connects to the service whose server thread is `server` (CALL): a
 * connection with a one-page shm, the two notification caps exchanged.
 * *out is our handle. 0, -ENOSPC (FY_SVC_MAX open), -EPROTO (the peer
 * does not speak the service protocol), or ipc_connect's errors.
 */
long fy_service_connect(cap_t server, struct fy_svc **out);

/*
 * Looks `name` up (fy_ns_lookup: timeout_us 0 answers at once, else
 * waits that long for the name to be registered) and connects to it.
 * 0, fy_ns_lookup's errors (-ENOENT, -ETIMEDOUT, -EINVAL, ...), or
 * fy_service_connect's (-EDEADSRV: the service died, its name not yet
 * gone).
 */
long fy_service_lookup(const char *name, uint64_t timeout_us,
		       struct fy_svc **out);

/*
 * Sets (or with NULL clears) our callback for svc. A notify that came
 * before it is kept and runs it at the next fy_svc_yield. 0, -EINVAL.
 */
long fy_client_callback(struct fy_svc *svc, fy_client_fn fn, void *arg);

/*
 * Notifies the service: its callback runs from its own loop, with our
 * badge and the buffer we share with it. Never blocks, whatever the
 * service does (waits, computes, never waits, has died). 0, -EINVAL.
 */
long fy_notify_service(struct fy_svc *svc);

/*
 * Closes the connection (the service forgets us and unmaps our buffer)
 * and frees the handle. 0 or ipc_close's error; the handle is gone
 * either way.
 */
long fy_service_close(struct fy_svc *svc);

/*
 * A shareable buffer of len bytes (1..SVC_SHARE_MAX): whole pages of a
 * PMO of its own, zeroed, mapped read-write here with guard pages around.
 * NULL if len is bad or memory is short.
 */
void *fy_share_alloc(size_t len);

/*
 * Frees a buffer from fy_share_alloc; services it is shared with drop it
 * first. 0, -EINVAL (not such a buffer).
 */
long fy_share_free(void *buf);

/*
 * Shares [buf, buf + len) with the service, replacing what we shared with
 * it before (the service unmaps that). buf must be a buffer from
 * fy_share_alloc and len at most its length; len 0 unshares (buf
 * ignored). The service maps the buffer's pages read-write: it sees len
 * bytes, zeros up to the page end, and faults past it. One buffer per
 * service; a buffer may be shared with several. 0, -EINVAL (not from
 * fy_share_alloc, len too long, a bad svc), or the service's errors
 * (-EDEADSRV, -ESRCH when it died, -ENOMEM).
 */
long fy_share(struct fy_svc *svc, void *buf, size_t len);

#endif
