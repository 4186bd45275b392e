/*
 * The initrd's file names as an array, from SYS_initrd_list. Shared by
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

/* Fills *out (heap memory). Returns 0 or a negative errno. */
long fy_initrd_names(struct fy_names *out);
void fy_names_sort(struct fy_names *names);
void fy_names_free(struct fy_names *names);

#endif
