/*
 * The initrd handed to init as one read-only PMO (CAP_INIT_INITRD), so
 * that user space (the file server) can read it without the kernel's
 * cpio parser (the kernel never reads the archive).
 *
 * The module is copied into an anonymous PMO rather than wrapped: its
 * frames lie below the frame allocator's zone (docs/architecture.md,
 * "One memory zone"), so a PMO over them would hand frame_free pages the
 * buddy allocator never owned when it dies. Every page is written, so
 * mapping or reading it never allocates a frame later (init's leak counters
 * stay still), and pmo_write has no preemption point, so nothing runs before
 * init holds its slot.
 */
#include <lib/printk.h>
#include <lib/string.h>
#include <object/cap_group.h>
#include <object/initrd_pmo.h>
#include <object/pmo.h>
#include <uapi/ferry/errno.h>

int initrd_pmo_give(struct cap_group *g, const void *base, size_t size)
{
	static const char zero[PAGE_SIZE];
	struct pmo *p;
	size_t tail;
	int ret;

	if (size == 0)
		return -EINVAL;
	/* init's memory: charged to its budget, as its own PMOs are. */
	ret = pmo_create(size, PMO_ANONYMOUS, g->budget, &p);
	if (ret)
		return ret;
	ret = pmo_write(p, 0, base, size);
	/* The last page's tail too: every frame exists from now on. */
	tail = p->size - size;
	if (!ret && tail)
		ret = pmo_write(p, size, zero, tail);
	if (ret)
		goto out_put;
	ret = cap_alloc(g, p, CAP_INIT_RIGHTS);
	if (ret >= 0 && ret != CAP_INIT_INITRD) {
		cap_remove_if(g, ret, p);
		ret = -EBUSY; /* slot 3 was taken: not a fresh init */
	}
	if (ret >= 0)
		ret = 0;
out_put:
	obj_put(p); /* the slot holds it now, or it goes */
	return ret;
}
