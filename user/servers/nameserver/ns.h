/*
 * The name server's parts (docs/naming.md):
 *   registry.c  names, rights and waiters: the pure tables (registry.h)
 *   main.c      the protocol's handlers, the lock, start-up
 *   death.c     death watches on the services, and dropping a name
 */
#ifndef NAMESERVER_NS_H
#define NAMESERVER_NS_H

#include <stdatomic.h>

#include <ferry/ipc.h>

#include "registry.h"

/* The one lock over the registry: short sections, never across a wait. */
void ns_lock(void);
void ns_unlock(void);
struct ns_registry *ns_reg(void);

/* The notification the kernel signals when a service dies (bit i). */
extern cap_t ns_death_notif;

/* Under the lock: the death of names[i]'s service signals bit i. */
void ns_watch_locked(int i);
/*
 * Under the lock: names[i] leaves the registry and its server cap is
 * deleted (a deletion never waits). live: its service is alive (an
 * unregister), so its death watch is cancelled.
 */
void ns_drop_locked(int i, int live);
/* The main thread's loop: names of dead services leave the registry. */
_Noreturn void ns_reap_forever(void);

#endif
