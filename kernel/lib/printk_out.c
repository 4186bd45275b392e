/*
 * printk and panic: formatting (printk.c) put on the console.
 *
 * One line is formatted on the stack, then written whole under
 * printk_lock so that lines from different CPUs never interleave. A
 * line longer than PRINTK_LINE_MAX is cut short.
 *
 * panic takes no lock: it may be called with printk_lock held (a bug
 * inside printk) and must still be heard. A panic inside panic only halts.
 */
#include <arch/arch.h>
#include <lib/lock.h>
#include <lib/printk.h>

#define PRINTK_LINE_MAX 512

static struct spinlock printk_lock = SPINLOCK_INIT;
static bool panicking;

static size_t printk_puts(const char *s)
{
	size_t n = 0;

	for (; s[n]; n++)
		arch_console_putc(s[n]);
	return n;
}

/* Returns the number of characters written, which a cut line makes short. */
int printk(const char *fmt, ...)
{
	char line[PRINTK_LINE_MAX];
	va_list ap;
	size_t n;

	va_start(ap, fmt);
	vsnprintk(line, sizeof(line), fmt, ap);
	va_end(ap);

	lock(&printk_lock);
	n = printk_puts(line);
	unlock(&printk_lock);
	return (int)n;
}

void panic(const char *fmt, ...)
{
	char msg[PRINTK_LINE_MAX];
	va_list ap;

	if (panicking)
		arch_halt_fail();
	panicking = true;

	va_start(ap, fmt);
	vsnprintk(msg, sizeof(msg), fmt, ap);
	va_end(ap);

	printk_puts("[ferry] KERNEL PANIC: ");
	printk_puts(msg);
	printk_puts("\n");
	arch_halt_fail();
}
