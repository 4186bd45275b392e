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
void obj_get(void *obj);
void obj_put(void *obj);
u32 obj_type(const void *obj);

/* How many objects are alive, of one type or (OBJ_TYPE_NONE) all. */
size_t obj_live_count(u32 type);

#endif
