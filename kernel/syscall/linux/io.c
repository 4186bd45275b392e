/*
 * Console file descriptors: 0 reads the console, 1 and 2 write it. Files
 * come from the file server in a later issue; other fds are -EBADF.
 */
#include <lib/console.h>
#include <mm/uaccess.h>
#include <mm/vmspace.h>
#include <object/cap_group.h>
#include <object/thread.h>
#include <sched/sched.h>
#include <syscall/linux/linux.h>
#include <uapi/ferry/errno.h>

/* Console bytes per preemption point: 2-4 us each under TCG. */
#define CHUNK 128
#define IOV_MAX 1024
#define TIOCGWINSZ 0x5413

struct iovec_user {
	u64 base, len;
};

static long console_write_user(const char __user *buf, u64 len)
{
	char tmp[CHUNK];

	if (!user_range_ok(buf, len))
		return -EFAULT;
	for (u64 done = 0; done < len;) {
		size_t n = MIN(len - done, CHUNK);

		if (copy_from_user(tmp, buf + done, n))
			return done ? (long)done : -EFAULT;
		console_write(tmp, n);
		done += n;
		/* Killed part way: report what was written, then die. */
		if (done < len && sched_preempt_point())
			return (long)done;
	}
	return (long)len;
}

long linux_write(u64 fd, const void __user *buf, u64 len)
{
	if (fd != 1 && fd != 2)
		return -EBADF;
	return console_write_user(buf, len);
}

long linux_read(u64 fd, void __user *buf, u64 len)
{
	if (fd != 0)
		return -EBADF;
	/* Check before blocking: a bad buffer must not wait for input. */
	if (!vmspace_range_ok(current->group->vmspace, (u64)buf, len, VM_WRITE))
		return -EFAULT;
	return console_read_user(buf, len);
}

static long do_iov(u64 fd, const void __user *uiov, u64 cnt, bool write)
{
	const struct iovec_user __user *iov = uiov;
	long total = 0;

	if (cnt > IOV_MAX)
		return -EINVAL;
	if (write ? (fd != 1 && fd != 2) : fd != 0)
		return -EBADF;
	/* Like Linux, refuse a bad segment before moving any data. */
	for (u64 i = 0; i < cnt; i++) {
		struct iovec_user v;

		if (copy_from_user(&v, &iov[i], sizeof(v)))
			return -EFAULT;
		if (!user_range_ok((void __user *)v.base, v.len))
			return -EFAULT;
	}
	for (u64 i = 0; i < cnt; i++) {
		struct iovec_user v;
		long r;

		if (copy_from_user(&v, &iov[i], sizeof(v)))
			return -EFAULT;
		if (v.len == 0)
			continue;
		r = write ? console_write_user((void __user *)v.base, v.len)
			  : linux_read(fd, (void __user *)v.base, v.len);
		if (r < 0)
			return total ? total : r;
		total += r;
		if (!write)
			break; /* a console read returns one line */
	}
	return total;
}

long linux_writev(u64 fd, const void __user *iov, u64 cnt)
{
	return do_iov(fd, iov, cnt, true);
}

long linux_readv(u64 fd, const void __user *iov, u64 cnt)
{
	return do_iov(fd, iov, cnt, false);
}

/*
 * musl asks TIOCGWINSZ to decide whether stdout is a terminal (then it
 * line-buffers). The console is one, so fds 0-2 answer 80x24.
 */
long linux_ioctl(u64 fd, u64 req, u64 arg)
{
	struct {
		u16 row, col, xpixel, ypixel;
	} ws = {24, 80, 0, 0};

	if (fd > 2)
		return -EBADF;
	if (req != TIOCGWINSZ)
		return -ENOTTY;
	return copy_to_user((void __user *)arg, &ws, sizeof(ws));
}
