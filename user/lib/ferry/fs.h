/*
 * libferry's file client: the file server's protocol
 * (uapi/ferry/proto/fs.h, docs/fs.md) as calls. Each returns what the
 * server returned: >= 0 on success, a negative Linux errno otherwise
 * (or the IPC error: -EDEADSRV, -ESRCH when the server has died).
 *
 * One struct fy_fs is one connection, one call at a time (the IPC rule:
 * a second thread's call waits for the first). Reads and writes move up
 * to fy_fs_room() bytes per call (64 KiB with FS_SHM_DEFAULT); longer
 * ones loop. fy_fs_read_shm reads into the shm and returns where, with
 * no second copy: what procmgr needs for ELF headers and pages.
 */
#ifndef FERRY_FS_H
#define FERRY_FS_H

#include <ferry/ipc.h>
#include <uapi/ferry/proto/fs.h>

struct fy_fs {
	struct ipc_conn conn;
};

/*
 * Round 1 (no named initial capabilities yet): init puts a cap to the
 * file server (CALL|GRANT) into every "tests/fs_*" program's slot
 * FY_FS_TEST_SLOT before it runs. fy_fs_test_cap returns that slot if
 * it holds a thread cap with CALL, else -ENOENT. Round 2 replaces this
 * with the initial capability named "fs".
 */
#define FY_FS_TEST_SLOT 3
long fy_fs_test_cap(void);

/* Connects to the server thread `server` (shm_size 0: FS_SHM_DEFAULT). */
long fy_fs_connect(cap_t server, size_t shm_size, struct fy_fs *fs);
long fy_fs_disconnect(struct fy_fs *fs);
/* Bytes one read or write can move per call. */
size_t fy_fs_room(const struct fy_fs *fs);

/* A handle (>= 0). flags: FS_O_*. */
long fy_fs_open(struct fy_fs *fs, const char *path, unsigned flags);
long fy_fs_close(struct fy_fs *fs, int h);
/* Bytes read at off (short only at the end of the file), or an error. */
long fy_fs_read(struct fy_fs *fs, int h, uint64_t off, void *buf, size_t len);
/*
 * One read of up to fy_fs_room() bytes into the shm: the count, and in
 * *out where they are (valid until the next call on fs).
 */
long fy_fs_read_shm(struct fy_fs *fs, int h, uint64_t off, size_t len,
		    const void **out);
/* Bytes written at off (short if the file or space limit came), or error. */
long fy_fs_write(struct fy_fs *fs, int h, uint64_t off, const void *buf,
		 size_t len);
long fy_fs_stat(struct fy_fs *fs, int h, struct fs_stat *st);
long fy_fs_stat_path(struct fy_fs *fs, const char *path, struct fs_stat *st);
/*
 * Entries of directory h from *cookie (0 at first), packed as struct
 * fs_dirent into buf (at most len bytes): their number (0 at the end);
 * *cookie moves past them.
 */
long fy_fs_list(struct fy_fs *fs, int h, uint64_t *cookie, void *buf,
		size_t len);
long fy_fs_unlink(struct fy_fs *fs, const char *path);
long fy_fs_mkdir(struct fy_fs *fs, const char *path);
long fy_fs_truncate(struct fy_fs *fs, int h, uint64_t size);
long fy_fs_info(struct fy_fs *fs, struct fs_info *info);

/*
 * A raw request (tests of bad input): op, handle, flags, offset, and
 * len with `data` (may be NULL: nothing copied) at FS_DATA_OFF.
 */
long fy_fs_call(struct fy_fs *fs, uint32_t op, int32_t h, uint32_t flags,
		uint64_t off, uint32_t len, const void *data);

#endif
