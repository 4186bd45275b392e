/*
 * Whole-page zeroing and copying (arch.h) with the string instructions:
 * one `rep stosq` or `rep movsq` of 512 quadwords. The kernel runs with
 * DF clear (FMASK on syscall, `cld` on every interrupt entry: entry.S),
 * so the string moves go up, as the SDM (vol. 2B, REP/STOS/MOVS)
 * describes for DF = 0. Under QEMU's TCG each repetition counts as an
 * instruction: a page is ~515, against ~900 for memset's 4-word loop.
 */
#include <arch/arch.h>

void arch_zero_page(void *p)
{
	u64 n = PAGE_SIZE / 8;

	__asm__ volatile("rep stosq" : "+D"(p), "+c"(n) : "a"(0ul) : "memory");
}

void arch_copy_page(void *dst, const void *src)
{
	u64 n = PAGE_SIZE / 8;

	__asm__ volatile("rep movsq"
			 : "+D"(dst), "+S"(src), "+c"(n)
			 :
			 : "memory");
}
