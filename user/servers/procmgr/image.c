/*
 * Images: a program file's loadable segments as PMO_PAGED objects that
 * the pager fills from the file on demand (pager.c). One image per
 * initrd file is shared by every live process of that file: its
 * read-only segments are mapped straight in (one set of text frames),
 * its writable ones copy-on-write (VM_MAP_COW), so a process's writes
 * go to pages of its own. The initrd cannot change, so its path names
 * its contents. A file elsewhere (/tmp) can change between two spawns:
 * its image is private to one process and goes with it.
 *
 * An image lives while a process uses it or a client's connection
 * keeps it (refs, under pm_lock: pm_image_keep below): the last put
 * deletes its PMOs, so no frame of a program stays once nobody needs it
 * (init's leak check between two tests).
 */
#include <string.h>

#include "procmgr.h"

static struct pm_image images[PM_MAX_IMAGES];

static void kept_init(void);

void pm_image_init(void)
{
	memset(images, 0, sizeof(images));
	kept_init();
}

/* The initrd's files: every path outside /tmp (fs serves it at /). */
static int shareable(const char *path)
{
	return strncmp(path, "/tmp/", 5) != 0 && strcmp(path, "/tmp") != 0;
}

static void segs_drop(struct pm_image *img, int n)
{
	for (int i = 0; i < n; i++) {
		if (img->segs[i].pmo >= 0) {
			fy_cap_delete(img->segs[i].pmo);
			img->segs[i].pmo = -1;
		}
		if (img->segs[i].map_pmo >= 0) {
			fy_cap_delete(img->segs[i].map_pmo);
			img->segs[i].map_pmo = -1;
		}
	}
}

/* Reads the headers and validates them (fy_elf_parse asks for more). */
static long parse(struct pm_file *f, struct fy_elf_info *elf)
{
	char head[FY_ELF_HEAD_MAX];
	uint64_t len = f->size < 4096 ? f->size : 4096;
	long r;

	for (int round = 0; round < 3; round++) {
		r = pm_file_read(f, 0, head, len);
		if (r < 0)
			return r;
		r = fy_elf_parse(head, len, f->size, elf);
		if (r <= 0)
			return r;
		/* It never asks for more than the file or its maximum. */
		if ((uint64_t)r <= len || (uint64_t)r > sizeof(head))
			return -ENOEXEC;
		len = (uint64_t)r;
	}
	return -ENOEXEC;
}

/* One PMO_PAGED per segment with a file part. */
static long segs_make(struct pm_image *img)
{
	for (int i = 0; i < img->elf.nsegs; i++) {
		const struct fy_elf_segment *e = &img->elf.segs[i];
		struct pm_seg *s = &img->segs[i];
		long p;

		s->start = e->vaddr & ~(PM_PAGE - 1);
		s->file_end =
			(e->vaddr + e->filesz + PM_PAGE - 1) & ~(PM_PAGE - 1);
		s->mem_end =
			(e->vaddr + e->memsz + PM_PAGE - 1) & ~(PM_PAGE - 1);
		s->vaddr = e->vaddr;
		s->filesz = e->filesz;
		s->offset = e->offset;
		s->prot = e->prot;
		s->pmo = s->map_pmo = -1;
		if (!e->filesz)
			continue;
		p = fy_pmo_create(s->file_end - s->start, PMO_PAGED);
		if (p < 0) {
			segs_drop(img, i);
			return p;
		}
		s->pmo = (cap_t)p;
		if (!(s->prot & VM_WRITE)) {
			unsigned rights = CAP_RIGHT_MAP | CAP_RIGHT_READ;

			if (s->prot & VM_EXEC)
				rights |= CAP_RIGHT_EXEC;
			p = fy_cap_copy(s->pmo, rights);
			if (p < 0) {
				segs_drop(img, i + 1);
				return p;
			}
			s->map_pmo = (cap_t)p;
		}
	}
	return 0;
}

long pm_image_get(const char *path, struct pm_file *f, struct pm_image **out)
{
	struct pm_image *img = NULL;
	int share = shareable(path);
	long r;

	/* An initrd file cannot change: its image stands for it. */
	pm_lock();
	for (int i = 0; share && i < PM_MAX_IMAGES; i++)
		if (images[i].refs > 0 && images[i].cached &&
		    !strcmp(images[i].path, path)) {
			images[i].refs++;
			pm_unlock();
			*out = &images[i];
			return 0;
		}
	for (int i = 0; i < PM_MAX_IMAGES; i++)
		if (images[i].refs == 0) {
			img = &images[i];
			img->refs = 1; /* ours; not found until cached */
			img->cached = 0;
			break;
		}
	pm_unlock();
	if (!img)
		return -ENOMEM;
	r = pm_file_open(f, path);
	if (!r) {
		img->file_size = f->size;
		strncpy(img->path, path, sizeof(img->path) - 1);
		img->path[sizeof(img->path) - 1] = 0;
		r = parse(f, &img->elf);
	}
	if (!r)
		r = segs_make(img);
	if (r) {
		pm_lock();
		img->refs = 0;
		pm_unlock();
		return r;
	}
	if (share) {
		pm_lock();
		img->cached = 1;
		pm_unlock();
	}
	*out = img;
	return 0;
}

/*
 * What a client's connection keeps: the image it spawned last, so a
 * client that starts the same program again and again (a shell, a
 * test, spawn_exit_wait) finds its pages loaded even though the last
 * instance has ended. The connection's end drops it (pm_image_forget,
 * from its destructor), so nothing outlives the client. init's
 * connection keeps nothing: between two tests init's leak check wants
 * every program's frames back.
 */
static struct {
	uint64_t badge; /* 0: a free entry */
	struct pm_image *img;
} kept[PM_KEPT];

static void kept_init(void)
{
	memset(kept, 0, sizeof(kept));
}

void pm_image_keep(uint64_t badge, struct pm_image *img)
{
	struct pm_image *old = NULL;
	int free_at = -1;

	pm_lock();
	img->refs++;
	for (int i = 0; i < PM_KEPT; i++) {
		if (kept[i].badge == badge) {
			old = kept[i].img;
			kept[i].img = img;
			free_at = -2;
			break;
		}
		if (!kept[i].badge && free_at == -1)
			free_at = i;
	}
	if (free_at >= 0) {
		kept[free_at].badge = badge;
		kept[free_at].img = img;
	} else if (free_at == -1) {
		old = img; /* no room: keep nothing */
	}
	pm_unlock();
	if (old)
		pm_image_put(old);
}

void pm_image_forget(uint64_t badge)
{
	struct pm_image *old = NULL;

	pm_lock();
	for (int i = 0; i < PM_KEPT; i++)
		if (kept[i].badge == badge) {
			old = kept[i].img;
			kept[i].badge = 0;
			kept[i].img = NULL;
			break;
		}
	pm_unlock();
	if (old)
		pm_image_put(old);
}

void pm_image_put(struct pm_image *img)
{
	cap_t pmos[2 * FY_ELF_MAX_SEGMENTS];
	int n = 0;

	/* The PMOs are taken under the lock: a free entry is anyone's. */
	pm_lock();
	if (--img->refs == 0) {
		img->cached = 0;
		for (int i = 0; i < img->elf.nsegs; i++) {
			pmos[n++] = img->segs[i].pmo;
			pmos[n++] = img->segs[i].map_pmo;
			img->segs[i].pmo = img->segs[i].map_pmo = -1;
		}
	}
	pm_unlock();
	for (int i = 0; i < n; i++)
		if (pmos[i] >= 0)
			fy_cap_delete(pmos[i]);
}
