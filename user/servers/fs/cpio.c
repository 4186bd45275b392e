/*
 * The newc cpio format, as tools/mkinitrd.sh (cpio -H newc) writes it,
 * read in user space. Each entry: a 110-byte ASCII header ("070701",
 * then 13 fields of 8 hex digits), the name (namesize bytes with its
 * NUL), padding to 4 bytes, the data (filesize bytes), padding to 4.
 * "TRAILER!!!" ends the archive. Every length is checked against what
 * is left before it is used; sizes are at most 32 bits, kept in 64-bit
 * arithmetic so no sum wraps.
 */
#include <string.h>

#include "fs.h"

#define CPIO_HDR 110
#define F_MODE 1
#define F_FILESIZE 6
#define F_NAMESIZE 11
#define CPIO_TRAILER "TRAILER!!!"

static int hex8(const char *s, uint32_t *v)
{
	uint32_t x = 0;

	for (int i = 0; i < 8; i++) {
		char c = s[i];
		uint32_t d;

		if (c >= '0' && c <= '9')
			d = (uint32_t)(c - '0');
		else if (c >= 'a' && c <= 'f')
			d = (uint32_t)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			d = (uint32_t)(c - 'A' + 10);
		else
			return -EINVAL;
		x = x << 4 | d;
	}
	*v = x;
	return 0;
}

static uint64_t align4(uint64_t x)
{
	return (x + 3) & ~(uint64_t)3;
}

int fs_cpio_next(const void *archive, size_t size, size_t *cursor,
		 struct cpio_ent *e)
{
	const char *a = archive;
	uint64_t at = *cursor, name_at, data_at, end;
	uint32_t f[13];

	/* No trailer before the end is as malformed as a cut header. */
	if (at > size || size - at < CPIO_HDR)
		return -EINVAL;
	if (memcmp(a + at, "070701", 6) && memcmp(a + at, "070702", 6))
		return -EINVAL;
	for (int i = 0; i < 13; i++)
		if (hex8(a + at + 6 + 8 * i, &f[i]))
			return -EINVAL;
	if (f[F_NAMESIZE] < 2) /* a name of at least one byte and its NUL */
		return -EINVAL;
	name_at = at + CPIO_HDR;
	if (f[F_NAMESIZE] > size - name_at)
		return -EINVAL;
	if (a[name_at + f[F_NAMESIZE] - 1] != '\0' ||
	    memchr(a + name_at, '\0', f[F_NAMESIZE] - 1))
		return -EINVAL;
	data_at = align4(name_at + f[F_NAMESIZE]);
	if (data_at > size || f[F_FILESIZE] > size - data_at)
		return -EINVAL;
	end = align4(data_at + f[F_FILESIZE]);
	e->name = a + name_at;
	e->namelen = f[F_NAMESIZE] - 1;
	e->data = (const uint8_t *)a + data_at;
	e->size = f[F_FILESIZE];
	e->mode = f[F_MODE];
	if (e->namelen == sizeof(CPIO_TRAILER) - 1 &&
	    !memcmp(e->name, CPIO_TRAILER, e->namelen))
		return 0;
	/* The last padding may be missing at the very end. */
	*cursor = end > size ? size : end;
	return 1;
}
