/*
 * The name server's tables and name rules (registry.h; docs/naming.md).
 * Plain C over fixed arrays: every table is bounded, a full one is
 * -ENOSPC, and nothing here allocates.
 */
#include <errno.h> /* before the uapi list, which then keeps libc's values */
#include <string.h>

#include <uapi/ferry/errno.h>

#include "registry.h"

static int name_byte(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '-' || c == '_';
}

int ns_name_check(const char *name, size_t len)
{
	int dot = 1; /* the previous byte was a dot (or none yet) */

	if (len >= NS_NAME_MAX)
		return -ENAMETOOLONG;
	if (len == 0)
		return -EINVAL;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)name[i];

		if (c == '.') {
			if (dot)
				return -EINVAL; /* leading or double dot */
			dot = 1;
		} else if (name_byte(c)) {
			dot = 0;
		} else {
			return -EINVAL; /* NUL, blank, control, non-ASCII */
		}
	}
	return dot ? -EINVAL : 0; /* a trailing dot */
}

int ns_prefix_check(const char *prefix, size_t len)
{
	return len == 0 ? 0 : ns_name_check(prefix, len);
}

int ns_prefix_covers(const char *prefix, const char *name)
{
	size_t n = strlen(prefix);

	if (n == 0)
		return 1;
	return !strncmp(prefix, name, n) && (name[n] == 0 || name[n] == '.');
}

int ns_name_reserved(const char *name)
{
	return ns_prefix_covers("ferry", name);
}

int ns_find(const struct ns_registry *r, const char *name)
{
	for (int i = 0; i < NS_MAX_NAMES; i++)
		if (r->names[i].used && !strcmp(r->names[i].name, name))
			return i;
	return -ENOENT;
}

int ns_add(struct ns_registry *r, const char *name, uint64_t owner)
{
	int free = -1, mine = 0;

	for (int i = 0; i < NS_MAX_NAMES; i++) {
		const struct ns_entry *e = &r->names[i];

		if (!e->used) {
			if (free < 0)
				free = i;
			continue;
		}
		if (!strcmp(e->name, name))
			return -EEXIST;
		mine += e->owner == owner;
	}
	if (free < 0 || mine >= NS_MAX_NAMES_PROC)
		return -ENOSPC;
	memset(&r->names[free], 0, sizeof(r->names[free]));
	r->names[free].used = 1;
	strncpy(r->names[free].name, name, NS_NAME_MAX - 1);
	r->names[free].owner = owner;
	r->names[free].server = -1;
	return free;
}

void ns_remove(struct ns_registry *r, int i)
{
	memset(&r->names[i], 0, sizeof(r->names[i]));
	r->names[i].server = -1;
}

int ns_right_add(struct ns_registry *r, const char *prefix, uintptr_t conn,
		 int parent)
{
	for (int i = 0; i < NS_MAX_RIGHTS; i++) {
		struct ns_right *g = &r->rights[i];

		if (g->used)
			continue;
		memset(g, 0, sizeof(*g));
		g->used = 1;
		strncpy(g->prefix, prefix, NS_NAME_MAX - 1);
		g->conn = conn;
		g->parent = parent;
		g->token = -1;
		return i;
	}
	return -ENOSPC;
}

/* Is right i granted from a right in `gone` (by its chain of parents)? */
static int from_revoked(const struct ns_registry *r, int i, const char *gone)
{
	/* The chain is at most NS_MAX_RIGHTS long: parents are older. */
	for (int hops = 0; i >= 0 && hops < NS_MAX_RIGHTS; hops++) {
		if (gone[i])
			return 1;
		i = r->rights[i].parent;
	}
	return 0;
}

int ns_rights_revoke(struct ns_registry *r, uintptr_t conn, int32_t *tokens)
{
	char gone[NS_MAX_RIGHTS] = {0};
	int out[NS_MAX_RIGHTS], n = 0;

	if (!conn)
		return 0; /* the root is never revoked */
	for (int i = 0; i < NS_MAX_RIGHTS; i++)
		gone[i] = r->rights[i].used && r->rights[i].conn == conn;
	for (int i = 0; i < NS_MAX_RIGHTS; i++)
		if (r->rights[i].used && from_revoked(r, i, gone))
			out[n++] = i;
	for (int k = 0; k < n; k++) {
		tokens[k] = r->rights[out[k]].token;
		memset(&r->rights[out[k]], 0, sizeof(r->rights[out[k]]));
		r->rights[out[k]].parent = -1;
		r->rights[out[k]].token = -1;
	}
	return n;
}

int ns_wait_add(struct ns_registry *r, const char *name, uint64_t owner)
{
	int free = -1, mine = 0;

	for (int i = 0; i < NS_MAX_WAITERS; i++) {
		if (!r->waiters[i].used) {
			if (free < 0)
				free = i;
			continue;
		}
		mine += r->waiters[i].owner == owner;
	}
	if (free < 0 || mine >= NS_MAX_WAITERS_PROC)
		return -ENOSPC;
	r->waiters[free].used = 1;
	memset(r->waiters[free].name, 0, NS_NAME_MAX);
	strncpy(r->waiters[free].name, name, NS_NAME_MAX - 1);
	r->waiters[free].owner = owner;
	return free; /* notif stays: the server made it once */
}

void ns_wait_remove(struct ns_registry *r, int i)
{
	r->waiters[i].used = 0;
	r->waiters[i].owner = 0;
}

int ns_waiters_of(const struct ns_registry *r, const char *name, int *out)
{
	int n = 0;

	for (int i = 0; i < NS_MAX_WAITERS; i++)
		if (r->waiters[i].used && !strcmp(r->waiters[i].name, name))
			out[n++] = i;
	return n;
}
