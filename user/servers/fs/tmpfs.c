/*
 * tmpfs: the writable tree at /tmp, bounded so no client can exhaust
 * the server: FS_TMP_NODES nodes (files and directories, /tmp itself
 * one of them), FS_TMP_PAGES data pages in all, FS_TMP_FILE_MAX bytes a
 * file. Nodes live in a fixed table; a file's bytes live in a store
 * (struct tmp_store_ops) made at its first write, with a bitmap of the
 * pages written: only those count against FS_TMP_PAGES and are read
 * from the store, the rest (holes) read as zeros without touching it.
 * A file unlinked while open stays, out of its directory, until its
 * last close. The caller serialises every call (fs.c holds its lock).
 */
#include <string.h>

#include "fs.h"

#define M_DIR 0040000u
#define M_REG 0100000u

static bool page_has(const struct tmp_node *n, uint64_t pg)
{
	return n->present[pg / 8] & (1u << (pg % 8));
}

static void page_set(struct tmp_node *n, uint64_t pg)
{
	n->present[pg / 8] |= (uint8_t)(1u << (pg % 8));
}

void tmp_init(struct tmpfs *fs, const struct tmp_store_ops *ops, void *ctx)
{
	struct tmp_node *root = &fs->nodes[0];

	memset(fs->nodes, 0, sizeof(fs->nodes));
	fs->ops = ops;
	fs->ctx = ctx;
	fs->pages = 0;
	root->used = root->linked = true;
	root->type = FS_TYPE_DIR;
	root->mode = M_DIR | 01777; /* as Linux's /tmp */
	root->parent = -1;
	root->store = -1;
	memcpy(root->name, "tmp", 4);
	root->namelen = 3;
	fs->used_nodes = 1;
}

int32_t tmp_child(const struct tmpfs *fs, int32_t dir, const char *name,
		  size_t len)
{
	for (int32_t i = 1; i < FS_TMP_NODES; i++) {
		const struct tmp_node *n = &fs->nodes[i];

		if (n->used && n->linked && n->parent == dir &&
		    n->namelen == len && !memcmp(n->name, name, len))
			return i;
	}
	return -1;
}

int tmp_create(struct tmpfs *fs, int32_t dir, const char *name, size_t len,
	       uint8_t type, int32_t *node)
{
	struct tmp_node *n;
	int32_t i;

	if (len == 0 || len > FS_NAME_MAX)
		return -EINVAL;
	if (tmp_child(fs, dir, name, len) >= 0)
		return -EEXIST;
	for (i = 1; i < FS_TMP_NODES && fs->nodes[i].used; i++)
		;
	if (i == FS_TMP_NODES)
		return -ENOSPC;
	n = &fs->nodes[i];
	memset(n, 0, sizeof(*n));
	n->used = n->linked = true;
	n->type = type;
	n->mode = type == FS_TYPE_DIR ? M_DIR | 0755 : M_REG | 0644;
	memcpy(n->name, name, len);
	n->name[len] = '\0';
	n->namelen = (uint8_t)len;
	n->parent = dir;
	n->store = -1;
	fs->nodes[dir].nchildren++;
	fs->used_nodes++;
	*node = i;
	return 0;
}

/* Drops a file's bytes: store and pages. */
static void data_free(struct tmpfs *fs, struct tmp_node *n)
{
	if (n->store >= 0)
		fs->ops->destroy(fs->ctx, n->store);
	n->store = -1;
	fs->pages -= n->npages;
	n->npages = 0;
	memset(n->present, 0, sizeof(n->present));
}

static void node_free(struct tmpfs *fs, struct tmp_node *n)
{
	data_free(fs, n);
	n->used = false;
	fs->used_nodes--;
}

int tmp_unlink(struct tmpfs *fs, int32_t node)
{
	struct tmp_node *n = &fs->nodes[node];

	if (node == 0)
		return -EBUSY; /* Linux: rmdir of a mount point */
	if (n->type == FS_TYPE_DIR && n->nchildren)
		return -ENOTEMPTY;
	n->linked = false;
	fs->nodes[n->parent].nchildren--;
	if (!n->opens)
		node_free(fs, n);
	return 0;
}

void tmp_get(struct tmpfs *fs, int32_t node)
{
	fs->nodes[node].opens++;
}

void tmp_put(struct tmpfs *fs, int32_t node)
{
	struct tmp_node *n = &fs->nodes[node];

	if (--n->opens == 0 && !n->linked)
		node_free(fs, n);
}

long tmp_read(struct tmpfs *fs, int32_t node, uint64_t off, void *buf,
	      size_t len)
{
	struct tmp_node *n = &fs->nodes[node];
	size_t done = 0;

	if (off >= n->size)
		return 0;
	if (len > n->size - off)
		len = n->size - off;
	/* Page by page: a hole is zeros, never a store read. */
	while (done < len) {
		uint64_t at = off + done, pg = at / TMP_PAGE;
		size_t k = TMP_PAGE - at % TMP_PAGE;
		int r;

		if (k > len - done)
			k = len - done;
		if (!page_has(n, pg)) {
			memset((char *)buf + done, 0, k);
		} else {
			/* A run of written pages in one store read. */
			while (done + k < len &&
			       page_has(n, (at + k) / TMP_PAGE))
				k += len - done - k < TMP_PAGE ? len - done - k
							       : TMP_PAGE;
			r = fs->ops->read(fs->ctx, n->store, at,
					  (char *)buf + done, k);
			if (r < 0)
				return done ? (long)done : r;
		}
		done += k;
	}
	return (long)done;
}

long tmp_write(struct tmpfs *fs, int32_t node, uint64_t off, const void *buf,
	       size_t len)
{
	struct tmp_node *n = &fs->nodes[node];
	size_t done = 0;

	if (off >= FS_TMP_FILE_MAX)
		return len ? -EFBIG : 0;
	if (len > FS_TMP_FILE_MAX - off)
		len = FS_TMP_FILE_MAX -
		      off; /* short, as Linux past RLIMIT_FSIZE */
	if (len && n->store < 0) {
		long s = fs->ops->create(fs->ctx);

		if (s < 0)
			return s;
		n->store = s;
	}
	while (done < len) {
		uint64_t at = off + done, pg = at / TMP_PAGE;
		size_t k = TMP_PAGE - at % TMP_PAGE;
		int r;

		if (k > len - done)
			k = len - done;
		if (!page_has(n, pg)) {
			if (fs->pages >= FS_TMP_PAGES)
				break; /* out of space: what fitted, or ENOSPC
					*/
			page_set(n, pg);
			n->npages++;
			fs->pages++;
		}
		r = fs->ops->write(fs->ctx, n->store, at,
				   (const char *)buf + done, k);
		if (r < 0)
			return done ? (long)done : r;
		done += k;
		if (at + k > n->size)
			n->size = at + k;
	}
	if (done == 0 && len)
		return -ENOSPC;
	return (long)done;
}

int tmp_truncate(struct tmpfs *fs, int32_t node, uint64_t size)
{
	struct tmp_node *n = &fs->nodes[node];
	uint64_t keep = (size + TMP_PAGE - 1) / TMP_PAGE;
	long s;

	if (size > FS_TMP_FILE_MAX)
		return -EFBIG;
	if (size >= n->size) {
		n->size = size; /* a hole: no pages */
		return 0;
	}
	if (size == 0) {
		data_free(fs, n);
		n->size = 0;
		return 0;
	}
	/*
	 * Shrinking: a store cannot give single pages back, so the kept
	 * pages move to a new one (the last only up to `size`: the rest of
	 * it reads as zeros if the file grows again), the old one goes.
	 */
	s = fs->ops->create(fs->ctx);
	if (s < 0)
		return (int)s;
	for (uint64_t pg = 0; pg < keep; pg++) {
		uint64_t at = pg * TMP_PAGE;
		size_t k = size - at < TMP_PAGE ? size - at : TMP_PAGE;

		if (!page_has(n, pg))
			continue;
		if (fs->ops->read(fs->ctx, n->store, at, fs->bounce, k) < 0 ||
		    fs->ops->write(fs->ctx, s, at, fs->bounce, k) < 0) {
			fs->ops->destroy(fs->ctx, s);
			return -ENOMEM;
		}
	}
	fs->ops->destroy(fs->ctx, n->store);
	n->store = s;
	for (uint64_t pg = keep; pg < TMP_FILE_PAGES; pg++) {
		if (!page_has(n, pg))
			continue;
		n->present[pg / 8] &= (uint8_t) ~(1u << (pg % 8));
		n->npages--;
		fs->pages--;
	}
	n->size = size;
	return 0;
}

int32_t tmp_child_at(const struct tmpfs *fs, int32_t dir, uint64_t index)
{
	for (int32_t i = 1; i < FS_TMP_NODES; i++) {
		const struct tmp_node *n = &fs->nodes[i];

		if (n->used && n->linked && n->parent == dir && index-- == 0)
			return i;
	}
	return -1;
}
