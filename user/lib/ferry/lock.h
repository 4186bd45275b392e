#ifndef FERRY_LOCK_H
#define FERRY_LOCK_H

#include <stdatomic.h>

/*
 * A lock between the threads of one process, a word of 0 (free) or 1.
 * The holder may be preempted by a thread of its own priority (so a
 * waiter yields first) or run below the waiter (so after eight yields a
 * waiter sleeps 1 ms at a time and lets lower priorities run). Handlers
 * run at their callers' priorities, so a lock must never spin alone.
 * Not recursive; no owner is recorded.
 */
void fy_lock(atomic_int *l);
void fy_unlock(atomic_int *l);

#endif
