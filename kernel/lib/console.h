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
 * console_write for a system call: output costs 2-4 us a byte under TCG,
 * so a preemption point comes between every 128 bytes (docs/
 * architecture.md, "Bounded kernel time"; a caller writing more chunks
 * meets the next point within 128 bytes). *done receives the bytes
 * written. Returns 0, or -EINTR if the thread was killed meanwhile (then
 * *done < n).
 */
int console_write_preemptible(const char *buf, size_t n, size_t *done);
/*
 * Copies up to n bytes of the next completed line(s) to the user buffer.
 * Blocks until a line is complete. Returns bytes read or -EFAULT/-EINTR.
 */
long console_read_user(char __user *ubuf, size_t n);
/*
 * Raw input for the console server: the calling process claims the
 * serial input (bytes no longer reach the kernel's line discipline) and
 * receives up to n of its bytes, blocking until one arrives. Returns the
 * bytes read (0 for n == 0, after claiming), -EBUSY if another process
 * holds the claim, -EFAULT, -EINTR.
 */
long console_raw_read_user(char __user *ubuf, size_t n);
struct cap_group;
/* g is exiting: its claim on the raw input, if any, ends. */
void console_raw_release(struct cap_group *g);

#endif
