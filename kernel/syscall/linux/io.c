/*
 * Console file descriptors: 0 reads the console, 1 and 2 write it. Files
 * come from the file server in a later issue; other fds are -EBADF.
 */
#include <lib/console.h>
#include <mm/uaccess.h>
#include <syscall/linux/linux.h>
#include <uapi/ferry/errno.h>

#define CHUNK 256
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
	}
	return (long)len;
}

long linux_write(u64 fd, const void __user *buf, u64 len)
{
	if (fd != 1 && fd != 2)
		return fd == 0 ? -EBADF : -EBADF;
	return console_write_user(buf, len);
}

long linux_read(u64 fd, void __user *buf, u64 len)
{
	if (fd != 0)
		return -EBADF;
	if (!user_range_ok(buf, len))
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

/* TIOCGWINSZ says "not a terminal", so musl does full buffering? no:
 * musl only checks the call succeeds to pick line buffering for stdout;
 * -ENOTTY gives full buffering, flushed at exit. We answer with a 80x24
 * size for fds 0-2 so interactive programs line-buffer like on Linux. */
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
