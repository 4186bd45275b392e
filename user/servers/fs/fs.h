/*
 * The file server's parts, each pure C over memory it is given (no
 * system calls), so the hosted unit tests (tests/unit/test_fs_*.c)
 * compile the same files: path.c cuts paths into components, cpio.c
 * reads the newc archive, rdtree.c makes the initrd's tree from it,
 * tmpfs.c is the writable /tmp over a storage interface, lookup.c walks
 * a path through both. ops.c serves the requests, fs.c is the server.
 */
#ifndef FS_FS_H
#define FS_FS_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <uapi/ferry/errno.h>
#include <uapi/ferry/proto/fs.h>

/* ---- path.c ---- */

#define FS_PATH_COMPS (FS_PATH_MAX / 2)

/* A normalised path: its components from the root, none "" or ".". */
struct fs_path {
	char buf[FS_PATH_MAX];
	const char *comp[FS_PATH_COMPS];
	uint8_t len[FS_PATH_COMPS];
	int n;	       /* components; 0 is the root */
	bool must_dir; /* it ended in "/", "." or "..": a directory */
	bool last_dot; /* its last component was "." or ".." */
};

/*
 * Cuts `len` bytes at `in` (not NUL-terminated; a leading "/" is
 * optional, every path starts at the root) into components: "//" and
 * "." drop out, ".." stays (fs_walk takes it to the parent). 0,
 * -ENOENT (empty), -EINVAL (a NUL inside), -ENAMETOOLONG (len >=
 * FS_PATH_MAX or a component past FS_NAME_MAX).
 */
int fs_path_parse(const char *in, size_t len, struct fs_path *out);
bool fs_path_is_dotdot(const struct fs_path *p, int i);

/* ---- cpio.c ---- */

struct cpio_ent {
	const char *name; /* inside the archive, NUL-terminated */
	size_t namelen;	  /* without the NUL */
	const uint8_t *data;
	uint64_t size;
	uint32_t mode;
};

/*
 * The entry at *cursor (0 to start) of a newc archive of `size` bytes:
 * 1 and the entry (the cursor moves past it), 0 at "TRAILER!!!", or
 * -EINVAL if the archive is malformed: short or bad magic ("070701" or
 * "070702"), a field that is not 8 hex digits, a name that is empty,
 * not NUL-terminated at its size or with a NUL inside, a name or data
 * past the end, or no trailer before the end. Never reads outside
 * [archive, archive + size).
 */
int fs_cpio_next(const void *archive, size_t size, size_t *cursor,
		 struct cpio_ent *e);

/* ---- rdtree.c ---- */

struct rd_node {
	const char *name; /* in the archive; not NUL-terminated here */
	uint16_t namelen;
	uint8_t type; /* FS_TYPE_* */
	uint32_t mode;
	int32_t parent, first, last, next; /* -1: none */
	uint32_t nchildren;
	const uint8_t *data;
	uint64_t size;
};

struct rd_tree {
	struct rd_node *nodes; /* nodes[0] is the root */
	uint32_t max, count;
	uint32_t skipped; /* entries not taken: see rd_build */
};

/*
 * Makes the tree of a newc archive (the caller's `max` nodes at
 * `nodes`). Names must be canonical ("a/b", an optional leading "./" or
 * "/"): an entry with an empty, "." or ".." component, under "tmp" (the
 * tmpfs's place), naming a file as a directory, given twice, or neither
 * file nor directory (a symlink) is skipped and counted; directories
 * its file names imply are made. 0, or -EINVAL (malformed: the tree is
 * then empty), -ENOSPC (more than `max` nodes; the tree is empty).
 */
int rd_build(struct rd_tree *t, struct rd_node *nodes, uint32_t max,
	     const void *archive, size_t size);
/* The child `name` (len bytes) of directory `dir`, or -1. */
int32_t rd_child(const struct rd_tree *t, int32_t dir, const char *name,
		 size_t len);
/* The index'th child of directory `dir` (in archive order), or -1. */
int32_t rd_child_at(const struct rd_tree *t, int32_t dir, uint64_t index);

/* ---- tmpfs.c ---- */

/*
 * Where tmpfs keeps a file's bytes: one store per file of up to
 * FS_TMP_FILE_MAX bytes that reads as zeros where nothing was written
 * (the server: an anonymous PMO; the unit tests: heap memory).
 */
struct tmp_store_ops {
	long (*create)(void *ctx); /* an id >= 0, or -ENOMEM */
	int (*write)(void *ctx, long id, uint64_t off, const void *buf,
		     size_t len);
	int (*read)(void *ctx, long id, uint64_t off, void *buf, size_t len);
	void (*destroy)(void *ctx, long id);
};

#define TMP_PAGE 4096u
#define TMP_FILE_PAGES (FS_TMP_FILE_MAX / TMP_PAGE)

struct tmp_node {
	bool used;
	bool linked; /* in its directory; an unlinked one lives while open */
	uint8_t type;
	uint8_t namelen;
	char name[FS_NAME_MAX + 1];
	int32_t parent;
	uint32_t mode;
	uint32_t opens;
	uint64_t size;
	uint32_t nchildren;
	uint32_t npages;
	long store;			     /* -1: no data yet */
	uint8_t present[TMP_FILE_PAGES / 8]; /* pages written */
};

struct tmpfs {
	struct tmp_node nodes[FS_TMP_NODES]; /* nodes[0] is /tmp */
	uint32_t used_nodes, pages;
	const struct tmp_store_ops *ops;
	void *ctx;
	uint8_t bounce[TMP_PAGE];
};

void tmp_init(struct tmpfs *fs, const struct tmp_store_ops *ops, void *ctx);
/* The child `name` (len bytes) of directory `dir` (linked), or -1. */
int32_t tmp_child(const struct tmpfs *fs, int32_t dir, const char *name,
		  size_t len);
/*
 * A new node `name` (len bytes) in directory `dir`: 0 and
 * *node, -EEXIST, -ENOSPC (FS_TMP_NODES in use).
 */
int tmp_create(struct tmpfs *fs, int32_t dir, const char *name, size_t len,
	       uint8_t type, int32_t *node);
/*
 * Takes a node out of its directory: 0, -ENOTEMPTY (a directory with
 * entries), -EBUSY (/tmp itself). A file still open lives on unlinked
 * until its last close (tmp_put).
 */
int tmp_unlink(struct tmpfs *fs, int32_t node);
void tmp_get(struct tmpfs *fs, int32_t node); /* one more open */
void tmp_put(struct tmpfs *fs, int32_t node); /* one less; frees unlinked */
/* Up to len bytes from off: the count (0 at or past the end). */
long tmp_read(struct tmpfs *fs, int32_t node, uint64_t off, void *buf,
	      size_t len);
/*
 * len bytes at off, growing the file (a gap reads as zeros and takes no
 * pages): the count (short when the file limit or the space runs out
 * part way), -EFBIG (off at or past FS_TMP_FILE_MAX), -ENOSPC (no page
 * for the first byte), -ENOMEM.
 */
long tmp_write(struct tmpfs *fs, int32_t node, uint64_t off, const void *buf,
	       size_t len);
/*
 * Sets the size: growing adds a hole; shrinking frees the pages past
 * it (and zeros the rest of the last one). 0, -EFBIG, -ENOMEM.
 */
int tmp_truncate(struct tmpfs *fs, int32_t node, uint64_t size);
/* The index'th entry of directory `dir`, or -1. */
int32_t tmp_child_at(const struct tmpfs *fs, int32_t dir, uint64_t index);

/* ---- lookup.c ---- */

/* A node of either tree. */
#define FS_K_RD 1
#define FS_K_TMP 2

struct fs_ref {
	uint8_t kind; /* FS_K_RD or FS_K_TMP */
	int32_t node;
};

/*
 * Walks components [0, n) of p from the root: a name to that child,
 * ".." to the parent (the root's is the root, /tmp's the root), "tmp"
 * at the root into the tmpfs (when `tmp` is given; the archive never
 * has one). 0 and *out, -ENOENT, or -ENOTDIR (a file followed by any
 * component, ".." too, as Linux). p->must_dir is the caller's to apply.
 */
int fs_walk(const struct rd_tree *rd, const struct tmpfs *tmp,
	    const struct fs_path *p, int n, struct fs_ref *out);
bool fs_ref_is_dir(const struct rd_tree *rd, const struct tmpfs *tmp,
		   struct fs_ref r);

#endif
