/*
 * Object lifetime. The destroy function releases what the object holds;
 * obj_put frees the object itself afterwards.
 */
#include <ipc/connection.h>
#include <ipc/notification.h>
#include <lib/printk.h>
#include <mm/kmalloc.h>
#include <mm/vmspace.h>
#include <object/cap_group.h>
#include <object/object.h>
#include <object/pmo.h>
#include <object/sched_context.h>
#include <object/thread.h>
#include <syscall/linux/shm.h>

typedef void (*obj_destroy_fn)(void *obj);

static const obj_destroy_fn obj_destroy[OBJ_TYPE_NR] = {
	[OBJ_TYPE_CAP_GROUP] = cap_group_destroy,
	[OBJ_TYPE_THREAD] = thread_destroy,
	[OBJ_TYPE_PMO] = pmo_destroy,
	[OBJ_TYPE_VMSPACE] = vmspace_destroy,
	[OBJ_TYPE_SC] = sched_context_destroy,
	[OBJ_TYPE_CONNECTION] = connection_destroy,
	[OBJ_TYPE_NOTIFICATION] = notification_destroy,
	[OBJ_TYPE_SHM] = shm_seg_destroy,
};

static size_t live[OBJ_TYPE_NR];

void *obj_alloc(u32 type, size_t size)
{
	struct object *o;

	BUG_ON(type == OBJ_TYPE_NONE || type >= OBJ_TYPE_NR);
	o = kzalloc(size);
	if (!o)
		return NULL;
	o->type = type;
	o->refcount = 1;
	__atomic_add_fetch(&live[type], 1, __ATOMIC_RELAXED);
	return o;
}

void obj_release(struct object *o)
{
	if (obj_destroy[o->type])
		obj_destroy[o->type](o);
	__atomic_sub_fetch(&live[o->type], 1, __ATOMIC_RELAXED);
	kfree(o);
}

size_t obj_live_count(u32 type)
{
	size_t n = 0;

	if (type != OBJ_TYPE_NONE)
		return type < OBJ_TYPE_NR ? live[type] : 0;
	for (u32 t = 1; t < OBJ_TYPE_NR; t++)
		n += live[t];
	return n;
}
