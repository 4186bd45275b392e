/*
 * RDRAND, the CPU's hardware random source, where CPUID.1:ECX bit 30 says
 * the CPU has it (QEMU's TCG does with -cpu ...,+rdrand). The SDM
 * (vol. 1, 7.3.17) says a read can fail transiently (CF clear) and
 * suggests retrying up to ten times.
 */
#include "cpu.h"
#include <arch/arch.h>

#define CPUID_1_ECX_RDRAND (1u << 30)

static bool have_rdrand(void)
{
	static int have = -1;
	u32 a, b, c, d;

	if (have < 0) {
		__asm__ volatile("cpuid"
				 : "=a"(a), "=b"(b), "=c"(c), "=d"(d)
				 : "a"(1), "c"(0));
		have = (c & CPUID_1_ECX_RDRAND) != 0;
	}
	return have;
}

bool arch_hw_random(u64 *out)
{
	if (!have_rdrand())
		return false;
	for (int i = 0; i < 10; i++) {
		u8 ok;

		__asm__ volatile("rdrand %0; setc %1" : "=r"(*out), "=qm"(ok));
		if (ok)
			return true;
	}
	return false;
}
