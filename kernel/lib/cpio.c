/*
 * cpio "newc" archives: each entry is a 110-byte header of ASCII hex
 * fields, the NUL-terminated name padded so that header and name end on a
 * 4-byte boundary, then the data padded to 4 bytes. "TRAILER!!!" ends the
 * archive.
 *
 * Offsets only ever grow and each step is checked against what is left of
 * the archive (size - offset), so no sum can wrap.
 */
#include <lib/cpio.h>
#include <lib/string.h>
#include <uapi/ferry/errno.h>

#define CPIO_MAGIC "070701"
#define CPIO_HDR_SIZE 110
#define CPIO_TRAILER "TRAILER!!!"
#define S_IFMT 0170000
#define S_IFREG 0100000

/* Field indexes: each is 8 hex digits after the 6-byte magic. */
enum {
	F_INO,
	F_MODE,
	F_UID,
	F_GID,
	F_NLINK,
	F_MTIME,
	F_FILESIZE,
	F_DEVMAJOR,
	F_DEVMINOR,
	F_RDEVMAJOR,
	F_RDEVMINOR,
	F_NAMESIZE,
	F_CHECK,
};

static bool cpio_field(const u8 *hdr, int field, u32 *val)
{
	const u8 *p = hdr + 6 + field * 8;
	u32 v = 0;
	int i, d;

	for (i = 0; i < 8; i++) {
		if (p[i] >= '0' && p[i] <= '9')
			d = p[i] - '0';
		else if (p[i] >= 'a' && p[i] <= 'f')
			d = p[i] - 'a' + 10;
		else if (p[i] >= 'A' && p[i] <= 'F')
			d = p[i] - 'A' + 10;
		else
			return false;
		v = v << 4 | (u32)d;
	}
	*val = v;
	return true;
}

/* Bytes needed to pad `off` to 4. */
static size_t pad4(size_t off)
{
	return (4 - (off & 3)) & 3;
}

int cpio_next(const void *archive, size_t size, size_t *cursor,
	      struct cpio_file *f)
{
	const u8 *base = archive;
	size_t off = *cursor, namesize, filesize, data;
	const char *name;
	u32 mode, nsz, fsz;

	for (;;) {
		if (off == size)
			return 0;
		if (off > size || size - off < CPIO_HDR_SIZE)
			return -EINVAL;
		if (memcmp(base + off, CPIO_MAGIC, 6) != 0 ||
		    !cpio_field(base + off, F_MODE, &mode) ||
		    !cpio_field(base + off, F_FILESIZE, &fsz) ||
		    !cpio_field(base + off, F_NAMESIZE, &nsz))
			return -EINVAL;
		namesize = nsz;
		filesize = fsz;
		off += CPIO_HDR_SIZE;

		name = (const char *)base + off;
		if (namesize == 0 || namesize > size - off ||
		    strnlen(name, namesize) != namesize - 1)
			return -EINVAL;
		if (strcmp(name, CPIO_TRAILER) == 0)
			return 0;
		off += namesize;

		if (pad4(off) > size - off)
			return -EINVAL;
		data = off + pad4(off);
		if (filesize > size - data)
			return -EINVAL;
		off = data + filesize;
		/* The last entry of an archive without a trailer may be
		 * unpadded. */
		off += MIN(pad4(off), size - off);

		if ((mode & S_IFMT) != S_IFREG)
			continue;

		*cursor = off;
		if (namesize > 3 && name[0] == '.' && name[1] == '/') {
			name += 2;
			namesize -= 2;
		}
		f->name = name;
		f->namelen = namesize - 1;
		f->data = base + data;
		f->size = filesize;
		f->mode = mode;
		return 1;
	}
}

int cpio_find(const void *archive, size_t size, const char *name,
	      struct cpio_file *f)
{
	size_t cursor = 0, len;
	struct cpio_file cur;
	int ret;

	if (name[0] == '.' && name[1] == '/')
		name += 2;
	else if (name[0] == '/')
		name++;
	len = strlen(name);

	while ((ret = cpio_next(archive, size, &cursor, &cur)) > 0) {
		if (cur.namelen == len && memcmp(cur.name, name, len) == 0) {
			*f = cur;
			return 0;
		}
	}
	return ret < 0 ? ret : -ENOENT;
}
