/*
 * cpu_hostile's cases under Linux, for the expected signals: each case in
 * a forked child, its end printed as "CASE sig N" or "CASE exit N".
 *
 *   musl-gcc -static -O2 -Iuser/tests -o /tmp/hostile tools/linux-ref-hostile.c
 *   ../shared/linux-ref/run.sh /tmp/hostile cli int:14 movss-tf-syscall ...
 */
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hostile_cases.h"

int main(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		pid_t p = fork();
		int st;

		if (p == 0)
			_exit(hostile_case(argv[i]));
		if (p < 0 || waitpid(p, &st, 0) != p)
			return 1;
		if (WIFSIGNALED(st))
			printf("%s sig %d\n", argv[i], WTERMSIG(st));
		else
			printf("%s exit %d\n", argv[i], WEXITSTATUS(st));
	}
	return 0;
}
