/*
 * at_random N: writes its 16 AT_RANDOM bytes at offset 16 * N of the PMO
 * that the test transfers to it after the spawn, then exits 0 (1 if no
 * PMO came within 500 ticks, 2 if the write failed).
 */
#include <stdlib.h>
#include <sys/auxv.h>

#include <ferry/ferry.h>

static cap_t find_pmo(void)
{
	long give_up = fy_kstat(KSTAT_TICKS) + 500;

	while (fy_kstat(KSTAT_TICKS) < give_up) {
		for (cap_t c = 3; c < 32; c++) {
			long info = fy_cap_info(c);

			if (info >= 0 && FY_CAP_INFO_TYPE(info) == OBJ_TYPE_PMO)
				return c;
		}
		fy_yield();
	}
	return -1;
}

int main(int argc, char **argv)
{
	const void *r = (const void *)getauxval(AT_RANDOM);
	cap_t pmo = find_pmo();

	if (argc < 2 || !r || pmo < 0)
		return 1;
	if (fy_pmo_write(pmo, 16 * (size_t)atoi(argv[1]), r, 16))
		return 2;
	return 0;
}
