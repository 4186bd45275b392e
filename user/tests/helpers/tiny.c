/*
 * The smallest program: no libc, one page of text, exit_group(0) at
 * once. spawn_exit_wait's child (user/apps/bench/spawn.c), so the figure
 * is the cost of making, starting and reaping a process, not of musl's
 * start-up. Built with -nostdlib (user/build.mk): a Linux program.
 */
void _start(void)
{
	__asm__ volatile("mov $231, %%eax\n\t" /* exit_group */
			 "xor %%edi, %%edi\n\t"
			 "syscall\n\t"
			 "ud2" ::
				 : "memory");
	__builtin_unreachable();
}
