/*
 * SYS_initrd_list writes as many names as fit and returns the size the
 * whole list needs, so a too-small first guess is corrected by one retry
 * with the exact size.
 */
#include <stdlib.h>
#include <string.h>

#include <ferry/ferry.h>
#include <ferry/initrd.h>

static long list_all(char **bufp, size_t *lenp)
{
	size_t len = 4096;

	for (int tries = 0; tries < 4; tries++) {
		char *buf = malloc(len);
		long total;

		if (!buf)
			return -ENOMEM;
		total = fy_initrd_list(buf, len);
		if (total < 0) {
			free(buf);
			return total;
		}
		if ((size_t)total <= len) {
			*bufp = buf;
			*lenp = (size_t)total;
			return 0;
		}
		free(buf);
		len = (size_t)total;
	}
	return -EAGAIN; /* the list keeps growing: the initrd is read-only */
}

long fy_initrd_names(struct fy_names *out)
{
	size_t len, n = 0;
	char *buf;
	long err;

	memset(out, 0, sizeof(*out));
	err = list_all(&buf, &len);
	if (err)
		return err;
	for (size_t i = 0; i < len; i++)
		n += buf[i] == '\0';
	out->names = calloc(n ? n : 1, sizeof(char *));
	if (!out->names) {
		free(buf);
		return -ENOMEM;
	}
	for (size_t i = 0; i < len && out->count < n;) {
		out->names[out->count++] = &buf[i];
		i += strnlen(&buf[i], len - i) + 1;
	}
	out->buf = buf;
	return 0;
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
