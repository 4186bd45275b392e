/*
 * The name server's protocol (user/servers/nameserver; docs/naming.md).
 * Every process has a capability to the name server's thread, the
 * initial capability "nameserver" (procmgr adds it, init holds it); a
 * client connects with a shm of at least NS_SHM_MIN bytes and calls
 * with one struct ns_req at offset 0 of the shm (the struct ipc_msg
 * header libferry's ipc_msg_init lays out, then the request).
 *
 * Names: 1..NS_NAME_MAX-1 bytes of [A-Za-z0-9._-], dot-separated
 * non-empty components (no leading, trailing or double dot). Empty, a
 * bad byte (any byte outside that set: blanks, controls, anything not
 * ASCII, so no UTF-8 beyond ASCII) or a bad dot: -EINVAL; longer:
 * -ENAMETOOLONG. The name travels as `len` bytes in `name`, no NUL
 * needed; a `len` of NS_NAME_MAX or more is -ENAMETOOLONG.
 *
 * NS_REGISTER    cap slot 0: the server thread (a thread cap with CALL
 *                and GRANT: the thread that called ipc_serve); cap slot 1
 *                (optional, ncaps 2): a registration right. Names equal
 *                to "ferry" or starting "ferry." are the system's: they
 *                need a right whose prefix covers the name. 0; -EEXIST
 *                (registered already), -EINVAL (bad name, no thread cap
 *                or one without CALL|GRANT), -ENAMETOOLONG, -EPERM (a
 *                system name without a covering right), -ENOSPC (the
 *                registry, or this process's share of it, is full),
 *                -ENOMEM (no memory for the service's death watch).
 * NS_LOOKUP      -> 0 and cap slot 0: the server thread (CALL|GRANT), a
 *                new slot of the caller's. timeout_us 0: -ENOENT at once
 *                if unknown; else waits up to timeout_us for the name to
 *                be registered, then -ETIMEDOUT, but never longer than
 *                NS_WAIT_MAX_US in one call (libferry calls again for a
 *                longer timeout). -ENOSPC: too many waiters (in all, or
 *                of this process).
 * NS_UNREGISTER  0; -ENOENT unknown, -EPERM if the caller's process is
 *                not the one that registered the name.
 * NS_GRANT       `name` is a prefix ("" or a valid name); cap slot 0:
 *                a right the caller holds, whose prefix must cover it.
 *                -> 0 and cap slot 0: a new right (GRANT only) for that
 *                prefix. -EPERM (no right, or it does not cover the
 *                prefix), -EINVAL, -ENAMETOOLONG, -ENOSPC (too many
 *                rights, in all or NS_MAX_RIGHTS_PROC granted to this
 *                process). A right lives as long as the connection that
 *                was granted it stays open (its destructor revokes it
 *                and every right granted from it).
 * NS_LIST        timeout_us is the index to start at. Writes up to
 *                `len` names (NUL-padded struct ns_list_entry) at
 *                NS_LIST_OFF of the shm, as many as fit, and returns how
 *                many names are registered (which may be more).
 *
 * A prefix P covers a name N if P is "" or N is P or N starts with P".".
 *
 * The server trusts nothing in the shm: it copies the request once and
 * takes the capability count and slots from the kernel.
 */
#ifndef FERRY_UAPI_PROTO_NS_H
#define FERRY_UAPI_PROTO_NS_H

#include <stdint.h>
#include <uapi/ferry/ipc.h>

#define NS_REGISTER 1
#define NS_LOOKUP 2
#define NS_UNREGISTER 3
#define NS_GRANT 4
#define NS_LIST 5

#define NS_NAME_MAX 64 /* bytes with a NUL: names are 1..63 bytes */

/* Bounds (-ENOSPC past them). */
#define NS_MAX_NAMES 64	      /* registered names, in all */
#define NS_MAX_NAMES_PROC 16  /* registered by one process */
#define NS_MAX_WAITERS 32     /* lookups waiting, in all */
#define NS_MAX_WAITERS_PROC 3 /* waiting lookups of one process */
#define NS_MAX_RIGHTS 32      /* registration rights, the root's too */
#define NS_MAX_RIGHTS_PROC 8  /* granted to one process */

/*
 * The longest one NS_LOOKUP waits. The server cannot see its client die
 * during a call (the handler goes on, orphaned), so a killed waiter's
 * handler and slot are held until this passes, never longer.
 */
#define NS_WAIT_MAX_US 1000000ull

#define NS_SHM_MIN 8192u

struct ns_req {
	struct ipc_msg hdr;
	uint32_t op;
	uint32_t len;	     /* name bytes; NS_LIST: entries wanted */
	uint64_t timeout_us; /* NS_LOOKUP: the wait; NS_LIST: first index */
	char name[NS_NAME_MAX];
};

_Static_assert(sizeof(struct ns_req) == 96, "ns_req is 96 bytes");

struct ns_list_entry {
	char name[NS_NAME_MAX]; /* NUL-padded */
};

/* Where NS_LIST's answer starts in the shm. */
#define NS_LIST_OFF 128u

#endif
