/*
 * Death watches: a process asks that bits be ORed into a notification of
 * its choice when another process dies (Zircon's peer-closed signal, on
 * seL4-style notifications). docs/ipc.md "Death signals" has the rules
 * seen from user space; sys_death.c turns caps into the processes below.
 *
 * A watch is on two lists: its target's `death_watchers` and its
 * watcher's `death_watching`. It leaves both at once, when it fires (the
 * target released everything), when the watcher is released first, or
 * on a cancel. It holds a reference to its notification and to the
 * watcher's budget (it is charged there); the processes it names are
 * weak, valid while it is linked: a process is released (and its
 * watches with it) before its struct can be freed.
 *
 * Locking: one lock, death_lock, guards both lists of every process, the
 * counts and `death_fired`. It is a leaf: nothing else is taken under
 * it, and notifications are signalled and watches freed after it is
 * dropped. One lock for all (not one per process) because a watch joins
 * two processes, which may watch each other; watches are set and fired
 * rarely, never on the IPC or syscall hot paths.
 */
#ifndef KERNEL_IPC_DEATH_WATCH_H
#define KERNEL_IPC_DEATH_WATCH_H

#include <lib/types.h>

struct cap_group;
struct notification;

/*
 * Sets a watch of `watcher` on `target` (NULL: a peer already gone):
 * when target is released, bits (non-zero) are ORed into n, once. A
 * target already released (or NULL) is signalled at once and nothing is
 * kept. 0; -ENOSPC when watcher has DEATH_WATCH_MAX watches; -ENOMEM
 * (its budget or the heap); -ESRCH if watcher itself is released.
 */
int death_watch_add(struct cap_group *watcher, struct cap_group *target,
		    struct notification *n, u64 bits);

/*
 * Removes every watch of `watcher` on `target` that signals n: how many
 * (> 0), or -ENOENT if none (never set, fired, or cancelled already).
 */
long death_watch_cancel(struct cap_group *watcher, struct cap_group *target,
			struct notification *n);

/*
 * g has released everything (cap_group.c, the end of release): its
 * watchers' notifications are signalled, and the watches g set are
 * dropped. Once per process; O(its watches), with a preemption point
 * every 64 of those on it. Never under a lock.
 */
void death_watch_released(struct cap_group *g);

/* How many watches g has set and not seen fire (for tests). */
u32 death_watch_count(struct cap_group *g);

/*
 * The process a death watch or CAP_INFO_DEAD is about, for a cap of
 * `self` holding obj: a process is itself, a thread its process, a
 * connection its peer (the server's process for the client, the
 * client's for the server). 0 and *out with a reference, or *out NULL
 * when the peer has gone (a client that closed the connection or died:
 * conn->client is cleared then, as Zircon's peer-closed); -EAGAIN for the
 * client of a connection still being registered (no server side yet);
 * -ECAPBILITY for any other object type.
 */
int death_watch_target(struct cap_group *self, void *obj,
		       struct cap_group **out);

#endif
