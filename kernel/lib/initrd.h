/* The initial RAM disk handed over by the boot loader (a newc cpio). */
#ifndef KERNEL_LIB_INITRD_H
#define KERNEL_LIB_INITRD_H

#include <lib/cpio.h>

void initrd_init(const void *base, size_t size);
/* The module's bytes (direct-mapped) and their count in *size. */
const void *initrd_data(size_t *size);
/* 0 and the file, -ENOENT, or -EINVAL for a malformed archive. */
int initrd_find(const char *name, struct cpio_file *f);

#endif
