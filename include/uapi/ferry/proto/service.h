/*
 * The service protocol: what libferry's Tock-style service library
 * (user/lib/ferry/service.h, docs/services.md) says over one connection
 * between a client and a service.
 *
 * The connection's shm starts with struct svc_shm: two pending flags,
 * one per direction, which a notify sets (atomically) before it
 * notifies the peer's notification object; the peer's event loop takes
 * a flag (atomic exchange with 0) and runs the callback once for all
 * the notifies that set it. The flags live in memory both sides can
 * write: a hostile peer can only set or clear its own connection's
 * flags, which at worst runs or skips that connection's callback.
 *
 * Calls (a struct svc_req at SVC_MSG_OFF, inside an ipc_msg whose data
 * it is):
 *   SVC_OP_HELLO  cap 0: the client's notification (WRITE); bit: the bit
 *                 the client wants to be notified with (0..63). Returns
 *                 the bit the service wants (0..63) and, in cap slot 0,
 *                 the service's notification (WRITE); or -EINVAL (no
 *                 cap, a bad bit, said twice), -ENOSPC (no room).
 *   SVC_OP_SHARE  cap 0: a PMO (READ|WRITE|MAP) of at least len bytes;
 *                 len: 1..SVC_SHARE_MAX. The service maps the first
 *                 len bytes rounded up to pages (read-write, guard pages
 *                 around) and drops the buffer it had from this client.
 *                 0 or -EINVAL (no cap, not a PMO, too small, a bad
 *                 length, no HELLO), -ENOMEM.
 *   SVC_OP_UNSHARE no cap: the service drops the buffer it had. 0.
 */
#ifndef FERRY_UAPI_PROTO_SERVICE_H
#define FERRY_UAPI_PROTO_SERVICE_H

#include <stdint.h>

#define SVC_OP_HELLO 1
#define SVC_OP_SHARE 2
#define SVC_OP_UNSHARE 3

/* The largest buffer a client may share with one service. */
#define SVC_SHARE_MAX (16ul << 20)
/* The connection's shm: one page. */
#define SVC_SHM_SIZE 4096ul
/* Where the call's ipc_msg starts in the shm. */
#define SVC_MSG_OFF 64u

struct svc_shm {
	uint32_t to_service; /* the client notified the service */
	uint32_t to_client;  /* the service notified the client */
};

struct svc_req {
	uint32_t op;  /* SVC_OP_* */
	uint32_t bit; /* SVC_OP_HELLO */
	uint64_t len; /* SVC_OP_SHARE */
};

_Static_assert(sizeof(struct svc_shm) <= SVC_MSG_OFF, "svc_shm fits");
_Static_assert(sizeof(struct svc_req) == 16, "svc_req layout");

#endif
