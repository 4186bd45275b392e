/*
 * The initrd's tree: one node per file and directory of the archive,
 * the directories its file names imply made on the way ("tests/foo"
 * makes "tests"). Names point into the archive (which stays mapped,
 * read-only, for the server's life); children are kept in archive order
 * on a list per directory. Built once at start; read-only afterwards,
 * so lookups need no lock.
 */
#include <string.h>

#include "fs.h"

#define M_FMT 0170000u
#define M_REG 0100000u
#define M_DIR 0040000u
#define DIR_MODE (M_DIR | 0755u)

int32_t rd_child(const struct rd_tree *t, int32_t dir, const char *name,
		 size_t len)
{
	for (int32_t c = t->nodes[dir].first; c >= 0; c = t->nodes[c].next)
		if (t->nodes[c].namelen == len &&
		    !memcmp(t->nodes[c].name, name, len))
			return c;
	return -1;
}

static int32_t node_new(struct rd_tree *t, int32_t parent, const char *name,
			size_t len, uint8_t type, uint32_t mode)
{
	struct rd_node *n, *p = &t->nodes[parent];
	int32_t i;

	if (t->count >= t->max)
		return -1;
	i = (int32_t)t->count++;
	n = &t->nodes[i];
	memset(n, 0, sizeof(*n));
	n->name = name;
	n->namelen = (uint16_t)len;
	n->type = type;
	n->mode = mode;
	n->parent = parent;
	n->first = n->last = n->next = -1;
	if (p->last >= 0)
		t->nodes[p->last].next = i;
	else
		p->first = i;
	p->last = i;
	p->nchildren++;
	return i;
}

static void tree_reset(struct rd_tree *t)
{
	struct rd_node *root = &t->nodes[0];

	memset(root, 0, sizeof(*root));
	root->name = "";
	root->type = FS_TYPE_DIR;
	root->mode = DIR_MODE;
	root->parent = root->first = root->last = root->next = -1;
	t->count = 1;
}

/* Splits a canonical name into components; false if it is not one. */
static bool name_split(const char *s, size_t len, const char **comp,
		       size_t *clen, int *n)
{
	size_t i = 0;

	*n = 0;
	if (len >= 2 && s[0] == '.' && s[1] == '/') {
		s += 2;
		len -= 2;
	} else if (len >= 1 && s[0] == '/') {
		s++;
		len--;
	}
	if (len == 0 || len >= FS_PATH_MAX)
		return false;
	while (i <= len) {
		size_t start = i;

		while (i < len && s[i] != '/')
			i++;
		if (i == start || i - start > FS_NAME_MAX)
			return false;
		if ((i - start == 1 && s[start] == '.') ||
		    (i - start == 2 && !memcmp(s + start, "..", 2)))
			return false;
		comp[*n] = s + start;
		clen[*n] = i - start;
		(*n)++;
		i++; /* past the '/' (or the end) */
	}
	/* The tmpfs is mounted at /tmp: nothing of the archive there. */
	return !(clen[0] == 3 && !memcmp(comp[0], "tmp", 3));
}

/* Adds one entry: 1 taken, 0 skipped, -ENOSPC out of nodes. */
static int add_entry(struct rd_tree *t, const struct cpio_ent *e)
{
	const char *comp[FS_PATH_COMPS];
	size_t clen[FS_PATH_COMPS];
	uint32_t fmt = e->mode & M_FMT;
	int32_t cur = 0, c;
	int n;

	if (fmt != M_REG && fmt != M_DIR)
		return 0;
	if (!name_split(e->name, e->namelen, comp, clen, &n))
		return 0;
	for (int i = 0; i < n - 1; i++) {
		c = rd_child(t, cur, comp[i], clen[i]);
		if (c >= 0 && t->nodes[c].type != FS_TYPE_DIR)
			return 0; /* a file named as a directory */
		if (c < 0)
			c = node_new(t, cur, comp[i], clen[i], FS_TYPE_DIR,
				     DIR_MODE);
		if (c < 0)
			return -ENOSPC;
		cur = c;
	}
	c = rd_child(t, cur, comp[n - 1], clen[n - 1]);
	if (c >= 0) {
		/* A directory's own entry after a file inside it: its mode. */
		if (fmt == M_DIR && t->nodes[c].type == FS_TYPE_DIR) {
			t->nodes[c].mode = e->mode;
			return 1;
		}
		return 0; /* given twice */
	}
	c = node_new(t, cur, comp[n - 1], clen[n - 1],
		     fmt == M_DIR ? FS_TYPE_DIR : FS_TYPE_FILE, e->mode);
	if (c < 0)
		return -ENOSPC;
	if (fmt == M_REG) {
		t->nodes[c].data = e->data;
		t->nodes[c].size = e->size;
	}
	return 1;
}

int rd_build(struct rd_tree *t, struct rd_node *nodes, uint32_t max,
	     const void *archive, size_t size)
{
	size_t cursor = 0;
	struct cpio_ent e;
	int r;

	t->nodes = nodes;
	t->max = max;
	t->skipped = 0;
	if (max < 1)
		return -ENOSPC;
	tree_reset(t);
	while ((r = fs_cpio_next(archive, size, &cursor, &e)) == 1) {
		int a = add_entry(t, &e);

		if (a < 0) {
			tree_reset(t);
			return a;
		}
		t->skipped += a == 0;
	}
	if (r < 0)
		tree_reset(t);
	return r;
}

int32_t rd_child_at(const struct rd_tree *t, int32_t dir, uint64_t index)
{
	int32_t c = t->nodes[dir].first;

	if (index >= t->nodes[dir].nchildren)
		return -1;
	while (index-- && c >= 0)
		c = t->nodes[c].next;
	return c;
}
