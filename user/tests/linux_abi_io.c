/*
 * Linux console I/O as a table of (arguments, Linux 6.1's answer): read,
 * readv, write, writev and ioctl with good, unmapped, read-only,
 * inaccessible and kernel buffers and iovecs. fds 0-2 are one terminal
 * opened read-write, as a login shell leaves them. Nothing here waits for
 * input: every read fails or moves no data. Run unmodified under Linux by
 * tools/linux-ref-tests.sh.
 */
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/uio.h>

#include "linux_abi.h"

#define AREA                                                                   \
	0x310000000l /* page 0: text, 1: read-only text, 2: none, 3: gone */
#define TEXT AREA
#define RO (AREA + PG)
#define NOACC (AREA + 2 * PG)
#define GONE (AREA + 3 * PG)

static long wr(long fd, long buf, long len)
{
	return lx3(SYS_write, fd, buf, len);
}

static long wrv(long fd, const struct iovec *iov, long n)
{
	return lx3(SYS_writev, fd, iov, n);
}

/* Fills [p, p+n) with "# ..." lines, so what reaches the console is TAP. */
static void fill_lines(char *p, long n)
{
	for (long i = 0; i < n; i++)
		p[i] = (i % 64 == 0) ? '#' : (i % 64 == 63) ? '\n' : ' ';
}

static int setup(void)
{
	if (lx6(SYS_mmap, AREA, 4 * PG, PROT_READ | PROT_WRITE,
		MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) != AREA)
		return -1;
	fill_lines((char *)TEXT, 2 * PG);
	lx3(SYS_mprotect, RO, PG, PROT_READ);
	lx3(SYS_mprotect, NOACC, PG, PROT_NONE);
	lx2(SYS_munmap, GONE, PG);
	return 0;
}

/* write(2): EBADF, EFAULT ("buf is outside your accessible address space"). */
static void test_write(void)
{
	static const char line[] = "# linux_abi_io: write\n";
	long n = sizeof(line) - 1;

	tap_eq(wr(1, (long)line, n), n, "write(1, line): its length");
	tap_eq(wr(2, (long)line, n), n, "write(2, line): its length");
	tap_eq(wr(0, (long)line, n), n, "write(0, line): the terminal is rw");
	tap_eq(wr(1, (long)line, 0), 0, "write of 0 bytes: 0");
	tap_eq(wr(1, 0, 0), 0, "write of 0 bytes from NULL: 0");
	tap_eq(wr(1, KERNEL_ADDR, 0), -EFAULT,
	       "write of 0 bytes from the kernel half: -EFAULT");
	/* access_ok: addr <= TASK_SIZE_MAX - size, so size 0 may end there. */
	tap_eq(wr(1, TASK_END, 0), 0, "write of 0 bytes at TASK_SIZE_MAX: 0");
	tap_eq(wr(1, TASK_END + 1, 0), -EFAULT,
	       "write of 0 bytes just past TASK_SIZE_MAX: -EFAULT");
	tap_eq(wr(1, TASK_END - 1, 1), -EFAULT,
	       "write of the byte below TASK_SIZE_MAX (unmapped): -EFAULT");
	tap_eq(wr(1, 0, 5), -EFAULT, "write from NULL: -EFAULT");
	tap_eq(wr(1, KERNEL_ADDR, 5), -EFAULT,
	       "write from the kernel: -EFAULT");
	tap_eq(wr(1, GONE, 5), -EFAULT, "write from an unmapped page: -EFAULT");
	tap_eq(wr(1, NOACC, 5), -EFAULT,
	       "write from a PROT_NONE page: -EFAULT");
	tap_eq(wr(1, RO, 64), 64, "write from a read-only page: 64");
	tap_eq(wr(1, (long)line, -1), -EFAULT, "write of length -1: -EFAULT");
	tap_eq(wr(1, (long)line, 1l << 62), -EFAULT,
	       "write of length 2^62: -EFAULT");
	tap_eq(wr(3, (long)line, n), -EBADF, "write(3): -EBADF");
	tap_eq(wr(-1, (long)line, n), -EBADF, "write(-1): -EBADF");
	tap_eq(wr(1l << 32 | 1, (long)line, n), n,
	       "write(1 | 1 << 32): fd is an int, so fd 1");
	tap_eq(wr(3, KERNEL_ADDR, 5), -EBADF, "write(3, kernel): -EBADF first");
	/* The tty writes in 2048-byte chunks, each copied in before output. */
	tap_eq(wr(1, RO - 64, 128), 128,
	       "write across text and read-only: 128");
	tap_eq(wr(1, NOACC - 64, 70), -EFAULT,
	       "64 good bytes then PROT_NONE: -EFAULT, nothing written");
	tap_eq(wr(1, NOACC - 2112, 2120), 2048,
	       "2120 bytes, the last 8 inaccessible: the first chunk, 2048");
	tap_eq(wr(1, NOACC - 4160, 4164), 4096,
	       "4164 bytes, the last 4 inaccessible: two chunks, 4096");
	tap_eq(wr(1, NOACC - 2040, 2048), -EFAULT,
	       "2048 bytes, the last 8 inaccessible: -EFAULT");
	tap_eq(wr(1, GONE - 64, 128), -EFAULT,
	       "64 bytes of PROT_NONE then unmapped: -EFAULT");
}

/* writev(2): EINVAL for iovcnt or a negative iov_len; then as write. */
static void test_writev(void)
{
	static char a[] = "# linux_abi_io: writev\n", b[] = "# second part\n";
	static struct iovec many[1025];
	struct iovec v[3];
	long la = sizeof(a) - 1, lb = sizeof(b) - 1;

	v[0] = (struct iovec){a, la};
	v[1] = (struct iovec){b, lb};
	v[2] = (struct iovec){NULL, 0};
	tap_eq(wrv(1, v, 3), la + lb, "two parts and an empty one: the sum");
	tap_eq(wrv(1, v, 0), 0, "no iovecs: 0");
	tap_eq(wrv(1, NULL, 0), 0, "no iovecs at NULL: 0");
	tap_eq(wrv(1, (void *)KERNEL_ADDR, 1), -EFAULT,
	       "iovec array in the kernel: -EFAULT");
	tap_eq(wrv(1, (void *)GONE, 1), -EFAULT,
	       "iovec array unmapped: -EFAULT");
	tap_eq(wrv(1, (void *)(GONE - 8), 1), -EFAULT,
	       "iovec array half unmapped: -EFAULT");
	tap_eq(wrv(1, v, -1), -EINVAL, "iovcnt -1: -EINVAL");
	tap_eq(wrv(1, v, 1025), -EINVAL, "iovcnt 1025: -EINVAL");
	tap_eq(wrv(1, many, 1024), 0, "1024 empty iovecs: 0");
	tap_eq(wrv(9, (void *)KERNEL_ADDR, 1025), -EBADF,
	       "bad fd and bad everything: -EBADF first");
	tap_eq(wrv(1, (void *)KERNEL_ADDR, 1025), -EINVAL,
	       "bad iovcnt before the array is read: -EINVAL");
	v[1] = (struct iovec){(void *)GONE, 4};
	tap_eq(wrv(1, v, 2), -EFAULT,
	       "[good, 6], [unmapped, 4]: -EFAULT, nothing written");
	v[1] = (struct iovec){(void *)KERNEL_ADDR, 4};
	tap_eq(wrv(1, v, 2), -EFAULT, "[good], [kernel, 4]: -EFAULT");
	v[1] = (struct iovec){(void *)NOACC, 4};
	tap_eq(wrv(1, v, 2), -EFAULT, "[good], [PROT_NONE, 4]: -EFAULT");
	v[1] = (struct iovec){b, -1};
	tap_eq(wrv(1, v, 2), -EINVAL, "[good], [good, -1]: -EINVAL");
	v[1] = (struct iovec){b, 1l << 62};
	tap_eq(wrv(1, v, 2), -EFAULT, "[good], [good, 2^62]: -EFAULT");
	v[1] = (struct iovec){(void *)GONE, 0};
	tap_eq(wrv(1, v, 2), la, "[good], [unmapped, 0]: the first part");
	v[1] = (struct iovec){(void *)KERNEL_ADDR, 0};
	tap_eq(wrv(1, v, 2), -EFAULT, "[good], [kernel, 0]: -EFAULT");
	v[1] = (struct iovec){(void *)TASK_END, 0};
	tap_eq(wrv(1, v, 2), la, "[good], [TASK_SIZE_MAX, 0]: the first part");
	v[1] = (struct iovec){(void *)(TASK_END + 1), 0};
	tap_eq(wrv(1, v, 2), -EFAULT,
	       "[good], [TASK_SIZE_MAX + 1, 0]: -EFAULT");
	v[0] = (struct iovec){(void *)(RO - 1984), 1984};
	v[1] = (struct iovec){(void *)(NOACC - 128), 168};
	tap_eq(wrv(1, v, 2), 2048,
	       "1984 good, then 128 good and 40 inaccessible: one chunk, 2048");
	v[0] = (struct iovec){(void *)TEXT, 64};
	v[1] = (struct iovec){(void *)RO, 64};
	tap_eq(wrv(1, v, 2), 128, "text and read-only parts: 128");
}

/* read(2)/readv(2): errors that come before any wait for input. */
static void test_read(void)
{
	char buf[8];
	struct iovec v[2] = {{buf, sizeof(buf)}, {buf, sizeof(buf)}};

	tap_eq(lx3(SYS_read, 5, buf, 8), -EBADF, "read(5): -EBADF");
	tap_eq(lx3(SYS_read, -1, buf, 8), -EBADF, "read(-1): -EBADF");
	tap_eq(lx3(SYS_read, 0, KERNEL_ADDR, 8), -EFAULT,
	       "read into the kernel: -EFAULT");
	tap_eq(lx3(SYS_read, 0, buf, -1), -EFAULT,
	       "read of length -1: -EFAULT");
	tap_eq(lx3(SYS_read, 0, buf, 0), 0, "read of 0 bytes: 0");
	tap_eq(lx3(SYS_read, 0, TASK_END, 0), 0,
	       "read of 0 bytes at TASK_SIZE_MAX: 0 (access_ok)");
	tap_eq(lx3(SYS_read, 0, TASK_END + 1, 0), -EFAULT,
	       "read of 0 bytes past TASK_SIZE_MAX: -EFAULT");
	tap_eq(lx3(SYS_readv, 0, v, 0), 0, "readv of no iovecs: 0");
	tap_eq(lx3(SYS_readv, 5, v, 1), -EBADF, "readv(5): -EBADF");
	tap_eq(lx3(SYS_readv, 0, v, -1), -EINVAL, "readv iovcnt -1: -EINVAL");
	tap_eq(lx3(SYS_readv, 0, v, 1025), -EINVAL,
	       "readv iovcnt 1025: -EINVAL");
	tap_eq(lx3(SYS_readv, 0, KERNEL_ADDR, 1), -EFAULT,
	       "readv iovec array in the kernel: -EFAULT");
	tap_eq(lx3(SYS_readv, 0, GONE, 1), -EFAULT,
	       "readv iovec array unmapped: -EFAULT");
	v[1] = (struct iovec){(void *)KERNEL_ADDR, 8};
	tap_eq(lx3(SYS_readv, 0, v, 2), -EFAULT,
	       "readv [good], [kernel]: -EFAULT");
	v[1] = (struct iovec){buf, -1};
	tap_eq(lx3(SYS_readv, 0, v, 2), -EINVAL,
	       "readv [good], [good, -1]: -EINVAL");
}

/* ioctl(1, TIOCGWINSZ) into p. */
static long get_winsize(long p)
{
	return lx3(SYS_ioctl, 1, TIOCGWINSZ, p);
}

/* ioctl(2): EBADF, ENOTTY ("request does not apply"), EFAULT. */
static void test_ioctl(void)
{
	struct winsize ws;

	tap_eq(lx3(SYS_ioctl, 0, TIOCGWINSZ, &ws), 0, "TIOCGWINSZ on fd 0");
	tap_eq(lx3(SYS_ioctl, 1, TIOCGWINSZ, &ws), 0, "TIOCGWINSZ on fd 1");
	tap_eq(lx3(SYS_ioctl, 2, TIOCGWINSZ, &ws), 0, "TIOCGWINSZ on fd 2");
	tap_eq(lx3(SYS_ioctl, 1l << 32 | 1, TIOCGWINSZ, &ws), 0,
	       "TIOCGWINSZ on fd 1 | 1 << 32 (an int: fd 1)");
	tap_eq(lx3(SYS_ioctl, 3, TIOCGWINSZ, &ws), -EBADF, "fd 3: -EBADF");
	tap_eq(lx3(SYS_ioctl, -1, TIOCGWINSZ, &ws), -EBADF, "fd -1: -EBADF");
	tap_eq(lx3(SYS_ioctl, 99, 0x12345678, 0), -EBADF,
	       "fd 99, unknown request: -EBADF first");
	tap_eq(lx3(SYS_ioctl, 1, 0x12345678, 0), -ENOTTY,
	       "unknown request: -ENOTTY");
	tap_efault_out(get_winsize, GONE, RO, 4, "TIOCGWINSZ ");
}

int main(void)
{
	if (setup()) {
		tap_ok(0, "map the test area");
		return tap_done();
	}
	test_write();
	test_writev();
	test_read();
	test_ioctl();
	lx2(SYS_munmap, AREA, 4 * PG);
	return tap_done();
}
