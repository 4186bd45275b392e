/*
 * A child's program file, read through the file server (ferry/fs.h) on
 * a connection of the child's own (from pm_fs_pool): its spawn reads the
 * headers through it, its pager the pages, and no other child's fault
 * waits behind them.
 * Reads land in the connection's shm and go from there straight into
 * the image's PMO (one copy, SYS_pmo_write's). Every failure of the
 * file server (dead, a short read: the file shrank) is -EIO; the file
 * may not grow or shrink under a running process's pager, which checks
 * nothing but the bytes it asks for.
 */
#include <string.h>

#include <ferry/fs.h>

#include "procmgr.h"

static struct fy_fs *fs_of(struct pm_file *f)
{
	_Static_assert(sizeof(struct fy_fs) == sizeof(f->conn),
		       "fy_fs is one ipc_conn");
	return (struct fy_fs *)&f->conn;
}

/* An error from the server's side of IPC: the connection is no good. */
static long fs_err(struct pm_file *f, long r)
{
	if (r == -EDEADSRV || r == -ESRCH || r == -ECAPBILITY) {
		f->broken = 1;
		return -EIO;
	}
	return r;
}

long pm_file_open(struct pm_file *f, const char *path)
{
	struct fs_stat st;
	long r;

	f->handle = -1;
	f->broken = 0;
	r = pm_pool_get(&pm_fs_pool, &f->conn);
	if (r < 0)
		return r == -ENOMEM ? r : -EIO;
	r = fy_fs_open(fs_of(f), path, FS_O_RDONLY);
	if (r >= 0) {
		f->handle = r;
		r = fy_fs_stat(fs_of(f), (int)f->handle, &st);
		if (r >= 0 && st.type != FS_TYPE_FILE)
			r = -EACCES; /* execve(2) on a directory */
	}
	if (r < 0) {
		r = fs_err(f, r);
		pm_file_close(f);
		return r;
	}
	f->size = st.size;
	return 0;
}

long pm_file_read(struct pm_file *f, uint64_t off, void *buf, uint64_t len)
{
	while (len) {
		const void *at;
		long n =
			fy_fs_read_shm(fs_of(f), (int)f->handle, off, len, &at);

		if (n <= 0) {
			fs_err(f, n);
			return -EIO;
		}
		memcpy(buf, at, (size_t)n);
		buf = (char *)buf + n;
		off += (uint64_t)n;
		len -= (uint64_t)n;
	}
	return 0;
}

long pm_file_page(struct pm_file *f, cap_t pmo, uint64_t pmo_off, uint64_t skip,
		  uint64_t file_off, uint64_t len)
{
	char page[PM_PAGE];

	if (skip + len > PM_PAGE)
		return -EINVAL;
	memset(page, 0, skip);
	memset(page + skip + len, 0, PM_PAGE - skip - len);
	if (pm_file_read(f, file_off, page + skip, len))
		return -EIO;
	return fy_pmo_write(pmo, pmo_off, page, PM_PAGE);
}

void pm_file_close(struct pm_file *f)
{
	if (f->conn.cap < 0)
		return;
	if (f->handle >= 0 && !f->broken &&
	    fs_err(f, fy_fs_close(fs_of(f), (int)f->handle)) < 0)
		f->broken = 1;
	f->handle = -1;
	pm_pool_put(&pm_fs_pool, &f->conn, f->broken);
}

void pm_file_warm(struct ipc_conn *c)
{
	struct pm_file f = {.conn = *c, .handle = -1};
	struct fs_stat st;
	const void *at;
	long h = fy_fs_open(fs_of(&f), "/procmgr", FS_O_RDONLY);

	if (h < 0)
		return;
	fy_fs_stat(fs_of(&f), (int)h, &st);
	fy_fs_read_shm(fs_of(&f), (int)h, 0, PM_PAGE, &at);
	fy_fs_close(fs_of(&f), (int)h);
}
