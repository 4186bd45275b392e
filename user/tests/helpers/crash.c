/*
 * Dies the way argv[1] says, so syscalls_proc can check the wait status
 * each CPU exception maps to: segv (write to 0), exec (jump to a
 * non-executable page), ill (ud2), fpe (divide by zero), gp (a privileged
 * instruction), stack (unbounded recursion into the stack guard).
 */
#include <string.h>

/* Bounded only so the compiler accepts it: 4 TiB of stack is never there. */
static int recurse(volatile char *prev, long depth)
{
	volatile char big[4096];

	big[0] = prev ? prev[0] + 1 : 0;
	if (depth > (1l << 30))
		return big[0];
	return recurse(big, depth + 1) + big[1];
}

int main(int argc, char **argv)
{
	static const char data_not_code[16] = {(char)0xc3};
	const char *how = argc > 1 ? argv[1] : "";

	if (!strcmp(how, "segv"))
		*(volatile int *)0 = 1;
	else if (!strcmp(how, "exec"))
		((void (*)(void))data_not_code)();
	else if (!strcmp(how, "ill"))
		__asm__ volatile("ud2");
	else if (!strcmp(how, "fpe"))
		/* In asm: the compiler may assume a C division is by non-zero.
		 */
		__asm__ volatile("xor %%edx, %%edx\n\tdivl %0" ::"r"(0)
				 : "rax", "rdx");
	else if (!strcmp(how, "gp"))
		__asm__ volatile("hlt");
	else if (!strcmp(how, "stack"))
		return recurse(0, 0);
	return 100; /* survived */
}
