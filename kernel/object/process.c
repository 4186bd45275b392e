/*
 * The kernel's ELF loader and initial stack builder: init's alone (the
 * kernel starts it from the initrd); every other process is made in user
 * space (procmgr, init's loader).
 */
#include <arch/arch.h>
#include <lib/elf.h>
#include <lib/printk.h>
#include <lib/random.h>
#include <lib/string.h>
#include <mm/kmalloc.h>
#include <mm/vmspace.h>
#include <object/cap_group.h>
#include <object/pmo.h>
#include <object/process.h>
#include <object/thread.h>
#include <sched/sched.h>
#include <syscall/linux/forward.h>
#include <uapi/ferry/errno.h>
#include <uapi/ferry/proc.h>

#define AT_NULL 0
#define AT_PHDR 3
#define AT_PHENT 4
#define AT_PHNUM 5
#define AT_PAGESZ 6
#define AT_ENTRY 9
#define AT_UID 11
#define AT_EUID 12
#define AT_GID 13
#define AT_EGID 14
#define AT_SECURE 23
#define AT_RANDOM 25
#define AT_HWCAP2 26
#define AT_EXECFN 31
#define NAUXV 14

/* A PMO of `size` bytes mapped at `va`, optionally filled from `src`. */
static int map_new_pmo(struct vmspace *vs, vaddr_t va, size_t size, u32 perm,
		       size_t data_off, const void *src, size_t len,
		       struct pmo **keep)
{
	struct pmo *p;
	int ret = pmo_create(size, PMO_ANONYMOUS, vs->budget, &p);

	if (ret)
		return ret;
	if (len)
		ret = pmo_write(p, data_off, src, len);
	if (!ret)
		ret = vmspace_map(vs, va, size, perm, p, 0);
	if (!ret && keep) {
		obj_get(p);
		*keep = p;
	}
	obj_put(p); /* the region holds it now */
	return ret;
}

static int load_segments(struct cap_group *g, const void *image,
			 const struct elf_info *ei)
{
	u64 end = 0;

	for (int i = 0; i < ei->nsegs; i++) {
		const struct elf_segment *s = &ei->segs[i];
		vaddr_t start = ALIGN_DOWN(s->vaddr, PAGE_SIZE);
		size_t size = ALIGN_UP(s->vaddr + s->memsz, PAGE_SIZE) - start;
		int ret;

		ret = map_new_pmo(
			g->vmspace, start, size, s->flags, s->vaddr - start,
			(const char *)image + s->offset, s->filesz, NULL);
		if (ret)
			return ret == -EEXIST ? -ENOEXEC : ret;
		end = MAX(end, start + size);
	}
	g->lx.brk_start = g->lx.brk_cur = end;
	g->lx.brk_max = end + USER_BRK_MAX;
	g->lx.mmap_base = USER_MMAP_BASE;
	return 0;
}

static int count_strings(const char *const *v, int *n, size_t *bytes)
{
	*n = 0;
	for (; v && v[*n]; (*n)++) {
		*bytes += strlen(v[*n]) + 1;
		if (*n >= SPAWN_MAX_ARGS || *bytes > SPAWN_MAX_STRINGS)
			return -E2BIG;
	}
	return 0;
}

/*
 * Builds the System V initial stack in `buf`, which will be the top
 * `size` bytes of the stack ending at USER_STACK_TOP. Returns the user
 * stack pointer (pointing at argc).
 */
static u64 build_stack(char *buf, size_t size, const char *const *argv,
		       int argc, const char *const *envp, int envc,
		       const struct elf_info *ei)
{
	u64 base = USER_STACK_TOP - size; /* user address of buf[0] */
	size_t str = size;		  /* strings grow down from the top */
	u64 *v;
	u64 random_at, sp;
	int nwords = 1 + argc + 1 + envc + 1 + 2 * NAUXV, w = 0;
	u64 ptrs[SPAWN_MAX_ARGS * 2 + 2];
	int np = 0;

	for (int i = 0; i < argc; i++) {
		size_t l = strlen(argv[i]) + 1;
		str -= l;
		memcpy(buf + str, argv[i], l);
		ptrs[np++] = base + str;
	}
	for (int i = 0; i < envc; i++) {
		size_t l = strlen(envp[i]) + 1;
		str -= l;
		memcpy(buf + str, envp[i], l);
		ptrs[np++] = base + str;
	}
	str -= 16;
	/* AT_RANDOM seeds musl's stack protector: fresh every process. */
	random_bytes(buf + str, 16);
	random_at = base + str;
	str = ALIGN_DOWN(str, 16);
	sp = ALIGN_DOWN(base + str - (u64)nwords * 8, 16);
	v = (u64 *)(buf + (sp - base));
	v[w++] = (u64)argc;
	for (int i = 0; i < argc; i++)
		v[w++] = ptrs[i];
	v[w++] = 0;
	for (int i = 0; i < envc; i++)
		v[w++] = ptrs[argc + i];
	v[w++] = 0;
	const u64 aux[NAUXV * 2] = {
		AT_PHDR,   ei->phdr_vaddr,
		AT_PHENT,  ei->phentsize,
		AT_PHNUM,  ei->phnum,
		AT_PAGESZ, PAGE_SIZE,
		AT_ENTRY,  ei->entry,
		AT_UID,	   0,
		AT_EUID,   0,
		AT_GID,	   0,
		AT_EGID,   0,
		AT_SECURE, 0,
		AT_RANDOM, random_at,
		AT_HWCAP2, arch_user_hwcap2(),
		AT_EXECFN, ptrs[0],
		AT_NULL,   0,
	};
	memcpy(&v[w], aux, sizeof(aux));
	return sp;
}

static int setup_stack(struct cap_group *g, const char *const *argv,
		       const char *const *envp, const struct elf_info *ei,
		       u64 *sp)
{
	int argc, envc, ret;
	size_t bytes = 0, size;
	char *buf;

	if (count_strings(argv, &argc, &bytes) ||
	    count_strings(envp, &envc, &bytes) || argc == 0 ||
	    argc + envc > SPAWN_MAX_ARGS)
		return argc == 0 ? -EINVAL : -E2BIG;
	size = ALIGN_UP(bytes + 16 + 16 +
				(u64)(3 + argc + envc + 2 * NAUXV) * 8 + 16,
			PAGE_SIZE);
	buf = kzalloc(size);
	if (!buf)
		return -ENOMEM;
	*sp = build_stack(buf, size, argv, argc, envp, envc, ei);
	ret = map_new_pmo(g->vmspace, USER_STACK_TOP - USER_STACK_SIZE,
			  USER_STACK_SIZE, VM_READ | VM_WRITE,
			  USER_STACK_SIZE - size, buf, size, NULL);
	kfree(buf);
	return ret;
}

int process_spawn(const char *name, const void *image, size_t size,
		  const char *const *argv, const char *const *envp, u32 prio,
		  u32 mcp, struct cap_group **out)
{
	struct elf_info *ei;
	struct cap_group *g;
	struct thread *t;
	u64 sp;
	int ret;

	ei = kmalloc(sizeof(*ei));
	if (!ei)
		return -ENOMEM;
	ret = elf_parse(image, size, USER_TOP, ei);
	if (ret)
		goto out_free;
	ret = cap_group_create(name, &g);
	if (ret)
		goto out_free;
	/* The personality: native only with the note (syscall/syscall.c). */
	g->native = ei->ferry_native;
	/* Its console (fds 0-2) is its creator's: syscall/linux/forward.h. */
	if (current && current->group)
		fwd_proc_inherit(&g->lx, &current->group->lx);
	ret = load_segments(g, image, ei);
	if (ret)
		goto out_group;
	ret = setup_stack(g, argv, envp, ei, &sp);
	if (ret)
		goto out_group;
	ret = thread_create_sched(g, ei->entry, sp, 0, 0, prio, mcp, &t);
	if (ret)
		goto out_group;
	/* Slot 2: the main thread, so a parent can fetch it (a server). */
	ret = cap_alloc(g, t, CAP_RIGHT_ALL);
	obj_put(t); /* it runs on its own life reference */
	if (ret != CAP_SELF_MAIN_THREAD) {
		cap_group_exit(g, PROC_STATUS_KILLED(PROC_SIG_KILL));
		ret = ret < 0 ? ret : -ENOMEM;
		goto out_put;
	}
	if (out)
		*out = g;
	else
		obj_put(g);
	kfree(ei);
	return 0;
out_group:
	cap_group_teardown(g);
out_put:
	obj_put(g);
out_free:
	kfree(ei);
	return ret;
}
