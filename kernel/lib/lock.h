/*
 * Spinlocks. Ferry runs on one CPU today, but every shared structure
 * already has its lock so that SMP needs no rewrite. With interrupts off in
 * the kernel (no kernel preemption) a lock on one CPU can never be found
 * held by someone else: lock() finding it held is a lock taken twice,
 * which would spin forever, and unlock() finding it free is an unlock
 * without a lock. Both panic (lock_bug) instead, at the cost of one test
 * in unlock(). No owner is recorded. The SMP issue turns lock() into a
 * real spinning lock (contention becomes normal) with an owner CPU.
 */
#ifndef KERNEL_LOCK_H
#define KERNEL_LOCK_H

#include <lib/types.h>

struct spinlock {
	volatile int locked;
};

#define SPINLOCK_INIT                                                          \
	{                                                                      \
		0                                                              \
	}

static inline void lock_init(struct spinlock *l)
{
	l->locked = 0;
}

/* Reports a misused lock (see above) and stops; never returns. */
void lock_bug(struct spinlock *l, const char *what)
	__attribute__((noreturn, cold));

static inline void lock(struct spinlock *l)
{
	if (unlikely(__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE)))
		lock_bug(l, "taken while held");
}

/* Returns 0 on success, -1 if already held (ChCore's try_lock). */
static inline int try_lock(struct spinlock *l)
{
	return __atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE) ? -1 : 0;
}

static inline void unlock(struct spinlock *l)
{
	if (unlikely(!l->locked))
		lock_bug(l, "released while free");
	__atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
}

static inline bool is_locked(struct spinlock *l)
{
	return l->locked;
}

#endif
