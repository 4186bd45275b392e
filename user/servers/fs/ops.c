/*
 * The file server's operations: handles, and each request of
 * proto/fs.h served from the initrd's tree or the tmpfs. Called by
 * fs.c with the server's lock held, with the request already copied out
 * of the shm and the data area's true bounds (`data`, `room` bytes), so
 * nothing here trusts a length the client wrote.
 *
 * Handles: one table for every client; a handle is its index, and
 * belongs to the connection that opened it, named by `conn` (the
 * connection's shm address here: unique among open connections; the
 * IPC conn names the client process, shared by its connections): any
 * other connection naming it gets -EBADF, as does a closed one. A client has at
 * most FS_OPEN_MAX open (-EMFILE), all clients FS_HANDLES (-ENFILE). Errors
 * follow Linux 6.1's open(2), read(2), ... in the order Linux checks them
 * (docs/fs.md).
 */
#include <string.h>

#include "fs.h"
#include "ops.h"

#define M_FMT 0170000u

struct handle {
	bool used;
	uint8_t kind; /* K_RD or K_TMP */
	uint32_t flags;
	int32_t node;
	uintptr_t owner; /* the connection (its shm address here) */
};

#define K_RD FS_K_RD
#define K_TMP FS_K_TMP

static struct handle handles[FS_HANDLES];
static uint32_t nhandles;

static struct fs_path path; /* one request at a time: off the stack */

/* The node of the whole path, with its trailing "/" applied. */
static int resolve(struct fs_state *s, const struct fs_path *p, uint8_t *kind,
		   int32_t *node)
{
	struct fs_ref r;
	int e = fs_walk(&s->rd, &s->tmp, p, p->n, &r);

	if (e)
		return e;
	if (p->must_dir && !fs_ref_is_dir(&s->rd, &s->tmp, r))
		return -ENOTDIR;
	*kind = r.kind;
	*node = r.node;
	return 0;
}

bool is_dir(const struct fs_state *s, uint8_t kind, int32_t node)
{
	return fs_ref_is_dir(&s->rd, &s->tmp, (struct fs_ref){kind, node});
}

/*
 * The directory the last component would go in, for create and
 * remove: 0 and the tmpfs node, -EROFS (it is in the initrd), -ENOENT,
 * -ENOTDIR.
 */
static int parent_of(struct fs_state *s, const struct fs_path *p, int32_t *dir)
{
	struct fs_ref r;
	int e = fs_walk(&s->rd, &s->tmp, p, p->n - 1, &r);

	if (e)
		return e;
	if (!fs_ref_is_dir(&s->rd, &s->tmp, r))
		return -ENOTDIR;
	if (r.kind == K_RD)
		return -EROFS;
	*dir = r.node;
	return 0;
}

static struct handle *handle_get(int32_t h, uintptr_t conn)
{
	if (h < 0 || h >= FS_HANDLES || !handles[h].used ||
	    handles[h].owner != conn)
		return NULL;
	return &handles[h];
}

static uint32_t count_mine(uintptr_t conn)
{
	uint32_t n = 0;

	for (int i = 0; i < FS_HANDLES; i++)
		n += handles[i].used && handles[i].owner == conn;
	return n;
}

static void handle_close(struct fs_state *s, struct handle *h)
{
	if (h->kind == K_TMP)
		tmp_put(&s->tmp, h->node);
	h->used = false;
	nhandles--;
}

static long op_open(struct fs_state *s, const struct fs_req *q, uintptr_t conn,
		    const char *data)
{
	uint32_t acc = q->flags & FS_O_ACCMODE;
	bool writes = acc != FS_O_RDONLY;
	uint8_t kind;
	int32_t node, dir, h;
	int r;

	if ((q->flags & ~FS_O_ALL) || acc == FS_O_ACCMODE)
		return -EINVAL;
	r = fs_path_parse(data, q->len, &path);
	if (r)
		return r;
	/* Linux takes the fd before it looks the path up. */
	if (count_mine(conn) >= FS_OPEN_MAX)
		return -EMFILE;
	if (nhandles >= FS_HANDLES)
		return -ENFILE;
	r = resolve(s, &path, &kind, &node);
	if (r == 0 && (q->flags & FS_O_CREAT) && (q->flags & FS_O_EXCL))
		return -EEXIST;
	if (r == -ENOENT && (q->flags & FS_O_CREAT)) {
		if (path.must_dir)
			return -EISDIR; /* open("x/", O_CREAT) */
		r = parent_of(s, &path, &dir);
		if (r)
			return r;
		r = tmp_create(&s->tmp, dir, path.comp[path.n - 1],
			       path.len[path.n - 1], FS_TYPE_FILE, &node);
		if (r)
			return r;
		kind = K_TMP;
	}
	if (r)
		return r;
	if (is_dir(s, kind, node)) {
		if (writes || (q->flags & (FS_O_CREAT | FS_O_TRUNC)))
			return -EISDIR;
	} else if (q->flags & FS_O_DIRECTORY) {
		return -ENOTDIR;
	}
	if (kind == K_RD && (writes || (q->flags & FS_O_TRUNC)))
		return -EROFS;
	if (kind == K_TMP && (q->flags & FS_O_TRUNC))
		tmp_truncate(&s->tmp, node, 0); /* to 0: cannot fail */
	for (h = 0; handles[h].used; h++)
		;
	handles[h] = (struct handle){.used = true,
				     .kind = kind,
				     .flags = q->flags,
				     .node = node,
				     .owner = conn};
	nhandles++;
	if (kind == K_TMP)
		tmp_get(&s->tmp, node);
	return h;
}

static long op_read(struct fs_state *s, const struct fs_req *q, uintptr_t conn,
		    char *data, size_t room)
{
	struct handle *h = handle_get(q->handle, conn);
	const struct rd_node *n;
	uint64_t len = q->len;

	if (!h || (h->flags & FS_O_ACCMODE) == FS_O_WRONLY)
		return -EBADF;
	if (is_dir(s, h->kind, h->node))
		return -EISDIR;
	if (q->offset > FS_OFF_MAX || len > room)
		return -EINVAL;
	if (h->kind == K_TMP)
		return tmp_read(&s->tmp, h->node, q->offset, data, len);
	n = &s->rd.nodes[h->node];
	if (q->offset >= n->size)
		return 0;
	if (len > n->size - q->offset)
		len = n->size - q->offset;
	memcpy(data, n->data + q->offset, len);
	return (long)len;
}

static long op_write(struct fs_state *s, const struct fs_req *q, uintptr_t conn,
		     const char *data, size_t room)
{
	struct handle *h = handle_get(q->handle, conn);

	/* Directories and initrd files are never open for writing. */
	if (!h || (h->flags & FS_O_ACCMODE) == FS_O_RDONLY)
		return -EBADF;
	if (q->offset > FS_OFF_MAX || q->len > room)
		return -EINVAL;
	return tmp_write(&s->tmp, h->node, q->offset, data, q->len);
}

static void fill_stat(const struct fs_state *s, uint8_t kind, int32_t node,
		      struct fs_stat *st)
{
	memset(st, 0, sizeof(*st));
	if (kind == K_TMP) {
		const struct tmp_node *n = &s->tmp.nodes[node];

		st->size = n->type == FS_TYPE_DIR ? n->nchildren : n->size;
		st->mode = n->mode;
		st->type = n->type;
		st->ino = 0x100000u + (uint64_t)node;
	} else {
		const struct rd_node *n = &s->rd.nodes[node];

		st->size = n->type == FS_TYPE_DIR
				   ? n->nchildren + (node == 0) /* tmp */
				   : n->size;
		st->mode = n->mode;
		st->type = n->type;
		st->ino = 1u + (uint64_t)node;
	}
}

static long op_stat(struct fs_state *s, const struct fs_req *q, uintptr_t conn,
		    char *data)
{
	struct handle *h;
	struct fs_stat st;
	uint8_t kind;
	int32_t node;
	int r;

	if (q->op == FS_STAT) {
		h = handle_get(q->handle, conn);
		if (!h)
			return -EBADF;
		kind = h->kind;
		node = h->node;
	} else {
		r = fs_path_parse(data, q->len, &path);
		if (!r)
			r = resolve(s, &path, &kind, &node);
		if (r)
			return r;
	}
	fill_stat(s, kind, node, &st);
	memcpy(data, &st, sizeof(st));
	return 0;
}

/* The index'th entry of a directory: its name and type, or false. */
static bool dir_entry(const struct fs_state *s, const struct handle *h,
		      uint64_t index, const char **name, size_t *len,
		      uint8_t *type)
{
	int32_t c;

	if (h->kind == K_TMP) {
		c = tmp_child_at(&s->tmp, h->node, index);
		if (c < 0)
			return false;
		*name = s->tmp.nodes[c].name;
		*len = s->tmp.nodes[c].namelen;
		*type = s->tmp.nodes[c].type;
		return true;
	}
	c = rd_child_at(&s->rd, h->node, index);
	if (c >= 0) {
		*name = s->rd.nodes[c].name;
		*len = s->rd.nodes[c].namelen;
		*type = s->rd.nodes[c].type;
		return true;
	}
	/* The root also holds the tmpfs, after the archive's entries. */
	if (h->node != 0 || index != s->rd.nodes[0].nchildren)
		return false;
	*name = "tmp";
	*len = 3;
	*type = FS_TYPE_DIR;
	return true;
}

static long op_list(struct fs_state *s, struct fs_req *shm_req,
		    const struct fs_req *q, uintptr_t conn, char *data,
		    size_t room)
{
	struct handle *h = handle_get(q->handle, conn);
	uint64_t index = q->offset, used = 0;
	long n = 0;
	const char *name;
	uint8_t type;
	size_t len;

	if (!h)
		return -EBADF;
	if (!is_dir(s, h->kind, h->node))
		return -ENOTDIR;
	if (q->len < room)
		room = q->len;
	while (dir_entry(s, h, index, &name, &len, &type)) {
		size_t rec = (sizeof(struct fs_dirent) + len + 1 + 7) & ~7ul;
		struct fs_dirent d = {.reclen = (uint16_t)rec,
				      .type = type,
				      .namelen = (uint8_t)len};

		if (rec > room - used)
			break;
		memcpy(data + used, &d, sizeof(d));
		memcpy(data + used + sizeof(d), name, len);
		memset(data + used + sizeof(d) + len, 0, rec - sizeof(d) - len);
		used += rec;
		index++;
		n++;
	}
	/* Linux's getdents: a buffer too small for one entry is EINVAL. */
	if (n == 0 && dir_entry(s, h, index, &name, &len, &type))
		return -EINVAL;
	shm_req->offset = index; /* the next call's cookie */
	return n;
}

static long op_close(struct fs_state *s, const struct fs_req *q, uintptr_t conn)
{
	struct handle *h = handle_get(q->handle, conn);

	if (!h)
		return -EBADF;
	handle_close(s, h);
	return 0;
}

/*
 * unlink and mkdir: only /tmp changes. As Linux on a read-only mount,
 * a name in an initrd directory is -EROFS whether it exists or not.
 */
static long op_unlink(struct fs_state *s, const struct fs_req *q,
		      const char *data)
{
	uint8_t kind;
	int32_t node, dir;
	int r = fs_path_parse(data, q->len, &path), found;

	if (r)
		return r;
	/* Linux's rmdir: "." and ".." (EINVAL here), "/", a mount point. */
	if (path.last_dot)
		return -EINVAL;
	found = resolve(s, &path, &kind, &node);
	if (path.n == 0 || (found == 0 && kind == K_TMP && node == 0))
		return -EBUSY;
	r = parent_of(s, &path, &dir);
	if (r)
		return r;
	if (found)
		return found;
	return tmp_unlink(&s->tmp, node);
}

static long op_mkdir(struct fs_state *s, const struct fs_req *q,
		     const char *data)
{
	uint8_t kind;
	int32_t node, dir;
	int r = fs_path_parse(data, q->len, &path);

	if (r)
		return r;
	path.must_dir = false; /* "mkdir a/" makes a */
	r = resolve(s, &path, &kind, &node);
	if (r == 0)
		return -EEXIST;
	if (r != -ENOENT)
		return r;
	r = parent_of(s, &path, &dir);
	if (r)
		return r;
	return tmp_create(&s->tmp, dir, path.comp[path.n - 1],
			  path.len[path.n - 1], FS_TYPE_DIR, &node);
}

static long op_truncate(struct fs_state *s, const struct fs_req *q,
			uintptr_t conn)
{
	struct handle *h = handle_get(q->handle, conn);

	if (!h)
		return -EBADF;
	/* Linux's ftruncate: not open for writing (a directory too). */
	if ((h->flags & FS_O_ACCMODE) == FS_O_RDONLY || q->offset > FS_OFF_MAX)
		return -EINVAL;
	return tmp_truncate(&s->tmp, h->node, q->offset);
}

static long op_info(struct fs_state *s, uintptr_t conn, char *data)
{
	struct fs_info in = {.handles = nhandles,
			     .mine = count_mine(conn),
			     .tmp_nodes = s->tmp.used_nodes,
			     .tmp_pages = s->tmp.pages,
			     .rd_files = s->rd.count};

	memcpy(data, &in, sizeof(in));
	return 0;
}

long fs_dispatch(struct fs_state *s, struct fs_req *shm_req,
		 const struct fs_req *q, uintptr_t conn, char *data,
		 size_t room)
{
	switch (q->op) {
	case FS_OPEN:
		return op_open(s, q, conn, data);
	case FS_READ:
		return op_read(s, q, conn, data, room);
	case FS_WRITE:
		return op_write(s, q, conn, data, room);
	case FS_STAT:
	case FS_STAT_PATH:
		return op_stat(s, q, conn, data);
	case FS_LIST:
		return op_list(s, shm_req, q, conn, data, room);
	case FS_CLOSE:
		return op_close(s, q, conn);
	case FS_UNLINK:
		return op_unlink(s, q, data);
	case FS_MKDIR:
		return op_mkdir(s, q, data);
	case FS_TRUNCATE:
		return op_truncate(s, q, conn);
	case FS_INFO:
		return op_info(s, conn, data);
	}
	return -ENOSYS;
}

void fs_drop_client(struct fs_state *s, uintptr_t conn)
{
	for (int i = 0; i < FS_HANDLES; i++)
		if (handles[i].used && handles[i].owner == conn)
			handle_close(s, &handles[i]);
}
