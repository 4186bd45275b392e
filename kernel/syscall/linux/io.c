/*
 * Console file descriptors: 0, 1 and 2 are one terminal opened read-write,
 * as a login shell leaves them (and as Linux's init gives /dev/console).
 * Files come from the file server in a later issue; other fds are -EBADF.
 *
 * Linux's order of checks (fs/read_write.c, lib/iov_iter.c) is kept: the
 * fd, then the iovec count, each iov_len (-EINVAL if negative), each
 * range (access_ok: in user space, -EFAULT, whether mapped or not), then
 * the data moves. A terminal write goes in 2048-byte chunks
 * (drivers/tty/tty_io.c, iterate_tty_write): each chunk is copied in
 * whole before any of it is written, so a fault writes nothing of its
 * chunk and the call returns what earlier chunks wrote, or -EFAULT.
 * user/tests/linux_abi_io.c holds the table, checked against Linux 6.1.
 *
 * A process with a console connection has fds 0-2 served by that
 * server (forward.c): the checks here are the same, the data moves by
 * kernel-made calls, and such a syscall restarts once per round.
 */
#include <lib/console.h>
#include <mm/kmalloc.h>
#include <mm/uaccess.h>
#include <mm/vmspace.h>
#include <object/cap_group.h>
#include <object/thread.h>
#include <sched/sched.h>
#include <syscall/linux/forward.h>
#include <syscall/linux/linux.h>
#include <uapi/ferry/errno.h>
#include <uapi/ferry/proto/console.h>

/* Linux's tty layer copies a write in chunks of this many bytes. */
#define TTY_CHUNK 2048
#define UIO_MAXIOV 1024
#define MAX_RW_COUNT 0x7ffff000ul /* INT_MAX rounded down to a page */
#define TIOCGWINSZ 0x5413

/* Linux's struct winsize, as user space lays it out. */
struct winsize_user {
	u16 row, col, xpixel, ypixel;
};
_Static_assert(sizeof(struct winsize_user) == 8, "Linux winsize is 8 bytes");

/* fd is an int in Linux's prototypes: the high half is not looked at. */
static bool console_fd(u64 fd)
{
	return (u32)fd <= 2;
}

/*
 * Writes the iovecs (already checked by access_ok rules) to the console,
 * total bytes in all, chunk by chunk. Returns the bytes written, or
 * -EFAULT if the first chunk could not be copied in.
 */
static long console_write_iov(const struct iovec_user *iov, u64 cnt, u64 total)
{
	char chunk[TTY_CHUNK];
	u64 seg = 0, off = 0, written = 0;

	while (written < total) {
		size_t n = MIN(total - written, (u64)TTY_CHUNK), got = 0, out;

		while (got < n && seg < cnt) {
			size_t take = MIN(n - got, iov[seg].len - off);

			if (take &&
			    copy_from_user(chunk + got,
					   (const char __user *)iov[seg].base +
						   off,
					   take))
				return written ? (long)written : -EFAULT;
			got += take;
			off += take;
			if (off == iov[seg].len) {
				seg++;
				off = 0;
			}
		}
		/* Killed part way: report what was written. */
		if (console_write_preemptible(chunk, got, &out))
			return (long)(written + out);
		written += got;
	}
	return (long)written;
}

long linux_write(u64 fd, const void __user *buf, u64 len)
{
	struct iovec_user v = {(u64)buf, MIN(len, MAX_RW_COUNT)};

	if (!console_fd(fd))
		return -EBADF;
	if (!user_range_ok(buf, len))
		return -EFAULT;
	if (fwd_console()) {
		struct fwd_round rd;
		long ret = fwd_write(&v, 1, v.len, &rd);

		if (rd.call)
			fwd_call(&rd);
		return ret;
	}
	return console_write_iov(&v, 1, v.len);
}

long linux_read(u64 fd, void __user *buf, u64 len)
{
	if (!console_fd(fd))
		return -EBADF;
	if (!user_range_ok(buf, len))
		return -EFAULT;
	if (len == 0)
		return 0;
	/*
	 * Ferry checks the pages before waiting, where Linux would wait and
	 * then fail: a bad buffer must not block for input.
	 */
	if (!vmspace_range_ok(current->group->vmspace, (u64)buf, len, VM_WRITE))
		return -EFAULT;
	if (fwd_console()) {
		struct fwd_round rd;
		long ret = fwd_read(buf, MIN(len, MAX_RW_COUNT), &rd);

		if (rd.call)
			fwd_call(&rd);
		return ret;
	}
	return console_read_user(buf, MIN(len, MAX_RW_COUNT));
}

/*
 * Copies the iovec array in and checks it as import_iovec() does. Returns
 * the total length (clamped to MAX_RW_COUNT) and the kernel copy in *out,
 * which the caller frees even when the total is 0 (NULL for cnt 0); or
 * -EINVAL, -EFAULT, -ENOMEM with nothing to free.
 */
static long import_iovec(const void __user *uiov, u64 cnt,
			 struct iovec_user **out)
{
	struct iovec_user *iov;
	u64 total = 0;

	*out = NULL;
	if (cnt > UIO_MAXIOV)
		return -EINVAL;
	if (cnt == 0)
		return 0;
	iov = kmalloc(cnt * sizeof(*iov));
	if (!iov)
		return -ENOMEM;
	if (copy_from_user(iov, uiov, cnt * sizeof(*iov))) {
		kfree(iov);
		return -EFAULT;
	}
	for (u64 i = 0; i < cnt; i++) {
		if ((s64)iov[i].len < 0) {
			kfree(iov);
			return -EINVAL;
		}
	}
	for (u64 i = 0; i < cnt; i++) {
		if (!user_range_ok((const void __user *)iov[i].base,
				   iov[i].len)) {
			kfree(iov);
			return -EFAULT;
		}
		iov[i].len = MIN(iov[i].len, MAX_RW_COUNT - total);
		total += iov[i].len;
	}
	*out = iov;
	return (long)total;
}

long linux_writev(u64 fd, const void __user *uiov, u64 cnt)
{
	struct iovec_user *iov;
	long total, ret;

	if (!console_fd(fd))
		return -EBADF;
	total = import_iovec(uiov, cnt, &iov);
	if (total < 0)
		return total;
	if (fwd_console()) {
		struct fwd_round rd;

		ret = fwd_write(iov, cnt, (u64)total, &rd);
		kfree(iov); /* a kcall does not return: free it first */
		if (rd.call)
			fwd_call(&rd);
		return ret;
	}
	ret = console_write_iov(iov, cnt, (u64)total);
	kfree(iov);
	return ret;
}

/* A console read returns one line: it fills the first non-empty iovec. */
long linux_readv(u64 fd, const void __user *uiov, u64 cnt)
{
	struct iovec_user *iov, first = {0, 0};
	long total;

	if (!console_fd(fd))
		return -EBADF;
	total = import_iovec(uiov, cnt, &iov);
	if (total < 0)
		return total;
	for (u64 i = 0; i < cnt && total; i++) {
		if (iov[i].len) {
			first = iov[i];
			break;
		}
	}
	/* Freed first: a forwarded read does not return here. */
	kfree(iov);
	if (!first.len)
		return 0;
	return linux_read(fd, (void __user *)first.base, first.len);
}

/*
 * musl asks TIOCGWINSZ to decide whether stdout is a terminal (then it
 * line-buffers). The console is one, so fds 0-2 answer 80x24; other
 * requests are -ENOTTY, as a tty answers one it does not know.
 */
long linux_ioctl(u64 fd, u64 req, u64 arg)
{
	struct winsize_user ws = {24, 80, 0, 0};

	if (!console_fd(fd))
		return -EBADF;
	if ((u32)req == CONSOLE_IOCTL_SETFG && fwd_console()) {
		struct fwd_round rd;
		long ret = fwd_setfg(arg, &rd);

		if (rd.call)
			fwd_call(&rd);
		return ret;
	}
	if ((u32)req != TIOCGWINSZ)
		return -ENOTTY;
	if (fwd_console()) {
		struct fwd_round rd;
		long ret = fwd_winsz(&rd);

		if (rd.call) {
			fwd_call(&rd);
			return ret; /* it waited: the ioctl is issued again */
		}
		if (ret < 0)
			return ret;
		ws.row = (u16)(ret >> 16);
		ws.col = (u16)ret;
	}
	return copy_to_user((void __user *)arg, &ws, sizeof(ws));
}
