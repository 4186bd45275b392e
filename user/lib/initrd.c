/*
 * The initrd's file names, read through the file server (docs/fs.md):
 * its tree from / walked depth first, /tmp (the tmpfs) left out, each
 * file named by its path without the leading /, as the archive names it
 * ("tests/syscalls_proc"). The kernel no longer lists the initrd.
 */
#include <stdlib.h>
#include <string.h>

#include <ferry/fs.h>
#include <ferry/initcaps.h>
#include <ferry/initrd.h>

#define DIRBUF 4096
#define DEPTH_MAX 8

struct acc {
	char *buf; /* the names back to back */
	size_t len, cap;
};

static long add(struct acc *a, const char *name, size_t n)
{
	if (a->len + n + 1 > a->cap) {
		size_t cap = a->cap ? a->cap * 2 : 4096;
		char *b;

		while (cap < a->len + n + 1)
			cap *= 2;
		b = realloc(a->buf, cap);
		if (!b)
			return -ENOMEM;
		a->buf = b;
		a->cap = cap;
	}
	memcpy(a->buf + a->len, name, n);
	a->buf[a->len + n] = 0;
	a->len += n + 1;
	return 0;
}

/* The files under directory `dir` ("" is the root), depth first. */
static long walk(struct fy_fs *fs, const char *dir, int depth, struct acc *a)
{
	char path[PATH_MAX_FERRY + 1];
	uint64_t cookie = 0;
	char *ents;
	long h, n, r = 0;

	if (depth > DEPTH_MAX)
		return 0;
	if (strlen(dir) + 2 > sizeof(path))
		return -ENAMETOOLONG;
	strcpy(path, "/");
	strcat(path, dir);
	h = fy_fs_open(fs, path, FS_O_RDONLY | FS_O_DIRECTORY);
	if (h < 0)
		return h;
	ents = malloc(DIRBUF);
	if (!ents) {
		fy_fs_close(fs, (int)h);
		return -ENOMEM;
	}
	while (!r && (n = fy_fs_list(fs, (int)h, &cookie, ents, DIRBUF)) > 0) {
		size_t off = 0;

		for (long i = 0; i < n && !r; i++) {
			const struct fs_dirent *e = (void *)(ents + off);
			char sub[PATH_MAX_FERRY];
			size_t dl = strlen(dir);

			off += e->reclen;
			if (!e->reclen || off > DIRBUF)
				return fy_fs_close(fs, (int)h), free(ents),
				       -EIO;
			if ((e->namelen == 1 && e->name[0] == '.') ||
			    (e->namelen == 2 && !memcmp(e->name, "..", 2)))
				continue;
			if (!dl && e->namelen == 3 &&
			    !memcmp(e->name, "tmp", 3))
				continue; /* the tmpfs, not the initrd */
			if (dl + 1 + e->namelen + 1 > sizeof(sub)) {
				r = -ENAMETOOLONG;
				break;
			}
			memcpy(sub, dir, dl);
			if (dl)
				sub[dl++] = '/';
			memcpy(sub + dl, e->name, e->namelen);
			sub[dl + e->namelen] = 0;
			r = e->type == FS_TYPE_DIR
				    ? walk(fs, sub, depth + 1, a)
				    : add(a, sub, dl + e->namelen);
		}
	}
	if (!r && n < 0)
		r = n;
	free(ents);
	fy_fs_close(fs, (int)h);
	return r;
}

long fy_initrd_names_from(cap_t server, struct fy_names *out)
{
	struct acc a = {0};
	struct fy_fs fs;
	size_t n = 0;
	long err;

	memset(out, 0, sizeof(*out));
	err = fy_fs_connect(server, 0, &fs);
	if (err)
		return err;
	err = walk(&fs, "", 0, &a);
	fy_fs_disconnect(&fs);
	if (err) {
		free(a.buf);
		return err;
	}
	for (size_t i = 0; i < a.len; i++)
		n += a.buf[i] == '\0';
	out->names = calloc(n ? n : 1, sizeof(char *));
	if (!out->names) {
		free(a.buf);
		return -ENOMEM;
	}
	for (size_t i = 0; i < a.len && out->count < n;) {
		out->names[out->count++] = &a.buf[i];
		i += strnlen(&a.buf[i], a.len - i) + 1;
	}
	out->buf = a.buf;
	return 0;
}

long fy_initrd_names(struct fy_names *out)
{
	long fs = fy_initial_cap("fs");

	if (fs < 0) {
		memset(out, 0, sizeof(*out));
		return fs;
	}
	return fy_initrd_names_from((cap_t)fs, out);
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void fy_names_sort(struct fy_names *names)
{
	qsort(names->names, names->count, sizeof(char *), cmp_name);
}

void fy_names_free(struct fy_names *names)
{
	free(names->names);
	free(names->buf);
	memset(names, 0, sizeof(*names));
}
