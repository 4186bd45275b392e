/*
 * init's own loader: the servers procmgr needs before it can start
 * anything (the console, the file server, procmgr itself) are read
 * straight from the initrd PMO the kernel gave init (CAP_INIT_INITRD,
 * mapped read-only here), checked with libferry's fy_elf_parse and
 * copied whole into fresh PMOs of the new process's own (eagerly: no
 * pager exists yet), with the stack fy_stack_build makes (no
 * initial-capability table: these servers get their capabilities in
 * chosen slots before they start). Every other program starts through
 * procmgr. The kernel's SYS_spawn is gone; only init itself is loaded by
 * the kernel.
 *
 * Every failure unwinds: the unstarted process is killed and waited for
 * (which frees all it held), and the PMOs made for it go with it.
 */
#include <string.h>
#include <sys/syscall.h>

#include <ferry/elf_load.h>
#include <ferry/stack_build.h>

#include "../fs/fs.h"
#include "init.h"

#define INITRD_VA 0x300000000000ul /* away from the mmap area */
#define STACK_TOP 0x7ffffff00000ul
#define STACK_SIZE (8ul << 20)
#define PAGE 4096ul

static const uint8_t *initrd;
static size_t initrd_size;

/* The PMO's size: the last page pmo_read accepts (a binary search). */
static size_t pmo_size(cap_t pmo)
{
	size_t lo = 0, hi = (size_t)1 << 18; /* pages: 1 GiB at most */
	char c;

	while (lo < hi) {
		size_t mid = (lo + hi + 1) / 2;

		if (fy_pmo_read(pmo, mid * PAGE - 1, &c, 1) == 0)
			lo = mid;
		else
			hi = mid - 1;
	}
	return lo * PAGE;
}

static long initrd_find(const char *path, const uint8_t **data, size_t *size)
{
	struct cpio_ent e;
	size_t cursor = 0;
	int r;

	if (!initrd) {
		size_t len = pmo_size(CAP_INIT_INITRD);
		long m;

		if (!len)
			return -ENOENT;
		m = fy_pmo_map(CAP_SELF_GROUP, CAP_INIT_INITRD, INITRD_VA,
			       VM_READ);
		if (m < 0)
			return m;
		initrd = (const uint8_t *)INITRD_VA;
		initrd_size = len;
	}
	while ((r = fs_cpio_next(initrd, initrd_size, &cursor, &e)) == 1)
		if (!strcmp(e.name, path)) {
			*data = e.data;
			*size = e.size;
			return 0;
		}
	return r < 0 ? -EIO : -ENOENT;
}

/* Each segment copied into a PMO of the process's own. */
static long load_segments(cap_t g, const uint8_t *file,
			  const struct fy_elf_info *elf)
{
	for (int i = 0; i < elf->nsegs; i++) {
		const struct fy_elf_segment *s = &elf->segs[i];
		uint64_t start = s->vaddr & ~(PAGE - 1);
		uint64_t end = (s->vaddr + s->memsz + PAGE - 1) & ~(PAGE - 1);
		long p = fy_pmo_create_for(g, end - start, PMO_ANONYMOUS), r;

		if (p < 0)
			return p;
		r = s->filesz ? fy_pmo_write((cap_t)p, s->vaddr - start,
					     file + s->offset, s->filesz)
			      : 0;
		if (!r)
			r = fy_pmo_map(g, (cap_t)p, start, s->prot);
		fy_cap_delete((cap_t)p);
		if (r < 0)
			return r;
	}
	return 0;
}

static long load_stack(cap_t g, const char *const *argv,
		       const struct fy_elf_info *elf, uint64_t *sp)
{
	static char buf[16384];
	uint8_t rnd[16];
	struct fy_stack_args a = {
		.argv = argv, .envp = init_envp, .elf = elf, .random = rnd};
	long size, st, p;

	if (fy_syscall3(SYS_getrandom, (long)rnd, sizeof(rnd), 0) !=
	    (long)sizeof(rnd))
		return -EIO;
	size = fy_stack_size(&a);
	if (size < 0)
		return size;
	size = (size + (long)PAGE - 1) & ~(long)(PAGE - 1);
	if (size > (long)sizeof(buf))
		return -E2BIG;
	st = fy_stack_build(buf + sizeof(buf) - size, (size_t)size, STACK_TOP,
			    &a);
	if (st < 0)
		return st;
	p = fy_pmo_create_for(g, STACK_SIZE, PMO_ANONYMOUS);
	if (p < 0)
		return p;
	*sp = (uint64_t)st;
	st = fy_pmo_write((cap_t)p, STACK_SIZE - (size_t)size,
			  buf + sizeof(buf) - size, (size_t)size);
	if (!st)
		st = fy_pmo_map(g, (cap_t)p, STACK_TOP - STACK_SIZE,
				VM_READ | VM_WRITE);
	fy_cap_delete((cap_t)p);
	return st < 0 ? st : 0;
}

long init_load(const char *path, const char *const *argv, int prio,
	       const struct init_cap *caps, unsigned ncaps)
{
	static struct fy_elf_info elf;
	const uint8_t *file;
	size_t size;
	uint64_t sp = 0;
	long g, t, r;

	r = initrd_find(path, &file, &size);
	if (r)
		return r;
	r = fy_elf_parse(file, size, size, &elf);
	if (r)
		return r > 0 ? -ENOEXEC : r; /* it has the whole file */
	g = fy_proc_create(path, elf.native ? PROC_CREATE_NATIVE : 0);
	if (g < 0)
		return g;
	r = load_segments((cap_t)g, file, &elf);
	if (!r)
		r = load_stack((cap_t)g, argv, &elf, &sp);
	for (unsigned i = 0; !r && i < ncaps; i++) {
		r = fy_cap_transfer((cap_t)g, caps[i].cap, caps[i].rights,
				    caps[i].slot);
		r = r < 0 ? r : 0;
	}
	if (r)
		goto out_kill;
	/* Raw: the thread starts with rsp at argc, not as a C function. */
	t = fy_syscall5(SYS_thread_create, g, (long)elf.entry, (long)sp, 0, 0);
	if (t < 0) {
		r = t;
		goto out_kill;
	}
	r = fy_thread_set_prio((cap_t)t, prio);
	if (!r)
		r = fy_thread_set_mcp((cap_t)t, prio);
	if (!r) {
		r = fy_cap_transfer((cap_t)g, (cap_t)t, CAP_RIGHT_ALL,
				    CAP_SELF_MAIN_THREAD);
		r = r < 0 ? r : 0;
	}
	fy_cap_delete((cap_t)t);
	if (!r)
		r = fy_proc_start((cap_t)g);
	if (r)
		goto out_kill;
	return g;
out_kill:
	init_unload((cap_t)g);
	return r;
}

void init_unload(cap_t proc)
{
	fy_proc_kill(proc);
	fy_proc_wait(proc);
	fy_cap_delete(proc);
}

long init_load_server(const char *path, const struct init_cap *caps,
		      unsigned ncaps, unsigned rights, cap_t *proc,
		      cap_t *thread)
{
	const char *const argv[] = {path, NULL};
	long p, t;

	p = init_load(path, argv, PRIO_MAX, caps, ncaps);
	if (p < 0)
		return p;
	t = fy_cap_fetch((cap_t)p, CAP_SELF_MAIN_THREAD, rights);
	if (t < 0) {
		init_unload((cap_t)p);
		return t;
	}
	*proc = (cap_t)p;
	*thread = (cap_t)t;
	return 0;
}
