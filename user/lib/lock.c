/* libferry's lock between threads of one process (ferry/lock.h). */
#include <sys/syscall.h>
#include <time.h>

#include <ferry/ferry.h>
#include <ferry/lock.h>

void fy_lock(atomic_int *l)
{
	int spins = 0;

	while (atomic_exchange_explicit(l, 1, memory_order_acquire))
		if (++spins < 8)
			fy_yield();
		else
			fy_syscall2(SYS_nanosleep,
				    (long)&(struct timespec){0, 1000000}, 0);
}

void fy_unlock(atomic_int *l)
{
	atomic_store_explicit(l, 0, memory_order_release);
}
