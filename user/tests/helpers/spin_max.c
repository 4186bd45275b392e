/*
 * spin_max MCP: raises its main thread as high as it may (its MCP, which
 * the test gave it at spawn) and spins forever without a system call,
 * as a hostile program would. It first checks the ceiling holds: a
 * priority or MCP one above MCP must be -EPERM, MCP itself must work.
 * Exits 3, 4 or 5 if not, so the test sees a status, not a kill.
 */
#include <stdlib.h>

#include <ferry/ferry.h>

int main(int argc, char **argv)
{
	int mcp = argc > 1 ? atoi(argv[1]) : -1;
	volatile unsigned long n = 0;

	if (mcp < PRIO_MIN || mcp >= PRIO_MAX)
		return 2;
	if (fy_thread_set_prio(CAP_SELF_MAIN_THREAD, mcp + 1) != -EPERM)
		return 3;
	if (fy_thread_set_prio(CAP_SELF_MAIN_THREAD, mcp) != 0)
		return 4;
	if (fy_thread_set_mcp(CAP_SELF_MAIN_THREAD, mcp + 1) != -EPERM)
		return 5;
	for (;;)
		n++;
}
