/*
 * Reads the first byte of the kernel half (the direct map of physical
 * memory). It must fault (SIGSEGV), never return kernel data.
 */
#include <unistd.h>

int main(void)
{
	static const char before[] =
		"# fault_kernel: reading 0xffff800000000000\n";
	static const char after[] =
		"not ok 1 - a kernel address was readable\n";

	write(1, before, sizeof(before) - 1);
	(void)*(volatile char *)0xffff800000000000ul;
	write(1, after, sizeof(after) - 1);
	return 1;
}
