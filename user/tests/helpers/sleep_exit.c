/*
 * Sleeps argv[1] milliseconds, then exits with code argv[2]: a background
 * job that ends by itself a little later (tools/console-check.py).
 */
#include <stdlib.h>
#include <time.h>

int main(int argc, char **argv)
{
	long ms = argc > 1 ? atol(argv[1]) : 0;
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000};

	nanosleep(&ts, NULL);
	return argc > 2 ? atoi(argv[2]) : 0;
}
