/*
 * libferry's name-server client (proto/ns.h, docs/naming.md): services
 * by name.
 *
 *     ipc_serve(handler, NULL);                       // in the service
 *     fy_ns_register("demo.echo", CAP_SELF_MAIN_THREAD);
 *
 *     long s = fy_ns_lookup("demo.echo", 1000000);    // in a client
 *     struct ipc_conn c;
 *     ipc_connect((cap_t)s, 4096, &c);
 *
 * The library connects at its first call to the initial capability
 * "nameserver" (init, which has none, names the server with fy_ns_use)
 * and keeps the connection for the process's life, one call at a time
 * (a lock). A lookup that has to wait does so on a connection of its
 * own, made for the wait and closed after it, so other threads' calls
 * (a registration the waiter is waiting for) are not held up. Raw
 * system calls only: safe on threads made with fy_thread_create.
 *
 * Each returns >= 0 or a negative errno; -ENOSYS if the process has no
 * name server; the IPC errors (-EDEADSRV, -ESRCH) if it died.
 */
#ifndef FERRY_NS_H
#define FERRY_NS_H

#include <ferry/ipc.h>
#include <uapi/ferry/proto/ns.h>

/*
 * Registers `name` for the server thread server_cap (CALL|GRANT: the
 * thread that called ipc_serve; CAP_SELF_MAIN_THREAD for one's own main
 * thread), with the process's registration right (the initial
 * capability "nsright") if it has one. 0, -EEXIST, -EINVAL,
 * -ENAMETOOLONG, -EPERM (a "ferry." name without a right covering it),
 * -ENOSPC.
 */
long fy_ns_register(const char *name, long server_cap);
/* The same with the right `right` (-1: none) instead of "nsright". */
long fy_ns_register_with(const char *name, cap_t server, cap_t right);
/*
 * A new slot holding the server thread registered as `name` (CALL|
 * GRANT), to ipc_connect to. timeout_us 0: -ENOENT at once if unknown;
 * else waits up to timeout_us microseconds for it to be registered,
 * then -ETIMEDOUT. -EINVAL, -ENAMETOOLONG, -ENOSPC (too many waiting).
 */
long fy_ns_lookup(const char *name, uint64_t timeout_us);
/*
 * Removes a name this process registered: 0, -ENOENT, -EPERM (another
 * process registered it).
 */
long fy_ns_unregister(const char *name);
/*
 * A new registration right (a capability, GRANT only) for names under
 * `prefix`, narrowed from the process's "nsright": its slot, or -EPERM
 * (no right, or one that does not cover prefix), -EINVAL,
 * -ENAMETOOLONG, -ENOSPC. Pass it to a child as its "nsright"
 * (fy_spawn_caps). It lasts while this process's connection to the
 * name server does (the process's life).
 */
long fy_ns_grant(const char *prefix);
/* The same from the right `right`. */
long fy_ns_grant_from(cap_t right, const char *prefix);
/*
 * Copies registered names from index `start` into out (up to max):
 * how many names are registered in all (may exceed what was copied:
 * min(max, total - start) entries are valid).
 */
long fy_ns_list(unsigned start, struct ns_list_entry *out, unsigned max);

/*
 * Closes the cached connection (the next call makes another): what was
 * granted on it is revoked (proto/ns.h). 0 or a negative errno.
 */
long fy_ns_disconnect(void);

/* For init: the name server's thread and the right to use. */
void fy_ns_use(cap_t server, cap_t right);
/* The process's registration right ("nsright"), or -1. */
cap_t fy_ns_right(void);

#endif
