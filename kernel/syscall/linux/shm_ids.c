/* System V shm's id and key table; see shm_ids.h (Linux ipc/util.c). */
#include <syscall/linux/shm_ids.h>
#include <uapi/ferry/errno.h>

void shm_ids_init(struct shm_ids *ids)
{
	for (int i = 0; i < SHM_IDX_MAX; i++) {
		ids->obj[i] = NULL;
		ids->seq[i] = 0;
		ids->key[i] = 0;
	}
	ids->in_use = 0;
	ids->max_idx = -1;
	ids->last_idx = -1;
	ids->next = 0;
	ids->cur_seq = 0;
}

/* The lowest free index in [from, end), or -1. */
static int free_index(const struct shm_ids *ids, u32 from, u32 end)
{
	for (u32 i = from; i < end; i++)
		if (!ids->obj[i])
			return (int)i;
	return -1;
}

int shm_ids_add(struct shm_ids *ids, void *obj, s32 key, u32 limit)
{
	u32 end;
	int idx;

	if (limit > SHM_MNI)
		limit = SHM_MNI;
	if (ids->in_use >= limit)
		return -ENOSPC;
	/* ipc_idr_alloc: idr_alloc_cyclic below max(in_use * 3/2, 64). */
	end = ids->in_use * 3 / 2;
	if (end < SHM_MIN_CYCLE)
		end = SHM_MIN_CYCLE;
	idx = free_index(ids, ids->next, end);
	if (idx < 0 && ids->next > 0)
		idx = free_index(ids, 0, end);
	if (idx < 0)
		return -ENOSPC; /* cannot happen: in_use < end */
	ids->next = (u32)idx + 1;
	if (idx <= ids->last_idx && ++ids->cur_seq >= SHM_SEQ_MAX)
		ids->cur_seq = 0;
	ids->last_idx = idx;
	ids->obj[idx] = obj;
	ids->seq[idx] = (u16)ids->cur_seq;
	ids->key[idx] = key;
	ids->in_use++;
	if (idx > ids->max_idx)
		ids->max_idx = idx;
	return (int)(ids->cur_seq << SHM_SEQ_SHIFT) | idx;
}

static int index_of(int id)
{
	return id & ((1 << SHM_SEQ_SHIFT) - 1);
}

void *shm_ids_find_index(const struct shm_ids *ids, int id)
{
	int idx = index_of(id);

	if (id < 0 || idx >= SHM_IDX_MAX)
		return NULL;
	return ids->obj[idx];
}

void *shm_ids_find(const struct shm_ids *ids, int id)
{
	void *obj = shm_ids_find_index(ids, id);

	if (!obj || ids->seq[index_of(id)] != (u32)id >> SHM_SEQ_SHIFT)
		return NULL;
	return obj;
}

int shm_ids_id_of(const struct shm_ids *ids, int id)
{
	int idx = index_of(id);

	return (int)((u32)ids->seq[idx] << SHM_SEQ_SHIFT) | idx;
}

int shm_ids_find_key(const struct shm_ids *ids, s32 key)
{
	if (key == 0)
		return -ENOENT;
	for (int i = 0; i <= ids->max_idx; i++)
		if (ids->obj[i] && ids->key[i] == key)
			return shm_ids_id_of(ids, i);
	return -ENOENT;
}

void shm_ids_set_private(struct shm_ids *ids, int id)
{
	ids->key[index_of(id)] = 0;
}

s32 shm_ids_key(const struct shm_ids *ids, int id)
{
	return ids->key[index_of(id)];
}

void shm_ids_remove(struct shm_ids *ids, int id)
{
	int idx = index_of(id);

	if (!ids->obj[idx])
		return;
	ids->obj[idx] = NULL;
	ids->key[idx] = 0;
	ids->in_use--;
	/* ipc_rmid: max_idx falls to the next index still in use. */
	if (idx == ids->max_idx) {
		do
			idx--;
		while (idx >= 0 && !ids->obj[idx]);
		ids->max_idx = idx;
	}
}

int shm_ids_max_idx(const struct shm_ids *ids)
{
	return ids->in_use ? ids->max_idx : -1;
}

bool shm_perm_ok(const struct shm_perm *p, const struct shm_cred *c, int flag)
{
	int want = (short)flag;
	u32 granted = p->mode;

	want = (want >> 6) | (want >> 3) | want;
	if (c->uid == p->cuid || c->uid == p->uid)
		granted >>= 6;
	else if (c->gid == p->cgid || c->gid == p->gid)
		granted >>= 3;
	return !(want & ~granted & 07) || c->ipc_owner;
}

bool shm_perm_owner(const struct shm_perm *p, const struct shm_cred *c)
{
	return c->uid == p->cuid || c->uid == p->uid || c->sys_admin;
}
