/*
 * The only way the kernel touches user memory. Every user pointer is
 * range-checked against the user half and copied with fault recovery:
 * a bad address yields -EFAULT, never a kernel fault.
 */
#ifndef KERNEL_MM_UACCESS_H
#define KERNEL_MM_UACCESS_H

#include <lib/types.h>

bool user_range_ok(const void __user *p, size_t n);
int copy_from_user(void *dst, const void __user *src, size_t n);
int copy_to_user(void __user *dst, const void *src, size_t n);
/*
 * Copies a NUL-terminated string of at most max-1 characters. Returns its
 * length, -EFAULT, or -ENAMETOOLONG if no NUL comes within max bytes.
 */
long strncpy_from_user(char *dst, const char __user *src, size_t max);

#endif
