/*
 * Shared text and pager refusals (procmgr_spawn): 512 KiB of read-only
 * data, which procmgr maps from one image shared by every live process
 * of this file. With argument "touch" it reads every page of it, then
 * writes 1 into the PMO named "flag" and waits to be killed. With
 * "wait" it first waits until "flag" holds 2 (the test has cut its file
 * short meanwhile), then reads the pages: the pager must refuse them
 * and the kernel kill it (SIGBUS). Exits non-zero if anything else.
 */
#include <stdint.h>
#include <string.h>
#include <time.h>

#include <ferry/ferry.h>
#include <ferry/initcaps.h>

#define RO_PAGES 128

#define Q(i) [(i)*512] = 0x2000 + (i)
#define Q8(i)                                                                  \
	Q(i), Q(i + 1), Q(i + 2), Q(i + 3), Q(i + 4), Q(i + 5), Q(i + 6),      \
		Q(i + 7)
#define Q64(i)                                                                 \
	Q8(i), Q8(i + 8), Q8(i + 16), Q8(i + 24), Q8(i + 32), Q8(i + 40),      \
		Q8(i + 48), Q8(i + 56)
static const volatile uint64_t ro[RO_PAGES * 512] = {Q64(0), Q64(64)};

static long flag_get(cap_t flag)
{
	uint8_t v = 0;

	fy_pmo_read(flag, 0, &v, 1);
	return v;
}

int main(int argc, char **argv)
{
	struct timespec tick = {0, 10 * 1000 * 1000};
	cap_t flag = fy_initial_cap("flag");
	uint8_t one = 1;

	if (argc != 2 || flag < 0)
		return 1;
	if (!strcmp(argv[1], "wait"))
		while (flag_get(flag) != 2)
			nanosleep(&tick, NULL);
	for (unsigned i = 0; i < RO_PAGES; i++)
		if (ro[i * 512] != 0x2000 + i)
			return 2;
	if (!strcmp(argv[1], "wait"))
		return 3; /* the pager should have refused */
	fy_pmo_write(flag, 0, &one, 1);
	for (;;)
		nanosleep(&tick, NULL);
}
