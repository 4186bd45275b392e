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

size_t initrd_list(char *buf, size_t len)
{
	struct cpio_file f;
	size_t cursor = 0, need = 0;

	while (cpio_next(initrd_base, initrd_size, &cursor, &f) == 1) {
		if (need + f.namelen + 1 <= len)
			memcpy(buf + need, f.name, f.namelen + 1);
		need += f.namelen + 1;
	}
	return need;
}
