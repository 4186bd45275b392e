/*
 * getrandom(2) over the kernel's generator (lib/random.c), as Linux 6.1
 * answers it (drivers/char/random.c, measured with linux-ref).
 */
#include <lib/random.h>
#include <lib/string.h>
#include <mm/uaccess.h>
#include <sched/sched.h>
#include <syscall/linux/linux.h>
#include <uapi/ferry/errno.h>

#define GRND_NONBLOCK 0x1
#define GRND_RANDOM 0x2
#define GRND_INSECURE 0x4
/* INT_MAX rounded down to a page: Linux's cap on one read or write. */
#define MAX_RW_COUNT 0x7ffff000ul
#define PIECE 1024

/*
 * Fills buf with len random bytes; returns how many (len capped at
 * MAX_RW_COUNT). The generator is seeded before the first process runs,
 * so no call ever blocks and GRND_NONBLOCK, GRND_RANDOM and
 * GRND_INSECURE change nothing. flags is a C unsigned int (the high half
 * of the register is ignored). Errors: -EINVAL for an unknown flag or
 * GRND_INSECURE with GRND_RANDOM; -EFAULT if the range leaves user space
 * or nothing could be written; a fault part way returns the bytes
 * written before it (pieces never cross a page, so that count is exact).
 * Long requests have a preemption point per piece; a thread killed
 * meanwhile stops there.
 */
long linux_getrandom(void __user *buf, u64 len, u64 flags)
{
	u32 fl = (u32)flags;
	char tmp[PIECE];
	u64 done = 0;
	long ret = 0;

	if (fl & ~(u32)(GRND_NONBLOCK | GRND_RANDOM | GRND_INSECURE))
		return -EINVAL;
	if ((fl & (GRND_INSECURE | GRND_RANDOM)) ==
	    (GRND_INSECURE | GRND_RANDOM))
		return -EINVAL;
	len = MIN(len, MAX_RW_COUNT);
	if (!user_range_ok(buf, len))
		return -EFAULT;
	while (done < len) {
		u64 at = (u64)buf + done;
		size_t n =
			MIN(len - done, MIN(PIECE, PAGE_SIZE - at % PAGE_SIZE));

		random_bytes(tmp, n);
		ret = copy_to_user((char __user *)buf + done, tmp, n);
		if (ret)
			break;
		done += n;
		ret = sched_preempt_point();
		if (ret)
			break;
	}
	memset(tmp, 0, sizeof(tmp));
	return done ? (long)done : ret;
}
