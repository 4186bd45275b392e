/*
 * Writes to address 0. init expects a "_fault" program to be killed with
 * SIGSEGV; a line after the store means the kernel let it through.
 */
#include <unistd.h>

int main(void)
{
	static const char before[] = "# fault_null: storing to address 0\n";
	static const char after[] = "not ok 1 - the store to 0 did not fault\n";

	write(1, before, sizeof(before) - 1);
	*(volatile int *)0 = 1;
	write(1, after, sizeof(after) - 1);
	return 1;
}
