/* Range checks in front of the arch's fault-tolerant copy. */
#include <arch/arch.h>
#include <mm/uaccess.h>
#include <uapi/ferry/errno.h>

/*
 * Linux's access_ok (asm-generic/access_ok.h): [p, p+n) ends at or below
 * USER_TOP, so an empty range at USER_TOP itself is fine, as on Linux
 * (write(1, 0x7ffffffff000, 0) is 0 there).
 */
bool user_range_ok(const void __user *p, size_t n)
{
	u64 a = (u64)p;

	return n <= USER_TOP && a <= USER_TOP - n;
}

int copy_from_user(void *dst, const void __user *src, size_t n)
{
	if (unlikely(!user_range_ok(src, n)))
		return -EFAULT;
	return n ? arch_copy_from_user(dst, src, n) : 0;
}

int copy_to_user(void __user *dst, const void *src, size_t n)
{
	if (unlikely(!user_range_ok(dst, n)))
		return -EFAULT;
	return n ? arch_copy_to_user(dst, src, n) : 0;
}

long strncpy_from_user(char *dst, const char __user *src, size_t max)
{
	for (size_t i = 0; i < max; i++) {
		if (copy_from_user(&dst[i], src + i, 1))
			return -EFAULT;
		if (dst[i] == '\0')
			return (long)i;
	}
	if (max)
		dst[max - 1] = '\0';
	return -ENAMETOOLONG;
}
