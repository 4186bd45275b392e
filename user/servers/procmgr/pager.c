/*
 * procmgr's pager (proto/pager.h): every child's regions with a file
 * part name a connection of ours to this server, one per child, so each
 * child has a handler of its own and a fault in one never waits for
 * another's. The kernel calls it, on the faulting thread's scheduling
 * context, with the region's key and the page's offset in the PMO.
 *
 * The key is (child index, its generation, segment): one we made, for
 * that child. The child never holds its pager connection (it is not in
 * its initial capabilities), so only the kernel sends on it; the key is
 * still checked against the table, so a fault of a region outliving its
 * entry (none should) is refused rather than served from another file.
 *
 * A page is read from the child's own file-server connection, zeros
 * past the segment's file part within the page, and written into the
 * image's PMO (pm_file_page). A read that fails (the file server died,
 * the file was cut short in /tmp) is a refusal: the kernel kills the
 * child with a report.
 */
#include "procmgr.h"

#include <uapi/ferry/proto/pager.h>

long pm_pager_fault(struct ipc_msg *m, uint64_t badge)
{
	const struct pager_req *req = (const struct pager_req *)m;
	uint64_t key = req->key, off = req->offset;
	unsigned idx = key & 0xffff, seg = (unsigned)(key >> 48);
	uint32_t gen = (uint32_t)(key >> 16);
	struct pm_child *c;
	const struct pm_seg *s;
	uint64_t va, lo, hi;

	(void)badge;
	if (idx >= PM_MAX_CHILDREN || (off & (PM_PAGE - 1)))
		return -EINVAL;
	c = &pm_children[idx];
	/* Stable while the child lives: only its reaper changes them. */
	if (c->state == PM_FREE || (c->gen & 0xffffffff) != gen || !c->img ||
	    seg >= (unsigned)c->img->elf.nsegs)
		return -EINVAL;
	s = &c->img->segs[seg];
	if (s->pmo < 0 || off >= s->file_end - s->start)
		return -EINVAL;
	va = s->start + off;
	lo = va > s->vaddr ? va : s->vaddr;
	hi = va + PM_PAGE < s->vaddr + s->filesz ? va + PM_PAGE
						 : s->vaddr + s->filesz;
	if (hi <= lo)
		return -EINVAL; /* a page of the segment with no file byte */
	/* A cached image's child opens its file at its first such fault. */
	if (c->file.conn.cap < 0) {
		if (pm_file_open(&c->file, c->img->path))
			return -EIO;
		if (c->file.size != c->img->file_size)
			return -EIO; /* not the file the image was made from */
	}
	return pm_file_page(&c->file, s->pmo, off, lo - va,
			    s->offset + (lo - s->vaddr), hi - lo);
}
