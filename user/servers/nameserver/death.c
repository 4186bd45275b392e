/*
 * A dead service leaves the registry (docs/naming.md, "Death"). Each
 * name's server thread is watched with SYS_death_watch: when its
 * process dies the kernel ORs bit i (the name's index) into
 * ns_death_notif, and the main thread, waiting on it, drops every name
 * whose bit came and whose server is dead (CAP_INFO_DEAD). A bit may be
 * stale (a watch of a name since dropped, its index reused): the
 * server's own CAP_INFO_DEAD decides, never the bit alone. Lookups and
 * registrations check CAP_INFO_DEAD too, so a name is gone as soon as
 * its service's death is visible, before the main thread runs.
 */
#include <sys/syscall.h>
#include <time.h>

#include "ns.h"

void ns_watch_locked(int i)
{
	/* -ENOSPC cannot come: at most NS_MAX_NAMES watches are set. */
	fy_death_watch(ns_reg()->names[i].server, ns_death_notif, 1ull << i);
}

/*
 * A cancel (bits 0) removes every watch we set on the process with our
 * notification, so the other names of a process whose one name goes
 * would lose theirs: all are cancelled, then the remaining set again,
 * one per name (a rare operation: unregister of a live service).
 */
static void rewatch_locked(int gone)
{
	struct ns_registry *r = ns_reg();

	fy_death_watch(r->names[gone].server, ns_death_notif, 0);
	for (int i = 0; i < NS_MAX_NAMES; i++)
		if (r->names[i].used && i != gone)
			fy_death_watch(r->names[i].server, ns_death_notif, 0);
	for (int i = 0; i < NS_MAX_NAMES; i++)
		if (r->names[i].used && i != gone)
			ns_watch_locked(i);
}

void ns_drop_locked(int i, int live)
{
	struct ns_registry *r = ns_reg();

	if (live)
		rewatch_locked(i); /* a dead one's watches have fired */
	fy_cap_delete(r->names[i].server);
	ns_remove(r, i);
}

_Noreturn void ns_reap_forever(void)
{
	struct ns_registry *r = ns_reg();

	for (;;) {
		uint64_t bits = 0;

		if (fy_notification_wait(ns_death_notif, 0, &bits) < 0) {
			fy_syscall2(SYS_nanosleep,
				    (long)&(struct timespec){1, 0}, 0);
			continue;
		}
		ns_lock();
		for (int i = 0; i < NS_MAX_NAMES; i++)
			if ((bits >> i & 1) && r->names[i].used &&
			    fy_cap_dead(r->names[i].server) == 1)
				ns_drop_locked(i, 0);
		ns_unlock();
	}
}
