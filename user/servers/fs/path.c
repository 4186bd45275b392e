/*
 * Path normalisation: a client's path, untrusted bytes, is copied once
 * and cut into components from the root; "" and "." drop out here, ".."
 * stays for the walk (lookup.c), which checks, as Linux does, that what
 * it leaves is a directory.
 */
#include <string.h>

#include "fs.h"

int fs_path_parse(const char *in, size_t len, struct fs_path *out)
{
	size_t i = 0;

	out->n = 0;
	out->must_dir = out->last_dot = false;
	if (len == 0)
		return -ENOENT; /* Linux: "" is ENOENT */
	if (len >= FS_PATH_MAX)
		return -ENAMETOOLONG;
	/* One copy: the client may change its bytes while we look. */
	memcpy(out->buf, in, len);
	if (memchr(out->buf, '\0', len))
		return -EINVAL;
	while (i < len) {
		size_t start, n;

		while (i < len && out->buf[i] == '/')
			i++;
		if (i == len) {
			out->must_dir = true; /* a trailing "/" */
			break;
		}
		start = i;
		while (i < len && out->buf[i] != '/')
			i++;
		n = i - start;
		if (n > FS_NAME_MAX)
			return -ENAMETOOLONG;
		out->must_dir = out->last_dot = false;
		if (n == 1 && out->buf[start] == '.') {
			out->must_dir = out->last_dot = true;
			continue;
		}
		if (n == 2 && !memcmp(out->buf + start, "..", 2))
			out->must_dir = out->last_dot = true;
		/* len < FS_PATH_MAX, so at most FS_PATH_MAX / 2 of them. */
		out->comp[out->n] = out->buf + start;
		out->len[out->n] = (uint8_t)n;
		out->n++;
	}
	if (out->n == 0)
		out->must_dir = true; /* the root */
	return 0;
}

bool fs_path_is_dotdot(const struct fs_path *p, int i)
{
	return p->len[i] == 2 && p->comp[i][0] == '.' && p->comp[i][1] == '.';
}
