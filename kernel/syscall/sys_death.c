/*
 * SYS_death_watch: the glue between user arguments and
 * ipc/death_watch.c (docs/ipc.md "Death signals").
 */
#include <ipc/death_watch.h>
#include <ipc/notification.h>
#include <object/cap_group.h>
#include <object/thread.h>
#include <sched/sched.h>
#include <syscall/native.h>
#include <uapi/ferry/errno.h>

/*
 * Asks that `bits` be ORed into the notification notif_cap names (WRITE)
 * once, when the process behind target_cap dies (exit, kill, fault,
 * out of memory) and has released everything: a process cap's own, a
 * thread cap's process, a connection's peer (for the client's cap the
 * server's process, for the server's the client's). The target cap
 * needs no right. Already dead (released, or a client that has left):
 * signalled at once, 0. bits 0 cancels instead: every watch the caller
 * set on that process with that notification goes.
 * Returns 0 (set), or for a cancel how many went (>= 1). Errors:
 * -ECAPBILITY (an empty slot, a target that is no process, thread or
 * connection, a notif that is no notification or lacks WRITE); -EAGAIN
 * (the client's cap of a connection still being registered); -ENOSPC
 * (DEATH_WATCH_MAX watches set already); -ENOMEM (budget or heap);
 * -ENOENT (a cancel that found none). After Zircon's ZX_CHANNEL_PEER_
 * CLOSED signal, delivered as seL4 delivers to notifications.
 */
long sys_death_watch(u64 target_cap, u64 notif_cap, u64 bits)
{
	struct cap_group *self = current->group, *target;
	struct notification *n;
	void *obj;
	long ret;

	ret = cap_get(self, cap_arg(target_cap), OBJ_TYPE_NONE, 0, &obj);
	if (ret)
		return ret;
	ret = death_watch_target(self, obj, &target);
	obj_put(obj);
	if (ret)
		return ret;
	ret = cap_get(self, cap_arg(notif_cap), OBJ_TYPE_NOTIFICATION,
		      CAP_RIGHT_WRITE, (void **)&n);
	if (ret)
		goto out_target;
	if (bits)
		ret = death_watch_add(self, target, n, bits);
	else
		ret = death_watch_cancel(self, target, n);
	obj_put(n);
out_target:
	obj_put(target); /* NULL allowed */
	return ret;
}
