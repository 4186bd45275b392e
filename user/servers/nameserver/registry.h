/*
 * The name server's pure logic (registry.c): name rules, the registry's
 * table, the table of registration rights and the waiting lookups. No
 * system call here: the server (main.c) keeps the capabilities these
 * tables name by slot number, and tests/unit/test_ns_registry.c links
 * this file on the host.
 *
 * Locking: none here; the server calls everything under its one lock.
 */
#ifndef NAMESERVER_REGISTRY_H
#define NAMESERVER_REGISTRY_H

#include <stddef.h>
#include <stdint.h>

#include <uapi/ferry/proto/ns.h>

/*
 * Checks a name of len bytes (no NUL needed): 0, -EINVAL (empty, a byte
 * outside [A-Za-z0-9._-], an empty component), -ENAMETOOLONG (len >=
 * NS_NAME_MAX). Length first: an over-long name is -ENAMETOOLONG
 * whatever its bytes, as Linux checks a path's length before its parts.
 */
int ns_name_check(const char *name, size_t len);
/* A prefix: "" (len 0), or a valid name. */
int ns_prefix_check(const char *prefix, size_t len);
/* 1 if prefix covers name (both checked, NUL-terminated), else 0. */
int ns_prefix_covers(const char *prefix, const char *name);
/* 1 if the name is the system's ("ferry" or "ferry.*"). */
int ns_name_reserved(const char *name);

/* One registered name. */
struct ns_entry {
	int used;
	char name[NS_NAME_MAX];
	uint64_t owner; /* the registering process's badge */
	int32_t server; /* our slot of the server thread (main.c) */
	/*
	 * The connection it was registered on (its shm address), when
	 * registered without a right: the name goes when that connection
	 * closes. 0: registered with a right, kept until its service dies.
	 */
	uintptr_t conn;
};

/* A registration right: a token object only the name server mints. */
struct ns_right {
	int used;
	char prefix[NS_NAME_MAX];
	int32_t token;	/* our slot of the token (compared by SYS_cap_same) */
	uintptr_t conn; /* the connection it was granted on; 0: the root */
	uint64_t owner; /* the badge of the process it was granted to */
	int parent;	/* the right it was granted from; -1: the root */
};

/* A lookup waiting for a name. */
struct ns_waiter {
	int used;
	char name[NS_NAME_MAX];
	uint64_t owner; /* the waiting process's badge */
	int32_t notif;	/* its notification (main.c makes them at start) */
};

struct ns_registry {
	struct ns_entry names[NS_MAX_NAMES];
	struct ns_right rights[NS_MAX_RIGHTS];
	struct ns_waiter waiters[NS_MAX_WAITERS];
};

/* The entry index of name, or -ENOENT. */
int ns_find(const struct ns_registry *r, const char *name);
/*
 * Takes an entry for name (checked) on behalf of process `owner`: its
 * index, -EEXIST, or -ENOSPC (the table full, or owner holding
 * NS_MAX_NAMES_PROC). The caller fills in `server`.
 */
int ns_add(struct ns_registry *r, const char *name, uint64_t owner);
void ns_remove(struct ns_registry *r, int i);

/*
 * A free right's index for prefix, granted on conn from parent:
 * -ENOSPC if none is free. The caller fills in `token`.
 */
int ns_right_add(struct ns_registry *r, const char *prefix, uintptr_t conn,
		 int parent);
/*
 * Revokes every right granted on conn, and every right granted from one
 * of those (transitively): the entries are freed, their tokens go into
 * tokens (room for NS_MAX_RIGHTS); returns how many. The caller deletes
 * the tokens. The root (conn 0) is never revoked.
 */
int ns_rights_revoke(struct ns_registry *r, uintptr_t conn, int32_t *tokens);

/*
 * A waiter slot for name on behalf of owner: its index, or -ENOSPC
 * (none free, or owner holding NS_MAX_WAITERS_PROC).
 */
int ns_wait_add(struct ns_registry *r, const char *name, uint64_t owner);
void ns_wait_remove(struct ns_registry *r, int i);
/* The waiters for name: their indexes into out; how many. */
int ns_waiters_of(const struct ns_registry *r, const char *name, int *out);

#endif
