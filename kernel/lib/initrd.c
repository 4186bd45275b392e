#include <lib/initrd.h>
#include <lib/string.h>

static const void *initrd_base;
static size_t initrd_size;

void initrd_init(const void *base, size_t size)
{
	initrd_base = base;
	initrd_size = size;
}

const void *initrd_data(size_t *size)
{
	*size = initrd_size;
	return initrd_base;
}

int initrd_find(const char *name, struct cpio_file *f)
{
	return cpio_find(initrd_base, initrd_size, name, f);
}
