/* The out-of-line half of lock.h: what a misused lock reports. */
#include <lib/lock.h>
#include <lib/printk.h>

void lock_bug(struct spinlock *l, const char *what)
{
	/* lock() and unlock() are inlined: this names their caller. */
	panic("lock %p %s (from %p)", (void *)l, what,
	      __builtin_return_address(0));
}
