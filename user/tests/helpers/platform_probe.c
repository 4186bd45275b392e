/*
 * platform_probe: what this process may do with the platform rights it
 * was given (tests/platform). Exit code bits: 1 kstat(FREE_FRAMES)
 * answered, 2 kstat(TICKS) answered, 4 poweroff was refused with
 * -ECAPBILITY (had it not been, QEMU would have ended), 8 a forged cap
 * (our own group in place of the platform cap) was refused.
 */
#include <ferry/ferry.h>
#include <ferry/syscall.h>

int main(void)
{
	int code = 0;

	if (fy_kstat(KSTAT_FREE_FRAMES) > 0)
		code |= 1;
	if (fy_kstat(KSTAT_TICKS) >= 0)
		code |= 2;
	/* Never given CONTROL by the test: a bug ends the whole run. */
	if (fy_poweroff(0) == -ECAPBILITY)
		code |= 4;
	if (fy_syscall2(SYS_kstat, CAP_SELF_GROUP, KSTAT_FREE_FRAMES) ==
		    -ECAPBILITY &&
	    fy_syscall2(SYS_poweroff, CAP_SELF_GROUP, 0) == -ECAPBILITY)
		code |= 8;
	return code;
}
