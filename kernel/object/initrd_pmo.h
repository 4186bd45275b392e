/* The initrd as init's read-only PMO (include/uapi/ferry/cap.h). */
#ifndef KERNEL_OBJECT_INITRD_PMO_H
#define KERNEL_OBJECT_INITRD_PMO_H

#include <lib/types.h>
#include <uapi/ferry/cap.h>

struct cap_group;

/* The rights init gets: read and map it, give it on; never write. */
#define CAP_INIT_RIGHTS (CAP_RIGHT_READ | CAP_RIGHT_MAP | CAP_RIGHT_GRANT)

/*
 * Copies the `size` bytes at `base` (the boot module) into a new PMO
 * and puts it in g's slot CAP_INIT_INITRD with CAP_INIT_RIGHTS. g must
 * be a process that has not run, with slots 0-2 only. 0, or -EINVAL (an
 * empty initrd), -ENOMEM, -EBUSY (slot 3 not the first free one); on
 * failure g's table is as it was.
 */
int initrd_pmo_give(struct cap_group *g, const void *base, size_t size);

#endif
