/*
 * con_writer MODE: writes to its console (fd 1) for tests/console_restart.
 *   loop  a line every 10 ms until a write fails; exits 0 if it failed
 *         with -EIO after at least one success, 2 if the first write
 *         failed, 3 for another error, 4 if no write failed in 30 s;
 *   once  one line; exits 0 if it was written whole, 5 otherwise.
 * Its console is the server its initial capability "console" names,
 * if it has one (console_restart's own): it connects and sets it (6 if
 * it cannot). Raw syscalls: the results are the kernel's, not stdio's.
 */
#include <string.h>
#include <sys/syscall.h>
#include <time.h>

#include <ferry/initcaps.h>
#include <ferry/ipc.h>
#include <uapi/ferry/proto/console.h>

static const char line[] = "# con_writer: a line\n";

static long put(void)
{
	return fy_syscall3(SYS_write, 1, (long)line, sizeof(line) - 1);
}

int main(int argc, char **argv)
{
	struct timespec ms10 = {0, 10 * 1000 * 1000};
	cap_t con = fy_initial_cap("console");
	struct ipc_conn c;

	if (con >= 0 &&
	    (ipc_connect(con, CONSOLE_SHM_MIN, &c) || fy_console_set(c.cap, 0)))
		return 6;
	if (argc > 1 && !strcmp(argv[1], "once"))
		return put() == (long)sizeof(line) - 1 ? 0 : 5;
	for (int i = 0; i < 3000; i++) {
		long r = put();

		if (r == -EIO)
			return i > 0 ? 0 : 2;
		if (r != (long)sizeof(line) - 1)
			return 3;
		nanosleep(&ms10, NULL);
	}
	return 4;
}
