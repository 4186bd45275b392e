/*
 * The initrd's file names as an array, read through the file server
 * (user/lib/initrd.c). Shared by
 * init (which runs every "tests/" program) and the shell's `ls`.
 */
#ifndef FERRY_INITRD_H
#define FERRY_INITRD_H

#include <stddef.h>

struct fy_names {
	char *buf;    /* the names back to back, each NUL-terminated */
	char **names; /* pointers into buf, in archive order */
	size_t count;
};

#include <uapi/ferry/cap.h>

/*
 * Fills *out (heap memory) from the file server named "fs" in our
 * initial capabilities (fy_initrd_names_from: that server's thread).
 * Returns 0 or a negative errno (-ENOENT: no "fs").
 */
long fy_initrd_names(struct fy_names *out);
long fy_initrd_names_from(cap_t server, struct fy_names *out);
void fy_names_sort(struct fy_names *names);
void fy_names_free(struct fy_names *names);

#endif
