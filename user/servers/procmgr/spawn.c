/*
 * PROCMGR_SPAWN (proto/procmgr.h, docs/process.md): a request checked
 * whole, then a process built step by step, each step undone on failure
 * in reverse order, so a failed spawn leaves nothing behind.
 *
 *  1. copy the request out of the shm (the client may rewrite it) and
 *     check every length, count, name and priority;
 *  2. take a child entry, open the file on a file-server connection of
 *     the child's own, get the image (shared if an initrd file);
 *  3. proc_create (native if the ELF has Ferry's note), its budget;
 *  4. a pager connection for it; every segment mapped: a file part from
 *     the image's PMO (read-only ones shared, writable ones VM_MAP_COW),
 *     the rest of memsz anonymous;
 *  5. its initial capabilities in slots 3.. and the stack (fy_stack_build
 *     with the table naming them);
 *  6. the main thread (slot 2) at the asked priority and MCP;
 *  7. proc_start, then its reaper; the process cap goes back.
 */
#include <string.h>
#include <sys/syscall.h>

#include <ferry/stack_build.h>
#include <uapi/ferry/initcaps.h>
#include <uapi/ferry/proto/pager.h>

#include "procmgr.h"

#define STRINGS_MAX                                                            \
	(PATH_MAX_FERRY + SPAWN_MAX_STRINGS +                                  \
	 PROCMGR_MAX_CAPS * INITCAP_NAME_MAX)
#define FIRST_USER_SLOT 3 /* slots 0-2: itself, vmspace, main thread */
#define STACK_BUF 16384

/* A request, copied out of the shm and checked. */
struct req {
	struct procmgr_spawn_req hdr;
	char strings[STRINGS_MAX];
	const char *path;
	const char *argv[SPAWN_MAX_ARGS + 1];
	const char *envp[SPAWN_MAX_ARGS + 1];
	const char *names[PROCMGR_MAX_CAPS];
	cap_t caps[PROCMGR_MAX_CAPS];
	char norm[PATH_MAX_FERRY + 1]; /* the path with its leading / */
};

/* The next NUL-terminated string at *at, or NULL past the area. */
static const char *next_str(struct req *r, uint32_t *at, uint32_t *len)
{
	const char *s = r->strings + *at;
	const char *nul;

	if (*at >= r->hdr.strings_len)
		return NULL;
	nul = memchr(s, 0, r->hdr.strings_len - *at);
	if (!nul)
		return NULL;
	*len = (uint32_t)(nul - s);
	*at += *len + 1;
	return s;
}

static int reserved(const char *name)
{
	return !strcmp(name, "fs") || !strcmp(name, "procmgr") ||
	       !strcmp(name, "nameserver");
}

/* Step 1 after the copy: everything a request says, checked. */
static long check(struct req *r, int privileged)
{
	const struct procmgr_spawn_req *h = &r->hdr;
	int maxp = privileged ? PRIO_MAX : PRIO_USER_MCP;
	uint32_t at = 0, len, bytes = 0;

	if (h->flags & ~PROCMGR_SPAWN_FLAGS)
		return -EINVAL;
	if ((h->flags & PROCMGR_SPAWN_PRIVILEGED) && !privileged)
		return -EPERM;
	/* As SYS_spawn: above the ceiling is EPERM, checked first. */
	if (h->prio > maxp || h->mcp > maxp)
		return h->prio > PRIO_MAX || h->mcp > PRIO_MAX ? -EINVAL
							       : -EPERM;
	if (h->prio < -1 || h->mcp < -1 ||
	    (h->prio >= 0 && h->mcp >= 0 && h->prio > h->mcp))
		return -EINVAL;
	r->path = next_str(r, &at, &len);
	if (!r->path)
		return -EINVAL;
	if (len >= PATH_MAX_FERRY)
		return -ENAMETOOLONG;
	if (len == 0)
		return -ENOENT;
	if (h->argc == 0)
		return -EINVAL;
	if ((uint64_t)h->argc + h->envc > SPAWN_MAX_ARGS)
		return -E2BIG;
	for (uint32_t i = 0; i < h->argc + h->envc; i++) {
		const char *s = next_str(r, &at, &len);

		if (!s)
			return -EINVAL;
		bytes += len + 1;
		if (bytes > SPAWN_MAX_STRINGS)
			return -E2BIG;
		if (i < h->argc)
			r->argv[i] = s;
		else
			r->envp[i - h->argc] = s;
	}
	r->argv[h->argc] = NULL;
	r->envp[h->envc] = NULL;
	for (uint32_t i = 0; i < h->ncaps; i++) {
		r->names[i] = next_str(r, &at, &len);
		if (!r->names[i])
			return -EINVAL;
		if (len >= INITCAP_NAME_MAX)
			return -ENAMETOOLONG;
		if (reserved(r->names[i]))
			return -EINVAL;
		for (uint32_t j = 0; j < i; j++)
			if (!strcmp(r->names[i], r->names[j]))
				return -EINVAL;
	}
	if (h->budget_pages > pm_budget_max)
		return -ENOMEM;
	r->norm[0] = '/';
	strcpy(r->norm + (r->path[0] != '/'), r->path);
	return 0;
}

/* The last path component, cut to a process name. */
static void base_name(const char *path, char *out)
{
	const char *b = strrchr(path, '/');

	b = b ? b + 1 : path;
	strncpy(out, b, PROC_NAME_MAX - 1);
	out[PROC_NAME_MAX - 1] = 0;
	if (!out[0])
		strcpy(out, "?");
}

static long map_region(cap_t group, cap_t pmo, uint64_t addr, uint64_t size,
		       uint32_t prot, uint32_t flags, cap_t pager, uint64_t key)
{
	struct vm_map_args a = {
		.pmo = pmo,
		.perm = prot,
		.pmo_off = 0,
		.addr = addr,
		.size = size,
		.flags = flags,
		.pager = pager,
		.key = key,
	};

	return fy_pmo_map_region(group, &a);
}

/* Step 4: every segment. */
static long map_segments(struct pm_child *c)
{
	const struct pm_image *img = c->img;

	for (int i = 0; i < img->elf.nsegs; i++) {
		const struct pm_seg *s = &img->segs[i];
		long r;

		if (s->pmo >= 0 && (s->prot & VM_WRITE)) {
			r = map_region(c->group, s->pmo, s->start,
				       s->file_end - s->start, s->prot,
				       VM_MAP_COW, c->pager.cap,
				       pm_key(c, (unsigned)i));
			if (r < 0)
				return r;
		} else if (s->pmo >= 0) {
			/*
			 * Shared text: through the image's cap with the
			 * segment's rights alone, so the child cannot mprotect
			 * it writable and write into every instance's frames.
			 */
			r = map_region(c->group, s->map_pmo, s->start,
				       s->file_end - s->start, s->prot, 0,
				       c->pager.cap, pm_key(c, (unsigned)i));
			if (r < 0)
				return r;
		}
		if (s->mem_end > s->file_end) {
			uint64_t from = s->pmo >= 0 ? s->file_end : s->start;
			long p = fy_pmo_create_for(c->group, s->mem_end - from,
						   PMO_ANONYMOUS);

			if (p < 0)
				return p;
			r = fy_pmo_map(c->group, (cap_t)p, from, s->prot);
			fy_cap_delete((cap_t)p); /* the region holds it */
			if (r < 0)
				return r;
		}
	}
	return 0;
}

/* AT_HWCAP2's one bit Ferry sets: FSGSBASE, where the CPU has it. */
static uint64_t hwcap2(void)
{
	unsigned a = 7, b, c = 0, d;

	__asm__("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
	return (b & 1) ? 2 : 0; /* HWCAP2_FSGSBASE */
}

/* Step 5: initial capabilities and the stack. */
static long make_stack(struct pm_child *c, struct req *r, uint64_t *sp)
{
	struct fy_initcap_spec specs[3 + PROCMGR_MAX_CAPS];
	cap_t srcs[3 + PROCMGR_MAX_CAPS];
	static const unsigned server_rights = CAP_RIGHT_CALL | CAP_RIGHT_GRANT;
	char buf[STACK_BUF];
	uint8_t rnd[16];
	struct fy_stack_args a = {0};
	size_t n = 0, nsys;
	long size, st, pmo, sp_val;

	/* The system's servers first, then the caller's caps. */
	specs[n] =
		(struct fy_initcap_spec){"fs", FIRST_USER_SLOT, server_rights};
	srcs[n++] = pm_fs_server;
	specs[n] = (struct fy_initcap_spec){"procmgr", FIRST_USER_SLOT + 1,
					    server_rights};
	srcs[n++] = pm_self_server;
	if (pm_ns_server >= 0) {
		specs[n] = (struct fy_initcap_spec){
			"nameserver", FIRST_USER_SLOT + 2, server_rights};
		srcs[n++] = pm_ns_server;
	}
	nsys = n;
	for (uint32_t i = 0; i < r->hdr.ncaps; i++) {
		long info = fy_cap_info(r->caps[i]);

		specs[n] = (struct fy_initcap_spec){
			r->names[i], (cap_t)(FIRST_USER_SLOT + n),
			info < 0 ? 0 : FY_CAP_INFO_RIGHTS(info)};
		srcs[n++] = r->caps[i];
	}
	for (size_t i = 0; i < n; i++) {
		long t = fy_cap_transfer(
			c->group, srcs[i],
			i < nsys ? server_rights : CAP_RIGHT_ALL, specs[i].cap);

		if (t < 0)
			return t == -ECAPBILITY && i >= nsys ? -EINVAL : t;
	}
	if (fy_syscall3(SYS_getrandom, (long)rnd, sizeof(rnd), 0) !=
	    (long)sizeof(rnd))
		return -EIO;
	a.argv = r->argv;
	a.envp = r->envp;
	a.caps = specs;
	a.ncaps = n;
	a.elf = &c->img->elf;
	a.random = rnd;
	a.hwcap2 = hwcap2();
	a.execfn = r->path;
	size = fy_stack_size(&a);
	if (size < 0)
		return size;
	size = (size + (long)PM_PAGE - 1) & ~(long)(PM_PAGE - 1);
	if (size > STACK_BUF)
		return -E2BIG;
	sp_val = fy_stack_build(buf + STACK_BUF - size, (size_t)size,
				PM_STACK_TOP, &a);
	if (sp_val < 0)
		return sp_val;
	pmo = fy_pmo_create_for(c->group, PM_STACK_SIZE, PMO_ANONYMOUS);
	if (pmo < 0)
		return pmo;
	st = fy_pmo_write((cap_t)pmo, PM_STACK_SIZE - (size_t)size,
			  buf + STACK_BUF - size, (size_t)size);
	if (st == 0)
		st = fy_pmo_map(c->group, (cap_t)pmo,
				PM_STACK_TOP - PM_STACK_SIZE,
				VM_READ | VM_WRITE);
	fy_cap_delete((cap_t)pmo);
	if (st < 0)
		return st;
	*sp = (uint64_t)sp_val;
	return 0;
}

/* Step 6: the main thread in slot 2, its priority and MCP. */
static long make_thread(struct pm_child *c, const struct req *r, uint64_t sp)
{
	int mcp = r->hdr.mcp >= 0 ? r->hdr.mcp : PRIO_USER_MCP;
	int prio = r->hdr.prio >= 0 ? r->hdr.prio
				    : (PRIO_DEFAULT < mcp ? PRIO_DEFAULT : mcp);
	long t, e;

	/* Raw: the thread starts with rsp at argc, not as a C function. */
	t = fy_syscall5(SYS_thread_create, c->group, (long)c->img->elf.entry,
			(long)sp, 0, 0);
	if (t < 0)
		return t;
	e = fy_thread_set_prio((cap_t)t, prio);
	if (!e)
		e = fy_thread_set_mcp((cap_t)t, mcp);
	if (!e) {
		e = fy_cap_transfer(c->group, (cap_t)t, CAP_RIGHT_ALL,
				    CAP_SELF_MAIN_THREAD);
		e = e < 0 ? e : 0;
	}
	fy_cap_delete((cap_t)t);
	return e;
}

/* Steps 2-6 on a taken entry; the caller aborts it on failure. */
static long build(struct pm_child *c, struct req *r, uint64_t *sp)
{
	uint64_t budget = r->hdr.budget_pages ? r->hdr.budget_pages
					      : PROCMGR_BUDGET_DEFAULT;
	long e, g;

	c->file.conn.cap = -1;
	e = pm_image_get(r->norm, &c->file, &c->img);
	if (e)
		return e;
	base_name(r->path, c->name);
	g = fy_proc_create(c->name,
			   c->img->elf.native ? PROC_CREATE_NATIVE : 0);
	if (g < 0)
		return g;
	c->group = (cap_t)g;
	if (budget > pm_budget_max)
		budget = pm_budget_max;
	e = fy_proc_set_budget(c->group, budget);
	if (e)
		return e;
	c->budget = budget;
	e = pm_pool_get(&pm_pager_pool, &c->pager);
	if (e)
		return e;
	e = map_segments(c);
	if (e)
		return e == -EEXIST ? -ENOEXEC : e;
	e = make_stack(c, r, sp);
	if (e)
		return e;
	return make_thread(c, r, *sp);
}

/*
 * The handler: see the top of the file. `caps` are the ncaps slots the
 * kernel copied the client's capabilities into (read once, by the
 * caller); they are ours to delete, whatever happens. A return with the
 * process cap does not come back here; anything else returns its errno.
 */
long pm_spawn(struct ipc_msg *m, const void *shm, size_t shm_size,
	      const cap_t *caps, uint32_t ncaps, int privileged, uint64_t badge)
{
	struct req r;
	struct ipc_msg hdr = *m;
	uint64_t room = (const char *)shm + shm_size - (const char *)m;
	struct pm_child *c = NULL;
	struct proc_info pi;
	uint64_t sp = 0;
	cap_t reply = -1;
	long e;

	e = -EINVAL;
	if ((uint64_t)hdr.data_offset + sizeof(r.hdr) > room ||
	    hdr.data_len < sizeof(r.hdr))
		goto out_caps;
	memcpy(&r.hdr, (const char *)m + hdr.data_offset, sizeof(r.hdr));
	if (r.hdr.ncaps != ncaps)
		goto out_caps;
	e = -E2BIG;
	if (ncaps > PROCMGR_MAX_CAPS || r.hdr.strings_len > sizeof(r.strings))
		goto out_caps;
	e = -EINVAL;
	if ((uint64_t)hdr.data_offset + sizeof(r.hdr) + r.hdr.strings_len >
		    room ||
	    hdr.data_len < sizeof(r.hdr) + r.hdr.strings_len)
		goto out_caps;
	memcpy(r.strings, (const char *)m + hdr.data_offset + sizeof(r.hdr),
	       r.hdr.strings_len);
	memcpy(r.caps, caps, ncaps * sizeof(cap_t));
	e = check(&r, privileged);
	if (e)
		goto out_caps;
	e = -ENOMEM;
	c = pm_child_alloc();
	if (!c)
		goto out_caps;
	e = build(c, &r, &sp);
	if (!e)
		e = fy_proc_info(c->group, &pi);
	if (!e) {
		/*
		 * The client's copy, ours until the return moves it over
		 * (IPC_RETURN_MOVE): the reaper never sees it, so it cannot
		 * be freed and its slot reused before the client has it.
		 */
		e = fy_cap_copy(c->group, CAP_RIGHT_ALL);
		reply = (cap_t)e;
		e = e < 0 ? e : 0;
	}
out_caps:
	/* The child has copies of the client's caps now: ours go. */
	for (uint32_t i = 0; i < ncaps; i++)
		fy_cap_delete(caps[i]);
	if (!c)
		return e;
	/* Before the start: once it runs, the reaper may drop c->img. */
	if (!e && !privileged)
		pm_image_keep(badge, c->img);
	if (!e)
		e = fy_proc_start(c->group);
	if (!e)
		e = pm_child_watch(c);
	if (e) {
		if (reply >= 0)
			fy_cap_delete(reply);
		pm_child_abort(c);
		return e == -EFAULT ? -EIO : e;
	}
	/* The reaper owns c now; `reply` is ours and names the child. */
	if ((uint64_t)hdr.cap_offset + sizeof(cap_t) > room ||
	    hdr.cap_slots < 1) {
		e = -EINVAL;
		goto out_kill;
	}
	/*
	 * The slot from our memory: the client could rewrite the message's
	 * between our write and the kernel's read, to be handed (and make
	 * us lose, moved) any cap we hold, the file server's or a cached
	 * image's writable PMO.
	 */
	*(cap_t *)((char *)m + hdr.cap_offset) = reply;
	e = fy_ipc_return_slots((long)pi.pid, 1 | IPC_RETURN_MOVE, &reply);
	/* Only a failure comes back (the client's table full, say). */
out_kill:
	fy_proc_kill(reply);
	fy_cap_delete(reply);
	return e;
}
