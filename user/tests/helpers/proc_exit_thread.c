/*
 * A second thread ends the whole process with SYS_proc_exit(42) while the
 * main thread yields forever: the status must be exit 42.
 */
#include <ferry/ferry.h>

static char stack[16384] __attribute__((aligned(16)));

static void second(void *arg)
{
	(void)arg;
	fy_proc_exit(42);
}

int main(void)
{
	if (fy_thread_create(CAP_SELF_GROUP, second, stack + sizeof(stack), 0,
			     0) < 0)
		return 1;
	for (;;)
		fy_yield();
}
