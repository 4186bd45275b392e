/*
 * What the hosted unit tests put in place of the machine: a console that
 * records into a buffer and a halt that returns control to the test.
 */
#ifndef TESTS_UNIT_HOST_STUBS_H
#define TESTS_UNIT_HOST_STUBS_H

#include <setjmp.h>
#include <stddef.h>

/* Everything arch_console_putc() was given since the last reset. */
extern char host_console[8192];
extern size_t host_console_len;
void host_console_reset(void);

/*
 * arch_halt_fail() longjmps here when a test has armed it (non-NULL);
 * otherwise it aborts the test binary, which the runner reports as a crash.
 */
extern jmp_buf *host_halt_jmp;

#endif
