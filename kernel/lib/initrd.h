/*
 * What the boot loader hands the kernel (Multiboot modules): init's ELF
 * image, which the kernel starts, and the initial RAM disk (a newc cpio),
 * which it gives init whole as one PMO without reading it: the archive is
 * the file server's business (user/servers/fs).
 */
#ifndef KERNEL_LIB_INITRD_H
#define KERNEL_LIB_INITRD_H

#include <lib/types.h>

/* Records the two modules (direct-mapped bytes and their counts). */
void boot_modules_init(const void *init, size_t init_size, const void *rd,
		       size_t rd_size);
/* init's ELF image and its size in *size. */
const void *boot_init_image(size_t *size);
/* The initrd's bytes and their count in *size. */
const void *initrd_data(size_t *size);

#endif
