/*
 * Shared text stays shared read-only (vm_maxperm): procmgr maps this
 * program's read-only segments from one image for every instance. With
 * "write" it asks mprotect to make its read-only data writable: it must
 * be refused (-EACCES; exit 0). Were it allowed, it writes a mark into
 * the page and exits 1. With "check" it exits 0 if the page still holds
 * what the file says, 2 if another instance's write shows through.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

#define PG 4096ul

/* Plain const (.rodata: a read-only segment); read through volatile. */
static const uint8_t ro[2 * PG]
	__attribute__((aligned(4096))) = {[0] = 0x31, [PG] = 0x32};

static uint8_t first(void)
{
	return *(const volatile uint8_t *)ro;
}

int main(int argc, char **argv)
{
	uintptr_t page = (uintptr_t)ro;

	if (argc != 2)
		return 3;
	if (!strcmp(argv[1], "check"))
		return first() == 0x31 ? 0 : 2;
	if (first() != 0x31) /* paged in before the mprotect */
		return 2;
	if (mprotect((void *)page, PG, PROT_READ | PROT_WRITE) == 0) {
		*(volatile uint8_t *)page = 0x99; /* into every instance */
		return 1;
	}
	return errno == EACCES ? 0 : 4;
}
