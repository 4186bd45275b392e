/*
 * System V shm's id and key table (Linux's struct ipc_ids, ipc/util.c),
 * and its permission rules (ipcperms). Pure bookkeeping: no locks (the
 * caller holds shm.c's lock), no allocation, no user memory, so the
 * hosted unit tests drive it directly (tests/unit/test_shm_ids.c).
 *
 * Ids are Linux 6.1's: id = seq << 15 | index. An index is taken
 * cyclically (idr_alloc_cyclic) from just after the last one given,
 * below max(in_use * 3 / 2, 64); seq goes up by one each time the
 * cursor wraps (an index at or below the last one taken), so an index
 * comes back late and with another seq: a stale id finds either no
 * segment or one whose seq differs, and both are -EINVAL (ipc_checkid).
 * With at most SHM_MNI segments, indices stay below SHM_IDX_MAX.
 */
#ifndef KERNEL_SYSCALL_LINUX_SHM_IDS_H
#define KERNEL_SYSCALL_LINUX_SHM_IDS_H

#include <lib/types.h>

#define SHM_MNI 4096	  /* SHMMNI: segments at once, system-wide */
#define SHM_SEQ_SHIFT 15  /* IPCMNI_SHIFT: id = seq << 15 | index */
#define SHM_SEQ_MAX 65535 /* ipcid_seq_max(): INT_MAX >> 15 */
#define SHM_MIN_CYCLE 64  /* ipc_min_cycle: RADIX_TREE_MAP_SIZE */
#define SHM_IDX_MAX (SHM_MNI * 3 / 2) /* max(in_use * 3 / 2, 64) */

struct shm_ids {
	void *obj[SHM_IDX_MAX]; /* the segment at each index, or NULL */
	u16 seq[SHM_IDX_MAX];	/* its seq */
	s32 key[SHM_IDX_MAX];	/* its key; 0 (IPC_PRIVATE): none */
	u32 in_use;		/* segments in the table */
	int max_idx;		/* the highest index in use, or -1 */
	int last_idx;		/* the index taken last, or -1 */
	u32 next;		/* idr_alloc_cyclic's cursor */
	u32 cur_seq;		/* the seq new ids get */
};

void shm_ids_init(struct shm_ids *ids);
/*
 * Enters obj under key (0: private) as ipc_addid does: its id, or
 * -ENOSPC when `limit` segments (at most SHM_MNI) are in use already.
 */
int shm_ids_add(struct shm_ids *ids, void *obj, s32 key, u32 limit);
/* The segment an id names (index and seq both), or NULL (-EINVAL). */
void *shm_ids_find(const struct shm_ids *ids, int id);
/*
 * The segment at id's index whatever its seq (SHM_STAT takes an index;
 * Linux masks the id to its low 15 bits), or NULL.
 */
void *shm_ids_find_index(const struct shm_ids *ids, int id);
/* The full id of what find/find_index found there (index and seq). */
int shm_ids_id_of(const struct shm_ids *ids, int id);
/* The id of the segment with this key (not 0), or -ENOENT. */
int shm_ids_find_key(const struct shm_ids *ids, s32 key);
/* Its key becomes IPC_PRIVATE (IPC_RMID of an attached segment). */
void shm_ids_set_private(struct shm_ids *ids, int id);
s32 shm_ids_key(const struct shm_ids *ids, int id);
/* Takes the segment out; its index may come back (with another seq). */
void shm_ids_remove(struct shm_ids *ids, int id);
/* ipc_get_maxidx(): -1 if empty, else the highest index in use. */
int shm_ids_max_idx(const struct shm_ids *ids);

/* Who asks (Linux's euid, egid and capabilities). */
struct shm_cred {
	u32 uid, gid;
	bool ipc_owner; /* CAP_IPC_OWNER: rwx checks pass */
	bool sys_admin; /* CAP_SYS_ADMIN: IPC_SET/IPC_RMID of anyone's */
	bool ipc_lock;	/* CAP_IPC_LOCK: SHM_LOCK of anyone's */
};
/* A segment's owner and creator (struct kern_ipc_perm's ids, its mode). */
struct shm_perm {
	u32 uid, gid, cuid, cgid;
	u32 mode;
};
/*
 * ipcperms(): may c have the access `flag` asks for (its low 9 bits,
 * rwx for owner, group, other, folded as Linux folds them; Linux takes
 * flag as a short)? The owner's bits if c's uid is the owner or the
 * creator, else the group's if its gid is either group, else other's.
 */
bool shm_perm_ok(const struct shm_perm *p, const struct shm_cred *c, int flag);
/* The owner or creator, or CAP_SYS_ADMIN (ipcctl_obtain_check). */
bool shm_perm_owner(const struct shm_perm *p, const struct shm_cred *c);

#endif
