/*
 * Notification objects (notification.h), after seL4's notifications and
 * Zircon's signals: the state is one word, so a notify needs no memory
 * and cannot fail or block, and notifications sent before anyone waits
 * are kept (the race Tock's users hit, where an early notify was lost).
 *
 * Protocol, one CPU:
 *  1. notify ORs its bits into `pending` and wakes the first waiter
 *     (FIFO); it wakes nobody else: one waiter takes all the bits.
 *  2. The woken waiter, when it runs, takes `pending` whole. If another
 *     waiter (or a non-blocking take) got there first it finds 0 and
 *     waits again: a wake is a hint, `pending` is the truth.
 *  3. A waiter that is killed or times out leaves the queue (sched_wake
 *     and the timeout list unlink it) and passes an unserved wake on to
 *     the next waiter, so bits never sit pending while someone waits.
 *
 * Each waiter holds a reference to the object (the syscall's cap_get),
 * so the object outlives every wait, even when the last capability goes.
 */
#include <ipc/notification.h>
#include <lib/list.h>
#include <lib/printk.h>
#include <mm/budget.h>
#include <mm/kmalloc.h>
#include <object/thread.h>
#include <sched/sched.h>
#include <uapi/ferry/errno.h>

int notification_create(struct budget *budget, struct notification **out)
{
	size_t bytes = kmalloc_size(sizeof(struct notification));
	struct notification *n;

	if (budget_charge(budget, bytes))
		return -ENOMEM;
	n = obj_alloc(OBJ_TYPE_NOTIFICATION, sizeof(*n));
	if (!n) {
		budget_uncharge(budget, bytes);
		return -ENOMEM;
	}
	waitq_init(&n->waiters);
	budget_get(budget);
	n->budget = budget;
	*out = n;
	return 0;
}

void notification_destroy(void *obj)
{
	struct notification *n = obj;

	/* Waiters hold references: none can be left. */
	BUG_ON(!list_empty(&n->waiters.threads));
	budget_uncharge(n->budget, kmalloc_size(sizeof(struct notification)));
	budget_put(n->budget);
}

static void wake_first(struct notification *n)
{
	if (!list_empty(&n->waiters.threads))
		sched_wake(list_first(&n->waiters.threads, struct thread,
				      sched_node),
			   0);
}

void notification_signal(struct notification *n, u64 bits)
{
	n->pending |= bits;
	wake_first(n);
}

u64 notification_take(struct notification *n)
{
	u64 bits = n->pending;

	n->pending = 0;
	return bits;
}

long notification_wait(struct notification *n, u64 deadline_ns, u64 *bits)
{
	long r;

	while (!n->pending) {
		r = sched_block_until(&n->waiters, deadline_ns);
		if (r < 0) {
			/* A wake meant for us may have crossed: pass it on. */
			if (n->pending)
				wake_first(n);
			return r;
		}
		if (current->killed) {
			if (n->pending)
				wake_first(n);
			return -EINTR;
		}
	}
	*bits = notification_take(n);
	return 0;
}
