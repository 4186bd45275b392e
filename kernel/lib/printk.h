#ifndef KERNEL_PRINTK_H
#define KERNEL_PRINTK_H

#include <lib/types.h>
#include <stdarg.h>

int printk(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int vsnprintk(char *buf, size_t n, const char *fmt, va_list ap);
int snprintk(char *buf, size_t n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Reports and stops: a kernel bug, never reachable from user input. */
void panic(const char *fmt, ...)
	__attribute__((noreturn, format(printf, 1, 2)));

#define BUG_ON(c)                                                              \
	do {                                                                   \
		if (unlikely(c))                                               \
			panic("BUG_ON(%s) at %s:%d", #c, __FILE__, __LINE__);  \
	} while (0)

#endif
