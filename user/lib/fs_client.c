/*
 * The client of the file server (ferry/fs.h): each call lays the
 * request at the shm's start, the path or data at FS_DATA_OFF, and makes
 * one IPC call; answers come back in the same place.
 */
#include <string.h>

#include <ferry/fs.h>

long fy_fs_test_cap(void)
{
	long info = fy_cap_info(FY_FS_TEST_SLOT);

	if (info < 0 || FY_CAP_INFO_TYPE(info) != OBJ_TYPE_THREAD ||
	    !(FY_CAP_INFO_RIGHTS(info) & CAP_RIGHT_CALL))
		return -ENOENT;
	return FY_FS_TEST_SLOT;
}

long fy_fs_connect(cap_t server, size_t shm_size, struct fy_fs *fs)
{
	if (shm_size == 0)
		shm_size = FS_SHM_DEFAULT;
	if (shm_size < FS_SHM_MIN)
		return -EINVAL;
	return ipc_connect(server, shm_size, &fs->conn);
}

long fy_fs_disconnect(struct fy_fs *fs)
{
	return ipc_close(&fs->conn);
}

size_t fy_fs_room(const struct fy_fs *fs)
{
	return fs->conn.shm_size - FS_DATA_OFF;
}

static char *fs_data(struct fy_fs *fs)
{
	return (char *)fs->conn.shm + FS_DATA_OFF;
}

long fy_fs_call(struct fy_fs *fs, uint32_t op, int32_t h, uint32_t flags,
		uint64_t off, uint32_t len, const void *data)
{
	struct ipc_msg *m;
	struct fs_req *q;

	if (data && len > fy_fs_room(fs))
		return -EINVAL;
	m = ipc_msg_init(&fs->conn,
			 (uint32_t)(fy_fs_room(fs) + FS_DATA_OFF -
				    sizeof(struct ipc_msg)),
			 0);
	if (!m)
		return -EINVAL;
	q = (struct fs_req *)m;
	q->op = op;
	q->handle = h;
	q->flags = flags;
	q->len = len;
	q->offset = off;
	q->pad = 0;
	if (data)
		memcpy(fs_data(fs), data, len);
	return ipc_call(&fs->conn, m, 0);
}

static long path_call(struct fy_fs *fs, uint32_t op, uint32_t flags,
		      const char *path)
{
	size_t len = strnlen(path, FS_PATH_MAX);

	/* A path too long for the protocol is the server's answer too. */
	if (len >= FS_PATH_MAX)
		return -ENAMETOOLONG;
	return fy_fs_call(fs, op, -1, flags, 0, (uint32_t)len, path);
}

long fy_fs_open(struct fy_fs *fs, const char *path, unsigned flags)
{
	return path_call(fs, FS_OPEN, flags, path);
}

long fy_fs_close(struct fy_fs *fs, int h)
{
	return fy_fs_call(fs, FS_CLOSE, h, 0, 0, 0, NULL);
}

long fy_fs_read_shm(struct fy_fs *fs, int h, uint64_t off, size_t len,
		    const void **out)
{
	long r;

	if (len > fy_fs_room(fs))
		len = fy_fs_room(fs);
	r = fy_fs_call(fs, FS_READ, h, 0, off, (uint32_t)len, NULL);
	*out = fs_data(fs);
	return r;
}

long fy_fs_read(struct fy_fs *fs, int h, uint64_t off, void *buf, size_t len)
{
	size_t done = 0;

	while (done < len) {
		size_t n = len - done;
		const void *p;
		long r;

		if (n > fy_fs_room(fs))
			n = fy_fs_room(fs);
		r = fy_fs_read_shm(fs, h, off + done, n, &p);
		if (r < 0)
			return done ? (long)done : r;
		memcpy((char *)buf + done, p, (size_t)r);
		done += (size_t)r;
		if ((size_t)r < n)
			break; /* the end of the file */
	}
	return (long)done;
}

long fy_fs_write(struct fy_fs *fs, int h, uint64_t off, const void *buf,
		 size_t len)
{
	size_t done = 0;

	do {
		size_t n = len - done;
		long r;

		if (n > fy_fs_room(fs))
			n = fy_fs_room(fs);
		r = fy_fs_call(fs, FS_WRITE, h, 0, off + done, (uint32_t)n,
			       (const char *)buf + done);
		if (r < 0)
			return done ? (long)done : r;
		done += (size_t)r;
		if ((size_t)r < n)
			break;
	} while (done < len);
	return (long)done;
}

long fy_fs_stat(struct fy_fs *fs, int h, struct fs_stat *st)
{
	long r = fy_fs_call(fs, FS_STAT, h, 0, 0, 0, NULL);

	if (r == 0)
		memcpy(st, fs_data(fs), sizeof(*st));
	return r;
}

long fy_fs_stat_path(struct fy_fs *fs, const char *path, struct fs_stat *st)
{
	long r = path_call(fs, FS_STAT_PATH, 0, path);

	if (r == 0)
		memcpy(st, fs_data(fs), sizeof(*st));
	return r;
}

long fy_fs_list(struct fy_fs *fs, int h, uint64_t *cookie, void *buf,
		size_t len)
{
	struct fs_req *q = fs->conn.shm;
	size_t room = fy_fs_room(fs);
	long r;

	if (len > room)
		len = room;
	r = fy_fs_call(fs, FS_LIST, h, 0, *cookie, (uint32_t)len, NULL);
	if (r > 0) {
		size_t used = 0;

		/* The entries' bytes: walk them, trusting no reclen past len.
		 */
		for (long i = 0; i < r; i++) {
			const struct fs_dirent *d =
				(const void *)(fs_data(fs) + used);

			if (d->reclen < sizeof(*d) || d->reclen > len - used)
				return -EIO;
			used += d->reclen;
		}
		memcpy(buf, fs_data(fs), used);
		*cookie = q->offset;
	}
	return r;
}

long fy_fs_unlink(struct fy_fs *fs, const char *path)
{
	return path_call(fs, FS_UNLINK, 0, path);
}

long fy_fs_mkdir(struct fy_fs *fs, const char *path)
{
	return path_call(fs, FS_MKDIR, 0, path);
}

long fy_fs_truncate(struct fy_fs *fs, int h, uint64_t size)
{
	return fy_fs_call(fs, FS_TRUNCATE, h, 0, size, 0, NULL);
}

long fy_fs_info(struct fy_fs *fs, struct fs_info *info)
{
	long r = fy_fs_call(fs, FS_INFO, -1, 0, 0, 0, NULL);

	if (r == 0)
		memcpy(info, fs_data(fs), sizeof(*info));
	return r;
}
