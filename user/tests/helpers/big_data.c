/*
 * Demand paging (procmgr_spawn): 256 KiB of initialized data, which
 * procmgr's pager reads from the file page by page (copy-on-write of
 * the image), and a 16 MiB bss, anonymous. Checks every page of both,
 * writes them, checks again. Exits 0, or the number of the failed check.
 */
#include <stdint.h>

#define DATA_PAGES 64
#define BSS_BYTES (16u << 20)

/* Each page's first word says which page it is: from the file. */
#define P(i) [(i)*512] = 0x1000 + (i)
#define P8(i)                                                                  \
	P(i), P(i + 1), P(i + 2), P(i + 3), P(i + 4), P(i + 5), P(i + 6),      \
		P(i + 7)
static volatile uint64_t data[DATA_PAGES * 512] = {
	P8(0), P8(8), P8(16), P8(24), P8(32), P8(40), P8(48), P8(56)};
static volatile uint8_t bss[BSS_BYTES];

int main(void)
{
	for (unsigned i = 0; i < DATA_PAGES; i++)
		if (data[i * 512] != 0x1000 + i || data[i * 512 + 1] != 0)
			return 1;
	for (unsigned i = 0; i < DATA_PAGES; i++)
		data[i * 512 + 1] = i;
	for (unsigned i = 0; i < DATA_PAGES; i++)
		if (data[i * 512 + 1] != i || data[i * 512] != 0x1000 + i)
			return 2;
	for (unsigned off = 0; off < BSS_BYTES; off += 4096)
		if (bss[off] != 0)
			return 3;
	for (unsigned off = 0; off < BSS_BYTES; off += 4096)
		bss[off] = (uint8_t)(off >> 12);
	for (unsigned off = 0; off < BSS_BYTES; off += 4096)
		if (bss[off] != (uint8_t)(off >> 12))
			return 4;
	return 0;
}
