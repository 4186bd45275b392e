/* The file server's operations (ops.c), behind fs.c's lock. */
#ifndef FS_OPS_H
#define FS_OPS_H

#include "fs.h"

#define FS_HANDLES 1024	 /* open handles, all clients (-ENFILE past) */
#define FS_RD_NODES 4096 /* initrd files and directories */

struct fs_state {
	struct rd_tree rd;
	struct tmpfs tmp;
};

/*
 * Serves one request `q` (a copy the client cannot change) from
 * connection `conn` (its shm address: see ops.c): `data` is the shm's data
 * area, `room` its true size; `shm_req` the request in the shm, where a list's
 * next cookie goes. The call's return value.
 */
long fs_dispatch(struct fs_state *s, struct fs_req *shm_req,
		 const struct fs_req *q, uintptr_t conn, char *data,
		 size_t room);
/* Closes every handle of connection `conn` (it has closed). */
void fs_drop_client(struct fs_state *s, uintptr_t conn);
bool is_dir(const struct fs_state *s, uint8_t kind, int32_t node);

#endif
