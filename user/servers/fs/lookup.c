/*
 * Path lookup over both trees: the initrd's (the root) and the tmpfs
 * mounted at /tmp. ".." is walked, not cut out of the path text, so a
 * file followed by ".." is -ENOTDIR as on Linux, and /tmp/.. is the
 * root. Nothing here can leave the root: the root's parent is itself.
 */
#include "fs.h"

bool fs_ref_is_dir(const struct rd_tree *rd, const struct tmpfs *tmp,
		   struct fs_ref r)
{
	if (r.kind == FS_K_TMP)
		return tmp->nodes[r.node].type == FS_TYPE_DIR;
	return rd->nodes[r.node].type == FS_TYPE_DIR;
}

int fs_walk(const struct rd_tree *rd, const struct tmpfs *tmp,
	    const struct fs_path *p, int n, struct fs_ref *out)
{
	struct fs_ref cur = {FS_K_RD, 0};

	for (int i = 0; i < n; i++) {
		const char *c = p->comp[i];
		size_t len = p->len[i];

		if (!fs_ref_is_dir(rd, tmp, cur))
			return -ENOTDIR;
		if (fs_path_is_dotdot(p, i)) {
			if (cur.kind == FS_K_TMP && cur.node == 0)
				cur = (struct fs_ref){FS_K_RD, 0};
			else if (cur.kind == FS_K_TMP)
				cur.node = tmp->nodes[cur.node].parent;
			else if (cur.node != 0)
				cur.node = rd->nodes[cur.node].parent;
			continue;
		}
		if (tmp && cur.kind == FS_K_RD && cur.node == 0 && len == 3 &&
		    c[0] == 't' && c[1] == 'm' && c[2] == 'p') {
			cur = (struct fs_ref){FS_K_TMP, 0};
			continue;
		}
		cur.node = cur.kind == FS_K_TMP
				   ? tmp_child(tmp, cur.node, c, len)
				   : rd_child(rd, cur.node, c, len);
		if (cur.node < 0)
			return -ENOENT;
	}
	*out = cur;
	return 0;
}
