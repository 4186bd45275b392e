/*
 * The Linux console calls a static musl program uses: write, writev, read,
 * ioctl(TIOCGWINSZ). Errors are checked on raw syscalls, so what is seen is
 * the kernel's answer and not libc's.
 */
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/uio.h>

#include <ferry/ferry.h>

#include "tap.h"
#include "util.h"

static long sys_write(long fd, const void *buf, long len)
{
	return fy_syscall3(SYS_write, fd, (long)buf, len);
}

static void test_write(void)
{
	long r;
	static const char line[] = "# linux_io: a line through write(1)\n";
	static const char err[] = "# linux_io: a line through write(2)\n";

	tap_eq(sys_write(1, line, sizeof(line) - 1), sizeof(line) - 1,
	       "write(1) returns the length");
	tap_eq(sys_write(2, err, sizeof(err) - 1), sizeof(err) - 1,
	       "write(2) returns the length");
	tap_eq(sys_write(1, line, 0), 0, "write of 0 bytes is 0");
	tap_eq(sys_write(1, NULL, 5), -EFAULT, "write from NULL is -EFAULT");
	tap_eq(sys_write(1, KERNEL_PTR, 5), -EFAULT,
	       "write from a kernel address is -EFAULT");
	tap_eq(sys_write(1, unmapped_ptr(), 5), -EFAULT,
	       "write from an unmapped address is -EFAULT");
	tap_eq(sys_write(99, line, 5), -EBADF, "write to fd 99 is -EBADF");
	tap_eq(sys_write(-1, line, 5), -EBADF, "write to fd -1 is -EBADF");
	r = sys_write(1, line, -1);
	tap_ok(r == -EFAULT || r == -EINVAL,
	       "write with length ~0 is -EFAULT or -EINVAL (%ld)", r);
}

static void test_writev(void)
{
	static char a[] = "# linux_io: writev ", b[] = "in two parts\n";
	struct iovec iov[3] = {
		{a, sizeof(a) - 1}, {b, sizeof(b) - 1}, {NULL, 0}};
	struct iovec bad[2] = {{a, sizeof(a) - 1}, {KERNEL_PTR, 4}};

	tap_eq(fy_syscall3(SYS_writev, 1, (long)iov, 3),
	       sizeof(a) + sizeof(b) - 2,
	       "writev returns the sum of the lengths (with an empty iovec)");
	tap_eq(fy_syscall3(SYS_writev, 1, (long)iov, 0), 0,
	       "writev of no iovecs is 0");
	tap_eq(fy_syscall3(SYS_writev, 1, (long)KERNEL_PTR, 2), -EFAULT,
	       "writev with a kernel iovec array is -EFAULT");
	tap_eq(fy_syscall3(SYS_writev, 1, (long)unmapped_ptr(), 2), -EFAULT,
	       "writev with an unmapped iovec array is -EFAULT");
	tap_eq(fy_syscall3(SYS_writev, 1, (long)bad, 2), -EFAULT,
	       "writev with a kernel buffer in the second iovec is -EFAULT");
	tap_eq(fy_syscall3(SYS_writev, 1, (long)iov, -1), -EINVAL,
	       "writev with count -1 is -EINVAL");
	tap_eq(fy_syscall3(SYS_writev, 1, (long)iov, 100000), -EINVAL,
	       "writev with count 100000 (> IOV_MAX) is -EINVAL");
	tap_eq(fy_syscall3(SYS_writev, 77, (long)iov, 2), -EBADF,
	       "writev to fd 77 is -EBADF");
}

static void test_ioctl(void)
{
	struct winsize ws;
	long r;

	memset(&ws, 0xff, sizeof(ws));
	tap_eq(fy_syscall3(SYS_ioctl, 1, TIOCGWINSZ, (long)&ws), 0,
	       "ioctl(1, TIOCGWINSZ) succeeds on the console");
	tap_ok(ws.ws_row != 0xffff && ws.ws_col != 0xffff,
	       "and fills in the size (%u x %u)", ws.ws_col, ws.ws_row);
	tap_eq(fy_syscall3(SYS_ioctl, 1, TIOCGWINSZ, (long)KERNEL_PTR), -EFAULT,
	       "ioctl(TIOCGWINSZ) into the kernel is -EFAULT");
	tap_eq(fy_syscall3(SYS_ioctl, 55, TIOCGWINSZ, (long)&ws), -EBADF,
	       "ioctl on fd 55 is -EBADF");
	r = fy_syscall3(SYS_ioctl, 1, 0x12345678, 0);
	tap_ok(r == -ENOTTY || r == -EINVAL,
	       "an unknown ioctl is -ENOTTY or -EINVAL (%ld)", r);
}

/*
 * Reads that must fail before they wait for console input (no input comes
 * during the system tests: a kernel that blocks first hangs here).
 */
static void test_read(void)
{
	char buf[8];

	tap_eq(fy_syscall3(SYS_read, 42, (long)buf, sizeof(buf)), -EBADF,
	       "read from fd 42 is -EBADF");
	tap_eq(fy_syscall3(SYS_read, 1 << 20, (long)buf, sizeof(buf)), -EBADF,
	       "read from fd 1<<20 is -EBADF");
	tap_diag("read(0) with a kernel buffer: a hang here means the kernel "
		 "waits for input before checking the buffer");
	tap_eq(fy_syscall3(SYS_read, 0, (long)KERNEL_PTR, 8), -EFAULT,
	       "read(0) into a kernel address is -EFAULT");
}

int main(void)
{
	test_write();
	test_writev();
	test_ioctl();
	test_read();
	return tap_done();
}
