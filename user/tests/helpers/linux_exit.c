/*
 * Ends with the raw Linux exit(2) of its only thread (not exit_group), with
 * the code given as argv[1]: as on Linux, the last thread's code is the
 * process's exit status.
 */
#include <stdlib.h>
#include <sys/syscall.h>

#include <ferry/syscall.h>

int main(int argc, char **argv)
{
	fy_syscall1(SYS_exit, argc > 1 ? atoi(argv[1]) : 0);
	return 99; /* not reached */
}
