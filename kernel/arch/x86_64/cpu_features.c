/*
 * CPU protection features, turned on where CPUID says the CPU has them
 * (SDM vol. 3, 4.6 and 2.5; CPUID leaf 7 EBX):
 *
 *   SMEP      the kernel faults if it executes a user page;
 *   SMAP      the kernel faults if it touches a user page, except inside
 *             the user-access layer, which sets RFLAGS.AC with stac and
 *             clears it with clac (entry.S);
 *   FSGSBASE  user code may read and write its FS/GS bases directly
 *             (rdfsbase/wrfsbase), as on Linux since 5.9. thread.c saves
 *             the bases from the hardware, so this changes nothing else.
 *
 * Without SMAP, stac and clac are #UD: every one is listed in the
 * section .smap_sites (the STAC/CLAC macros in entry.S), and is patched
 * here into a 3-byte NOP, as Linux's alternatives do. Kernel text is
 * writable (boot.S maps it so) and nothing else runs yet.
 *
 * CR0.AM is set as Linux sets it: a user program that sets RFLAGS.AC gets
 * alignment checks (#AC); at CPL 0 AC only means "SMAP allowed".
 */
#include "cpu.h"
#include <arch/arch.h>

#define CPUID7_EBX_FSGSBASE (1u << 0)
#define CPUID7_EBX_SMEP (1u << 7)
#define CPUID7_EBX_SMAP (1u << 20)

bool cpu_has_smap, cpu_has_smep, cpu_has_fsgsbase;

extern const u64 __smap_sites_start[], __smap_sites_end[];

/* stac (0f 01 cb) and clac (0f 01 ca) become nopl (%rax) (0f 1f 00). */
static void smap_patch_out(void)
{
	for (const u64 *p = __smap_sites_start; p < __smap_sites_end; p++) {
		u8 *insn = (u8 *)*p;

		insn[0] = 0x0f;
		insn[1] = 0x1f;
		insn[2] = 0x00;
	}
}

void cpu_features_init(void)
{
	u32 max, a, b, c, d;
	u64 cr4;

	cpuid(0, 0, &max, &b, &c, &d);
	b = 0;
	if (max >= 7)
		cpuid(7, 0, &a, &b, &c, &d);
	cpu_has_smep = b & CPUID7_EBX_SMEP;
	cpu_has_smap = b & CPUID7_EBX_SMAP;
	cpu_has_fsgsbase = b & CPUID7_EBX_FSGSBASE;

	if (!cpu_has_smap)
		smap_patch_out();
	write_cr0(read_cr0() | CR0_AM);
	cr4 = read_cr4();
	if (cpu_has_smep)
		cr4 |= CR4_SMEP;
	if (cpu_has_smap)
		cr4 |= CR4_SMAP;
	if (cpu_has_fsgsbase)
		cr4 |= CR4_FSGSBASE;
	write_cr4(cr4);
}

/* Linux's HWCAP2_FSGSBASE: set where CR4.FSGSBASE is on. */
#define HWCAP2_FSGSBASE (1ul << 1)

u64 arch_user_hwcap2(void)
{
	return cpu_has_fsgsbase ? HWCAP2_FSGSBASE : 0;
}
