/*
 * The main thread ends with SYS_thread_exit while a second thread still
 * runs; the process must live on until that one ends too, then exit 0.
 * The second thread proves it ran after main was gone by printing.
 */
#include <unistd.h>

#include <ferry/ferry.h>

static char stack[16384] __attribute__((aligned(16)));
static volatile int main_gone;

static void second(void *arg)
{
	static const char msg[] = "# thread_exit_last: second thread ends\n";

	(void)arg;
	for (int i = 0; i < 100 && !main_gone; i++)
		fy_yield();
	write(1, msg, sizeof(msg) - 1);
	fy_thread_exit();
}

int main(void)
{
	if (fy_thread_create(CAP_SELF_GROUP, second, stack + sizeof(stack), 0,
			     0) < 0)
		return 1;
	main_gone = 1;
	fy_thread_exit();
}
