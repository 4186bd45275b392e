/*
 * notify_basic's child. Initial caps: "in" (a notification it may only
 * wait on: READ) and "out" (one it may only notify: WRITE). argv[1]:
 *  - "echo": waits on in and notifies out with what it got, until it
 *    gets NOTE_STOP; on NOTE_SPIN it first spins 50 ms (a busy receiver).
 *  - "block": notifies out NOTE_READY, then waits on in for ever (the
 *    test kills it there).
 *  - "rights": checks its caps cannot be used the other way.
 * Exits 0, or the number of the first check that failed.
 */
#include <string.h>
#include <time.h>

#include <ferry/ferry.h>
#include <ferry/initcaps.h>

#define NOTE_SPIN 0x100ull
#define NOTE_READY 0x1ull
#define NOTE_STOP (1ull << 63)

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int echo(cap_t in, cap_t out)
{
	uint64_t bits;

	for (;;) {
		if (fy_notification_wait(in, 0, &bits))
			return 10;
		if (bits & NOTE_SPIN) {
			long t0 = now_ms();

			while (now_ms() - t0 < 50)
				;
		}
		if (fy_notify(out, bits))
			return 11;
		if (bits & NOTE_STOP)
			return 0;
	}
}

int main(int argc, char **argv)
{
	long in = fy_initial_cap("in"), out = fy_initial_cap("out");
	uint64_t bits = 0;

	if (argc != 2 || in < 0 || out < 0)
		return 1;
	if (!strcmp(argv[1], "echo"))
		return echo((cap_t)in, (cap_t)out);
	if (!strcmp(argv[1], "block")) {
		if (fy_notify((cap_t)out, NOTE_READY))
			return 2;
		fy_notification_wait((cap_t)in, 0, &bits);
		return 3; /* never woken: the test kills us */
	}
	if (!strcmp(argv[1], "rights")) {
		if (fy_notify((cap_t)in, 1) != -ECAPBILITY)
			return 4;
		if (fy_notification_wait((cap_t)out, 1000, &bits) !=
		    -ECAPBILITY)
			return 5;
		return 0;
	}
	return 6;
}
