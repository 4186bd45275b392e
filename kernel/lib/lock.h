/*
 * Spinlocks. Ferry runs on one CPU today, but every shared structure
 * already has its lock so that SMP needs no rewrite. With interrupts off in
 * the kernel (no kernel preemption) a lock on one CPU only records and
 * checks ownership; the SMP issue turns these into real spinlocks.
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

static inline void lock(struct spinlock *l)
{
	while (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE))
		__builtin_ia32_pause();
}

/* Returns 0 on success, -1 if already held (ChCore's try_lock). */
static inline int try_lock(struct spinlock *l)
{
	return __atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE) ? -1 : 0;
}

static inline void unlock(struct spinlock *l)
{
	__atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
}

static inline bool is_locked(struct spinlock *l)
{
	return l->locked;
}

#endif
