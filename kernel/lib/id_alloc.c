/* Cyclic allocation of small ids from a bitmap (see id_alloc.h). */
#include <lib/id_alloc.h>
#include <lib/string.h>

void id_space_init(struct id_space *ids, u64 *bits, u32 max)
{
	lock_init(&ids->lock);
	ids->max = max;
	ids->next = 1;
	ids->used = 0;
	ids->bits = bits;
	memset(bits, 0, max / 8);
	bits[0] = 1; /* id 0 is never handed out: it means "none" */
}

/* The first clear bit at or after `from` and below ids->max, or 0. */
static u32 find_clear_locked(struct id_space *ids, u32 from)
{
	for (u32 w = from / 64; w < ids->max / 64; w++) {
		u64 free = ~ids->bits[w];

		if (w == from / 64)
			free &= ~0ul << (from % 64);
		if (free)
			return w * 64 + (u32)__builtin_ctzll(free);
	}
	return 0;
}

u32 id_alloc(struct id_space *ids)
{
	u32 id;

	lock(&ids->lock);
	id = find_clear_locked(ids, ids->next);
	if (!id)
		id = find_clear_locked(ids, 1);
	if (id) {
		ids->bits[id / 64] |= 1ul << (id % 64);
		ids->used++;
		ids->next = id + 1 < ids->max ? id + 1 : 1;
	}
	unlock(&ids->lock);
	return id;
}

void id_free(struct id_space *ids, u32 id)
{
	u64 mask = 1ul << (id % 64);

	if (id == 0 || id >= ids->max)
		return;
	lock(&ids->lock);
	if (ids->bits[id / 64] & mask) {
		ids->bits[id / 64] &= ~mask;
		ids->used--;
	}
	unlock(&ids->lock);
}
