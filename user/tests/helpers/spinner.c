/* Loops forever without a system call: only preemption stops it. */
#include <unistd.h>

int main(void)
{
	static const char msg[] = "# spinner: running\n";
	volatile unsigned long n = 0;

	write(1, msg, sizeof(msg) - 1);
	for (;;)
		n++;
}
