/*
 * Notification objects: a 64-bit word of pending bits that notify ORs
 * into without ever blocking, and that a waiter takes (and clears) whole.
 * docs/ipc.md "Notifications" has the rules seen from user space.
 *
 * Owner: the one CPU, interrupts off in the kernel (as the scheduler).
 */
#ifndef KERNEL_IPC_NOTIFICATION_H
#define KERNEL_IPC_NOTIFICATION_H

#include <lib/types.h>
#include <object/object.h>
#include <sched/waitq.h>

struct budget;

struct notification {
	struct object obj;
	u64 pending;	       /* bits notified and not yet taken */
	struct waitq waiters;  /* FIFO; each waiter holds a reference */
	struct budget *budget; /* its creator's (a reference), charged */
};

/*
 * A new notification with nothing pending, its memory charged to budget
 * (NULL: the kernel's). 0 and *out (one reference); -ENOMEM when the
 * budget or the heap is out.
 */
int notification_create(struct budget *budget, struct notification **out);
void notification_destroy(void *obj);

/*
 * ORs bits (non-zero) into n and wakes the first waiter, if any. Never
 * blocks, never fails: the sender is unaffected by what waiters do.
 */
void notification_signal(struct notification *n, u64 bits);

/* Takes the pending bits (0 if none) and clears them. */
u64 notification_take(struct notification *n);

/*
 * Blocks current until bits are pending on n or deadline_ns (monotonic;
 * 0: none) passes, then takes them into *bits. 0; -ETIMEDOUT; -EINTR
 * when killed (whatever was pending stays pending for others).
 */
long notification_wait(struct notification *n, u64 deadline_ns, u64 *bits);

#endif
