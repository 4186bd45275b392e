/*
 * The file protocol: what a client sends the file server
 * (user/servers/fs) over its connection's shm. docs/fs.md has each
 * operation's arguments, results and errors.
 *
 * The client writes one struct fs_req at offset 0 of the shm (as the
 * ipc_msg header libferry's ipc_msg_init lays out) and the operation's
 * bytes at FS_DATA_OFF: a path (open, stat by path, unlink, mkdir; `len`
 * bytes, no NUL), or the data of a write. The server reads the request
 * once and trusts none of it: every length is checked against the
 * connection's real shm size, never against the header's fields. Its
 * answer is the call's return value (a count, a handle, 0, or a negative
 * Linux errno), and for read, stat and list the bytes it put at
 * FS_DATA_OFF; list also writes the next cookie into the request's
 * `offset`.
 *
 * Handles belong to the connection that opened them (not to the client
 * process: two connections of one process have separate handles); any
 * other connection naming one gets -EBADF. Closing the connection (or
 * the client's death) closes them all.
 */
#ifndef FERRY_UAPI_PROTO_FS_H
#define FERRY_UAPI_PROTO_FS_H

#include <stdint.h>
#include <uapi/ferry/ipc.h>

/* Operations (fs_req.op). */
#define FS_OPEN 1      /* path, flags -> handle */
#define FS_READ 2      /* handle, offset, len -> bytes at FS_DATA_OFF */
#define FS_WRITE 3     /* handle, offset, len bytes at FS_DATA_OFF -> count */
#define FS_STAT 4      /* handle -> struct fs_stat at FS_DATA_OFF */
#define FS_STAT_PATH 5 /* path -> struct fs_stat at FS_DATA_OFF */
#define FS_LIST 6      /* handle (dir), cookie in offset -> entries */
#define FS_CLOSE 7     /* handle -> 0 */
#define FS_UNLINK 8    /* path (a file or an empty directory in /tmp) */
#define FS_MKDIR 9     /* path (in /tmp) */
#define FS_TRUNCATE 10 /* handle, new size in offset (a /tmp file) */
#define FS_INFO 11     /* -> struct fs_info at FS_DATA_OFF (counts) */

/* open flags (fs_req.flags): Linux's values. */
#define FS_O_RDONLY 00
#define FS_O_WRONLY 01
#define FS_O_RDWR 02
#define FS_O_ACCMODE 03
#define FS_O_CREAT 0100
#define FS_O_EXCL 0200
#define FS_O_TRUNC 01000
#define FS_O_DIRECTORY 0200000
#define FS_O_ALL                                                               \
	(FS_O_ACCMODE | FS_O_CREAT | FS_O_EXCL | FS_O_TRUNC | FS_O_DIRECTORY)

/* Limits. */
#define FS_PATH_MAX 256 /* PATH_MAX_FERRY: a path's bytes, with a NUL */
#define FS_NAME_MAX 255 /* one component */
#define FS_OPEN_MAX 32	/* handles open per connection (-EMFILE past) */
/* tmpfs: -ENOSPC past either total, -EFBIG past the file size. */
#define FS_TMP_NODES 64		    /* files and directories, /tmp too */
#define FS_TMP_PAGES 1024	    /* 4 MiB of data pages in all */
#define FS_TMP_FILE_MAX (4ul << 20) /* one file's size */
/* Offsets and sizes past this are -EINVAL (Linux's MAX_LFS_FILESIZE). */
#define FS_OFF_MAX 0x7fffffffffffffffull

/* The shm a client should take: a request and 64 KiB of data. */
#define FS_SHM_DEFAULT (68u * 1024)
#define FS_SHM_MIN 4096u

struct fs_req {
	struct ipc_msg hdr;
	uint32_t op;
	int32_t handle;
	uint32_t flags;
	uint32_t len;	 /* path bytes, data bytes, or room for the answer */
	uint64_t offset; /* read/write offset, list cookie, truncate size */
	uint64_t pad;
};

#define FS_DATA_OFF 48u /* the path, data or answer, from the shm start */

_Static_assert(sizeof(struct fs_req) == FS_DATA_OFF, "fs_req is 48 bytes");

#define FS_TYPE_FILE 1
#define FS_TYPE_DIR 2

struct fs_stat {
	uint64_t size; /* bytes; a directory: its entries */
	uint32_t mode; /* st_mode: S_IFREG/S_IFDIR | permission bits */
	uint32_t type; /* FS_TYPE_* */
	uint64_t ino;  /* unique among the server's live nodes */
};

/*
 * One entry of a list answer; entries follow each other at 8-byte
 * aligned offsets from FS_DATA_OFF (reclen apart), as many as fit in
 * `len`. The name is NUL-terminated.
 */
struct fs_dirent {
	uint16_t reclen;
	uint8_t type; /* FS_TYPE_* */
	uint8_t namelen;
	uint32_t pad;
	char name[]; /* namelen bytes and a NUL */
};

_Static_assert(sizeof(struct fs_dirent) == 8, "fs_dirent header is 8 bytes");

/* The server's counts (FS_INFO), so tests can see that nothing leaks. */
struct fs_info {
	uint32_t handles;   /* open, all clients */
	uint32_t mine;	    /* open by the caller */
	uint32_t tmp_nodes; /* tmpfs nodes in use, /tmp and unlinked-open */
	uint32_t tmp_pages; /* tmpfs data pages held */
	uint32_t rd_files;  /* initrd files and directories */
	uint32_t pad;
};

#endif
