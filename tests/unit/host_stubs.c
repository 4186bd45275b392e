/*
 * Host stand-ins for the arch functions the kernel files under test call.
 * They are weak so that a test linking the real kernel/arch/host/ code
 * gets that instead.
 */
#include "host_stubs.h"

#include <stdlib.h>
#include <string.h>

char host_console[8192];
size_t host_console_len;
jmp_buf *host_halt_jmp;

void host_console_reset(void)
{
	memset(host_console, 0, sizeof(host_console));
	host_console_len = 0;
}

__attribute__((weak)) void arch_console_putc(char c)
{
	/* Keep the last byte for the terminating NUL. */
	if (host_console_len + 1 < sizeof(host_console))
		host_console[host_console_len++] = c;
}

__attribute__((weak, noreturn)) void arch_halt_fail(void)
{
	if (host_halt_jmp)
		longjmp(*host_halt_jmp, 1);
	abort();
}
