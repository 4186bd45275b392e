/*
 * Process and thread ids: one space for both, as on Linux, so an id names
 * one process or one thread and a process's main thread has the pid as its
 * tid. Bounded like Linux's default pid_max (32768): ids 1..32767, handed
 * out cyclically, so a freed id is reused as late as possible.
 *
 * Who holds an id: a cap_group holds its pid (= its first thread's tid)
 * until the group object is destroyed, i.e. until nobody can name it any
 * more; any other thread holds its tid until the thread object is
 * destroyed. An id is never seen by two live objects.
 */
#ifndef KERNEL_OBJECT_TASK_ID_H
#define KERNEL_OBJECT_TASK_ID_H

#include <lib/types.h>

#define TASK_ID_MAX 32768

/* A fresh id, or 0 when all are in use (callers answer -EAGAIN). */
u32 task_id_alloc(void);
void task_id_free(u32 id);
/* Ids in use now (for tests). */
u32 task_ids_used(void);

#endif
