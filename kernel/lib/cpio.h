/*
 * The initial RAM disk: a cpio archive in the "newc" format (what
 * `cpio -o -H newc` writes). Parsing is bounds-checked against the
 * archive size; a malformed archive yields errors, never a wild read.
 */
#ifndef KERNEL_LIB_CPIO_H
#define KERNEL_LIB_CPIO_H

#include <lib/types.h>

struct cpio_file {
	const char
		*name; /* inside the archive, NUL-terminated, no leading "./" */
	size_t namelen; /* without the NUL */
	const void *data;
	size_t size;
	u32 mode; /* st_mode bits from the header */
};

/*
 * Iterates regular files. *cursor starts at 0. Returns 1 and fills *f for
 * the next file, 0 at the "TRAILER!!!" entry or end of archive, -EINVAL if
 * the archive is malformed (bad magic, bad hex, sizes past the end).
 * Directories and other non-regular entries are skipped.
 */
int cpio_next(const void *archive, size_t size, size_t *cursor,
	      struct cpio_file *f);

/*
 * Finds a regular file by name. A leading "/" or "./" in `name` is
 * ignored. Returns 0 and fills *f, -ENOENT if absent, -EINVAL if the
 * archive is malformed before the file is found.
 */
int cpio_find(const void *archive, size_t size, const char *name,
	      struct cpio_file *f);

#endif
