/*
 * The console: output goes straight to the arch's serial port; input is
 * cooked a line at a time (echo, backspace, CR to LF) into a ring that
 * read(0) drains.
 */
#ifndef KERNEL_LIB_CONSOLE_H
#define KERNEL_LIB_CONSOLE_H

#include <lib/types.h>

/* Called from the serial interrupt with each received byte. */
void console_input(char c);
void console_write(const char *buf, size_t n);
/*
 * Copies up to n bytes of the next completed line(s) to the user buffer.
 * Blocks until a line is complete. Returns bytes read or -EFAULT/-EINTR.
 */
long console_read_user(char __user *ubuf, size_t n);

#endif
