/* The boot modules (initrd.h). */
#include <lib/initrd.h>

static const void *init_base, *initrd_base;
static size_t init_size, initrd_size;

void boot_modules_init(const void *init, size_t isize, const void *rd,
		       size_t rd_size)
{
	init_base = init;
	init_size = isize;
	initrd_base = rd;
	initrd_size = rd_size;
}

const void *boot_init_image(size_t *size)
{
	*size = init_size;
	return init_base;
}

const void *initrd_data(size_t *size)
{
	*size = initrd_size;
	return initrd_base;
}
