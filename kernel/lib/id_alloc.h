/*
 * A bounded space of small integer ids (1..max-1), as Linux's pid
 * allocator: one bit per id, handed out cyclically from just after the
 * last one given, so a freed id comes back as late as possible. Ferry's
 * pids and tids share one such space (kernel/object/task_id.c), so every
 * id names one process or thread, and a main thread's tid is its pid.
 *
 * Locking: ids->lock guards the bitmap and the cursor; it is taken inside
 * any other lock and nothing is called under it.
 */
#ifndef KERNEL_LIB_ID_ALLOC_H
#define KERNEL_LIB_ID_ALLOC_H

#include <lib/lock.h>
#include <lib/types.h>

struct id_space {
	struct spinlock lock;
	u32 max;   /* ids are 1..max-1 */
	u32 next;  /* where the next search starts */
	u32 used;  /* ids handed out */
	u64 *bits; /* max bits, bit i set when id i is in use */
};

/* An id space over `bits` (max / 64 words, max a multiple of 64). */
void id_space_init(struct id_space *ids, u64 *bits, u32 max);
/* A free id (> 0), or 0 when every id is in use. */
u32 id_alloc(struct id_space *ids);
/* Gives back an id from id_alloc; 0 and ids never handed out are ignored. */
void id_free(struct id_space *ids, u32 id);

#endif
