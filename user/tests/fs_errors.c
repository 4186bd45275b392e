/*
 * Every error of the file protocol (docs/fs.md), through real IPC, each
 * followed by the server still answering; the errnos are Linux 6.1's
 * for the same mistake (open(2), read(2), write(2), getdents(2),
 * mkdir(2), unlink(2), rmdir(2), ftruncate(2)), learnt by running the
 * same calls under ../shared/linux-ref on a tmpfs remounted read-only
 * (the initrd's part) and on /tmp.
 */
#include <string.h>

#include "fs_test.h"
#include "tap.h"

static struct fy_fs fs, other;

/* The server still serves after a bad request. */
static void still_ok(const char *after)
{
	struct fs_stat st;

	tap_eq(fy_fs_stat_path(&fs, FS_DATA, &st), 0,
	       "the server answers after %s", after);
}

static void test_open(void)
{
	static char longp[400], longc[300];

	tap_eq(fy_fs_open(&fs, "nosuch", 0), -ENOENT, "missing: -ENOENT");
	tap_eq(fy_fs_open(&fs, "", 0), -ENOENT, "empty path: -ENOENT");
	tap_eq(fy_fs_open(&fs, "nodir/x", 0), -ENOENT,
	       "missing directory: -ENOENT");
	tap_eq(fy_fs_open(&fs, "init/x", 0), -ENOTDIR,
	       "a file as a directory: -ENOTDIR");
	tap_eq(fy_fs_open(&fs, "init/", 0), -ENOTDIR,
	       "a file with a trailing slash: -ENOTDIR");
	tap_eq(fy_fs_open(&fs, "init/.", 0), -ENOTDIR,
	       "a file with /. after it: -ENOTDIR");
	tap_eq(fy_fs_open(&fs, "init/..", 0), -ENOTDIR,
	       "a file followed by ..: -ENOTDIR (walked, as Linux)");
	tap_eq(fy_fs_open(&fs, "init", FS_O_DIRECTORY), -ENOTDIR,
	       "O_DIRECTORY on a file: -ENOTDIR");
	tap_eq(fy_fs_open(&fs, "tests", FS_O_RDONLY | FS_O_TRUNC), -EISDIR,
	       "O_TRUNC on a directory: -EISDIR");
	tap_eq(fy_fs_open(&fs, "tests", FS_O_WRONLY), -EISDIR,
	       "a directory for writing: -EISDIR");
	tap_eq(fy_fs_open(&fs, "tmp", FS_O_RDWR), -EISDIR,
	       "/tmp for writing: -EISDIR");
	tap_eq(fy_fs_open(&fs, "tests", FS_O_CREAT), -EISDIR,
	       "O_CREAT on a directory: -EISDIR");
	tap_eq(fy_fs_open(&fs, "tmp/newdir/", FS_O_CREAT), -EISDIR,
	       "O_CREAT with a trailing slash: -EISDIR");
	tap_eq(fy_fs_open(&fs, "init", FS_O_WRONLY), -EROFS,
	       "an initrd file O_WRONLY: -EROFS");
	tap_eq(fy_fs_open(&fs, "init", FS_O_RDWR), -EROFS,
	       "an initrd file O_RDWR: -EROFS");
	tap_eq(fy_fs_open(&fs, "init", FS_O_RDONLY | FS_O_TRUNC), -EROFS,
	       "an initrd file O_TRUNC: -EROFS");
	tap_eq(fy_fs_open(&fs, "helpers/new", FS_O_CREAT | FS_O_WRONLY), -EROFS,
	       "O_CREAT in an initrd directory: -EROFS");
	tap_eq(fy_fs_open(&fs, "init", FS_O_CREAT | FS_O_EXCL), -EEXIST,
	       "O_CREAT|O_EXCL on an existing file: -EEXIST");
	tap_eq(fy_fs_open(&fs, "init", 04), -EINVAL,
	       "an unknown flag: -EINVAL");
	tap_eq(fy_fs_open(&fs, "init", 0x80000000u), -EINVAL,
	       "the top flag bit: -EINVAL");
	/* Linux 6.1 takes 3 as "no access, needs read and write": refused. */
	tap_eq(fy_fs_open(&fs, "init", FS_O_ACCMODE), -EINVAL,
	       "access mode 3: -EINVAL (the protocol's own rule)");
	memset(longp, 'a', sizeof(longp) - 1);
	tap_eq(fy_fs_call(&fs, FS_OPEN, -1, 0, 0, 256, longp), -ENAMETOOLONG,
	       "a path of 256 bytes: -ENAMETOOLONG");
	tap_eq(fy_fs_call(&fs, FS_OPEN, -1, 0, 0, 399, longp), -ENAMETOOLONG,
	       "a path of 399 bytes: -ENAMETOOLONG");
	tap_eq(fy_fs_call(&fs, FS_OPEN, -1, 0, 0, 0xffffffffu, NULL),
	       -ENAMETOOLONG, "a path length of 4 GiB: -ENAMETOOLONG");
	memset(longc, 'b', sizeof(longc) - 1);
	memcpy(longc, "tmp/", 4);
	tap_eq(fy_fs_call(&fs, FS_OPEN, -1, FS_O_CREAT, 0, 4 + 256, longc),
	       -ENAMETOOLONG, "a component of 256 bytes: -ENAMETOOLONG");
	tap_eq(fy_fs_call(&fs, FS_OPEN, -1, 0, 0, 9, "init\0abcd"), -EINVAL,
	       "a NUL inside the path: -EINVAL");
	still_ok("bad opens");
}

static void test_handles(void)
{
	long h = fy_fs_open(&fs, FS_DATA, 0), d, w, oh;
	char b[16];

	tap_eq(fy_fs_read(&fs, -1, 0, b, 1), -EBADF, "read handle -1: -EBADF");
	tap_eq(fy_fs_read(&fs, 1 << 30, 0, b, 1), -EBADF,
	       "read handle 2^30: -EBADF");
	tap_eq(fy_fs_read(&fs, (int)h + 7, 0, b, 1), -EBADF,
	       "read a handle never opened: -EBADF");
	tap_eq(fy_fs_read(&other, (int)h, 0, b, 1), -EBADF,
	       "another client's handle, read: -EBADF");
	tap_eq(fy_fs_close(&other, (int)h), -EBADF,
	       "another client's handle, close: -EBADF");
	tap_eq(fy_fs_read(&fs, (int)h, 0, b, 4), 4,
	       "... and it is still ours, open");
	tap_eq(fy_fs_write(&fs, (int)h, 0, "x", 1), -EBADF,
	       "write on a read-only handle: -EBADF");
	tap_eq(fy_fs_truncate(&fs, (int)h, 0), -EINVAL,
	       "truncate a read-only handle: -EINVAL");
	tap_eq(fy_fs_call(&fs, FS_READ, (int)h, 0, 1ull << 63, 1, NULL),
	       -EINVAL, "a negative offset: -EINVAL");
	tap_eq(fy_fs_call(&fs, FS_READ, (int)h, 0, 0, 0xffffffffu, NULL),
	       -EINVAL, "a read longer than the shm: -EINVAL");
	tap_eq(fy_fs_call(&fs, FS_READ, (int)h, 0, 0,
			  (uint32_t)fy_fs_room(&fs) + 1, NULL),
	       -EINVAL, "a read one byte longer than the room: -EINVAL");
	tap_eq(fy_fs_list(&fs, (int)h, &(uint64_t){0}, b, sizeof(b)), -ENOTDIR,
	       "list a file: -ENOTDIR");
	tap_eq(fy_fs_close(&fs, (int)h), 0, "close");
	tap_eq(fy_fs_close(&fs, (int)h), -EBADF, "close again: -EBADF");
	tap_eq(fy_fs_read(&fs, (int)h, 0, b, 1), -EBADF,
	       "read a closed handle: -EBADF");
	tap_eq(fy_fs_stat(&fs, (int)h, &(struct fs_stat){0}), -EBADF,
	       "stat a closed handle: -EBADF");

	d = fy_fs_open(&fs, "tests", 0);
	tap_eq(fy_fs_read(&fs, (int)d, 0, b, 1), -EISDIR,
	       "read a directory: -EISDIR");
	tap_eq(fy_fs_list(&fs, (int)d, &(uint64_t){0}, b, 8), -EINVAL,
	       "a list room too small for one entry: -EINVAL");
	tap_eq(fy_fs_list(&other, (int)d, &(uint64_t){0}, b, sizeof(b)), -EBADF,
	       "list another client's handle: -EBADF");
	tap_eq(fy_fs_list(&fs, (int)d, &(uint64_t){1ull << 40}, b, sizeof(b)),
	       0, "list past the last entry: 0");
	fy_fs_close(&fs, (int)d);

	w = fy_fs_open(&fs, "tmp/fs_errors_w", FS_O_CREAT | FS_O_WRONLY);
	tap_ok(w >= 0, "create tmp/fs_errors_w");
	tap_eq(fy_fs_read(&fs, (int)w, 0, b, 1), -EBADF,
	       "read a write-only handle: -EBADF");
	tap_eq(fy_fs_write(&other, (int)w, 0, "x", 1), -EBADF,
	       "write another client's handle: -EBADF");
	tap_eq(fy_fs_call(&fs, FS_WRITE, (int)w, 0, 1ull << 63, 1, "x"),
	       -EINVAL, "write at a negative offset: -EINVAL");
	tap_eq(fy_fs_call(&fs, FS_WRITE, (int)w, 0, 0, 0x7fffffffu, NULL),
	       -EINVAL, "a write longer than the shm: -EINVAL");
	tap_eq(fy_fs_write(&fs, (int)w, FS_TMP_FILE_MAX, "x", 1), -EFBIG,
	       "write at the file size limit: -EFBIG");
	tap_eq(fy_fs_write(&fs, (int)w, 1ull << 62, "x", 1), -EFBIG,
	       "write at 2^62: -EFBIG");
	tap_eq(fy_fs_truncate(&fs, (int)w, FS_TMP_FILE_MAX + 1), -EFBIG,
	       "truncate past the limit: -EFBIG");
	tap_eq(fy_fs_truncate(&fs, (int)w, 1ull << 63), -EINVAL,
	       "truncate to a negative size: -EINVAL");
	oh = fy_fs_open(&other, "tmp/fs_errors_w", FS_O_RDONLY);
	tap_ok(oh >= 0, "the other client opens the same file: its own handle");
	tap_eq(fy_fs_close(&fs, (int)oh), (oh == w) ? 0 : -EBADF,
	       "whose number we cannot close");
	fy_fs_close(&other, (int)oh);
	fy_fs_close(&fs, (int)w);
	tap_eq(fy_fs_unlink(&fs, "tmp/fs_errors_w"), 0, "unlink it");
	still_ok("bad handles");
}

static void test_names(void)
{
	tap_eq(fy_fs_mkdir(&fs, "tests"), -EEXIST, "mkdir an existing dir");
	tap_eq(fy_fs_mkdir(&fs, "/"), -EEXIST, "mkdir /: -EEXIST");
	tap_eq(fy_fs_mkdir(&fs, "tmp"), -EEXIST, "mkdir /tmp: -EEXIST");
	tap_eq(fy_fs_mkdir(&fs, "newdir"), -EROFS,
	       "mkdir in the initrd: -EROFS");
	tap_eq(fy_fs_mkdir(&fs, "tmp/a/b"), -ENOENT,
	       "mkdir under a missing dir: -ENOENT");
	tap_eq(fy_fs_mkdir(&fs, "init/x"), -ENOTDIR,
	       "mkdir under a file: -ENOTDIR");
	tap_eq(fy_fs_unlink(&fs, "init"), -EROFS,
	       "unlink an initrd file: -EROFS");
	tap_eq(fy_fs_unlink(&fs, "tests"), -EROFS,
	       "remove an initrd directory: -EROFS");
	/* Linux on a read-only mount: -EROFS before the name is looked up. */
	tap_eq(fy_fs_unlink(&fs, "nosuch"), -EROFS,
	       "unlink a missing name in the initrd: -EROFS");
	tap_eq(fy_fs_unlink(&fs, "nodir/x"), -ENOENT,
	       "unlink under a missing directory: -ENOENT");
	tap_eq(fy_fs_unlink(&fs, "tmp/nosuch"), -ENOENT,
	       "unlink a missing /tmp file: -ENOENT");
	tap_eq(fy_fs_unlink(&fs, "tmp"), -EBUSY, "remove /tmp: -EBUSY");
	tap_eq(fy_fs_unlink(&fs, "/"), -EBUSY, "remove /: -EBUSY");
	tap_eq(fy_fs_unlink(&fs, "init/"), -EROFS,
	       "unlink an initrd file named as a directory: -EROFS");
	fy_fs_close(&fs, (int)fy_fs_open(&fs, "tmp/fs_errors_f", FS_O_CREAT));
	tap_eq(fy_fs_unlink(&fs, "tmp/fs_errors_f/"), -ENOTDIR,
	       "unlink a /tmp file named as a directory: -ENOTDIR");
	tap_eq(fy_fs_unlink(&fs, "tmp/fs_errors_f/.."), -EINVAL,
	       "remove a path ending in ..: -EINVAL");
	tap_eq(fy_fs_unlink(&fs, "tmp/."), -EINVAL,
	       "remove a path ending in .: -EINVAL");
	tap_eq(fy_fs_unlink(&fs, "tmp/fs_errors_f"), 0, "unlink it");
	tap_eq(fy_fs_mkdir(&fs, "tmp/.."), -EEXIST, "mkdir tmp/..: -EEXIST");
	tap_eq(fy_fs_mkdir(&fs, "tmp/fs_errors_d"), 0, "mkdir tmp/fs_errors_d");
	tap_eq(fy_fs_mkdir(&fs, "tmp/fs_errors_d/in"), 0, "... and one in it");
	tap_eq(fy_fs_unlink(&fs, "tmp/fs_errors_d"), -ENOTEMPTY,
	       "remove a directory with entries: -ENOTEMPTY");
	tap_eq(fy_fs_open(&fs, "tmp/fs_errors_d", FS_O_CREAT | FS_O_EXCL),
	       -EEXIST, "O_CREAT|O_EXCL on a tmp dir: -EEXIST");
	tap_eq(fy_fs_unlink(&fs, "tmp/fs_errors_d/in/"), 0,
	       "remove the inner one (a trailing slash)");
	tap_eq(fy_fs_unlink(&fs, "tmp/fs_errors_d"), 0, "then the outer");
	tap_eq(fy_fs_call(&fs, 0, -1, 0, 0, 0, NULL), -ENOSYS, "op 0: -ENOSYS");
	tap_eq(fy_fs_call(&fs, 0xffffffffu, -1, 0, 0, 0, NULL), -ENOSYS,
	       "op 2^32-1: -ENOSYS");
	still_ok("bad names");
}

static void test_limits(void)
{
	long hs[FS_OPEN_MAX + 1];
	struct fs_info in;
	int n = 0;

	for (n = 0; n < FS_OPEN_MAX; n++) {
		hs[n] = fy_fs_open(&fs, FS_DATA, 0);
		if (hs[n] < 0)
			break;
	}
	tap_eq(n, FS_OPEN_MAX, "%d handles open", FS_OPEN_MAX);
	tap_eq(fy_fs_open(&fs, FS_DATA, 0), -EMFILE, "one more: -EMFILE");
	tap_eq(fy_fs_open(&fs, "nosuch", 0), -EMFILE,
	       "-EMFILE before -ENOENT, as Linux takes the fd first");
	hs[FS_OPEN_MAX] = fy_fs_open(&other, FS_DATA, 0);
	tap_ok(hs[FS_OPEN_MAX] >= 0, "another client still opens");
	fy_fs_close(&other, (int)hs[FS_OPEN_MAX]);
	fy_fs_info(&fs, &in);
	tap_eq(in.mine, FS_OPEN_MAX, "the server counts %d of ours",
	       FS_OPEN_MAX);
	while (n-- > 0)
		fy_fs_close(&fs, (int)hs[n]);
	tap_ok(fy_fs_open(&fs, FS_DATA, 0) >= 0, "closed: an open works again");
	fy_fs_info(&fs, &in);
	tap_eq(in.mine, 1, "one of ours open");
}

int main(void)
{
	long cap = fy_fs_test_cap();
	struct fs_info in;

	if (!tap_ok(cap >= 0, "init gave us the file server"))
		return tap_done();
	tap_eq(fy_fs_connect((cap_t)cap, 0, &fs), 0, "connect");
	tap_eq(fy_fs_connect((cap_t)cap, FS_SHM_MIN, &other), 0,
	       "connect a second client (a 4 KiB shm)");
	tap_eq(fy_fs_connect((cap_t)cap, 100, &(struct fy_fs){0}), -EINVAL,
	       "a shm below FS_SHM_MIN: refused by the library");
	test_open();
	test_handles();
	test_names();
	test_limits();
	fy_fs_info(&fs, &in);
	tap_eq(in.tmp_nodes, 1, "tmpfs: only /tmp left");
	tap_eq(fy_fs_disconnect(&other), 0, "disconnect the second");
	tap_eq(fy_fs_disconnect(&fs), 0, "disconnect (closes our open handle)");
	return tap_done();
}
