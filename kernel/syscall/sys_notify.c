/*
 * Notification syscalls: the glue between user arguments and
 * ipc/notification.c (docs/ipc.md "Notifications"). Rights: notify needs
 * WRITE, wait needs READ, so a cap copied with a mask can be made
 * notify-only or wait-only and passed over IPC as such.
 */
#include <ipc/notification.h>
#include <lib/time.h>
#include <mm/uaccess.h>
#include <object/cap_group.h>
#include <object/thread.h>
#include <sched/sched.h>
#include <syscall/native.h>
#include <uapi/ferry/errno.h>

/*
 * A new notification with nothing pending, charged to the caller's
 * memory budget. The new cap (all rights); -ENOMEM (budget, heap or
 * a full cap table).
 */
long sys_notification_create(void)
{
	struct notification *n;
	long ret;

	ret = notification_create(current->group->budget, &n);
	if (ret)
		return ret;
	ret = cap_alloc(current->group, n, CAP_RIGHT_ALL);
	obj_put(n); /* the slot holds it now, or it goes */
	return ret;
}

/*
 * ORs `bits` into the notification `cap` names (WRITE) and wakes one
 * waiter. Never blocks, whatever the receiver does or whether it lives.
 * 0; -EINVAL for bits 0 (it would set nothing and wake nobody: a
 * caller bug we report rather than ignore); -ECAPBILITY.
 */
long sys_notify(u64 cap, u64 bits)
{
	struct notification *n;
	long ret;

	if (unlikely(!bits))
		return -EINVAL;
	ret = cap_get(current->group, cap_arg(cap), OBJ_TYPE_NOTIFICATION,
		      CAP_RIGHT_WRITE, (void **)&n);
	if (ret)
		return ret;
	notification_signal(n, bits);
	obj_put(n);
	return 0;
}

/* now + us microseconds in ns, saturated (a far deadline is none). */
static u64 deadline_after_us(u64 us)
{
	u64 now = time_mono_ns();

	if (us > (~0ull - now) / 1000)
		return ~0ull;
	return now + us * 1000;
}

/*
 * Waits until bits are pending on the notification `cap` names (READ),
 * at most timeout_us microseconds (0: no limit; one 10 ms tick of
 * slack), then writes them all to *bits_out and clears them. Bits sent
 * before the wait are taken at once. Of several waiters the first wakes
 * and takes every bit. 0; -ETIMEDOUT; -EINTR (killed); -ECAPBILITY;
 * -EFAULT (the bits stay pending).
 */
long sys_notification_wait(u64 cap, u64 timeout_us, u64 __user *bits_out)
{
	struct notification *n;
	u64 bits = 0;
	long ret;

	ret = cap_get(current->group, cap_arg(cap), OBJ_TYPE_NOTIFICATION,
		      CAP_RIGHT_READ, (void **)&n);
	if (ret)
		return ret;
	ret = notification_wait(
		n, timeout_us ? deadline_after_us(timeout_us) : 0, &bits);
	if (!ret && copy_to_user(bits_out, &bits, sizeof(bits))) {
		notification_signal(n, bits); /* nothing lost */
		ret = -EFAULT;
	}
	obj_put(n);
	return ret;
}
