/*
 * Every kernel object starts with a struct object: its type and a
 * reference count. Capabilities, vmspace regions and the scheduler hold
 * references; the last obj_put() runs the type's destroy function and
 * frees the memory. Types are enumerated once (uapi OBJ_TYPE_*), and
 * object.c indexes its tables by them.
 */
#ifndef KERNEL_OBJECT_OBJECT_H
#define KERNEL_OBJECT_OBJECT_H

#include <lib/types.h>
#include <uapi/ferry/cap.h>

struct object {
	u32 type;     /* OBJ_TYPE_* */
	u32 refcount; /* atomic */
};

/* A new object of `size` bytes (header included), zeroed, refcount 1. */
void *obj_alloc(u32 type, size_t size);
/* The last reference is gone: destroy and free (object.c). */
void obj_release(struct object *o);

static inline void obj_get(void *obj)
{
	__atomic_add_fetch(&((struct object *)obj)->refcount, 1,
			   __ATOMIC_RELAXED);
}

/* Drops a reference; NULL is allowed. Inline: it is on the IPC path. */
static inline void obj_put(void *obj)
{
	struct object *o = obj;

	if (o && __atomic_sub_fetch(&o->refcount, 1, __ATOMIC_ACQ_REL) == 0)
		obj_release(o);
}
/* The count now: 1 means the caller's reference is the only one. */
static inline u32 obj_refcount(const void *obj)
{
	return __atomic_load_n(&((const struct object *)obj)->refcount,
			       __ATOMIC_ACQUIRE);
}

static inline u32 obj_type(const void *obj)
{
	return ((const struct object *)obj)->type;
}

/* How many objects are alive, of one type or (OBJ_TYPE_NONE) all. */
size_t obj_live_count(u32 type);

#endif
