/*
 * Exits 0 if it got exactly the argv {"helpers/argv_check", "a", "bb",
 * "ccc", ""} and the envp {"X=1", "LONG=<200 x 'y'>"} that syscalls_proc
 * passes, else with the number of the first check that failed.
 */
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv, char **envp)
{
	static const char *const want[] = {"helpers/argv_check", "a", "bb",
					   "ccc", ""};
	const char *y;

	if (argc != 5 || argv[argc])
		return 1;
	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], want[i]))
			return 2;
	}
	if (!envp[0] || strcmp(envp[0], "X=1") || !envp[1] || envp[2])
		return 3;
	if (strcmp(getenv("X") ? getenv("X") : "", "1"))
		return 4;
	y = getenv("LONG");
	if (!y || strlen(y) != 200 || strspn(y, "y") != 200)
		return 5;
	return 0;
}
