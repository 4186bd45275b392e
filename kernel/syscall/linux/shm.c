/*
 * System V shm: shmget(29), shmat(30), shmctl(31), shmdt(67) with Linux
 * 6.1's semantics, limits and order of checks (ipc/shm.c, ipc/util.c),
 * each checked against Linux by user/tests/linux_abi_shm.c. See shm.h
 * for the objects and the lock order.
 *
 * Differences from Linux, all documented in docs/linux-abi.md:
 * - every Linux process on Ferry has uid and gid 0 with root's
 *   capabilities (AT_UID is 0; getuid gives 0), so the permission rules
 *   (shm_ids.c) always pass for them; the rules are unit-tested;
 * - a segment's memory is charged to its creator's budget (frames when
 *   first touched, by whoever touches them);
 * - an attachment over page 0 is -EPERM (root may map it on Linux).
 */
#include <lib/string.h>
#include <lib/time.h>
#include <mm/budget.h>
#include <mm/frame.h>
#include <mm/kmalloc.h>
#include <mm/uaccess.h>
#include <object/cap_group.h>
#include <object/pmo.h>
#include <object/thread.h>
#include <sched/sched.h>
#include <syscall/linux/linux.h>
#include <syscall/linux/shm.h>
#include <uapi/ferry/errno.h>

#define IPC_CREAT 01000
#define IPC_EXCL 02000
#define IPC_RMID 0
#define IPC_SET 1
#define IPC_STAT 2
#define IPC_INFO 3
#define SHM_LOCK 11
#define SHM_UNLOCK 12
#define SHM_STAT 13
#define SHM_INFO 14
#define SHM_STAT_ANY 15
#define SHM_HUGETLB 04000
#define SHM_HUGE_SHIFT 26 /* the huge page size's log2, 6 bits */
#define SHM_HUGE_MASK 0x3f
#define SHM_RDONLY 010000
#define SHM_RND 020000
#define SHM_REMAP 040000
#define SHM_EXEC 0100000
#define SHM_DEST 01000	 /* mode: removed, freed at the last detach */
#define SHM_LOCKED 02000 /* mode: SHM_LOCK'd */
#define S_IRWXUGO 0777
#define SHMLBA PAGE_SIZE
/* Linux 6.1's defaults (include/uapi/linux/shm.h). */
#define SHMMIN 1ul
#define SHMMAX (~0ul - (1ul << 24)) /* bytes */
#define SHMALL (~0ul - (1ul << 24)) /* pages */
/* Debian's vm.mmap_min_addr, as mmap's (mm.c). */
#define MMAP_MIN_ADDR 0x10000ul

/* Linux x86_64's struct ipc64_perm and shmid64_ds (uapi/asm-generic). */
struct lx_ipc64_perm {
	s32 key;
	u32 uid, gid, cuid, cgid, mode;
	u16 seq, pad2;
	u32 pad3;
	u64 unused1, unused2;
};
struct lx_shmid64_ds {
	struct lx_ipc64_perm perm;
	u64 segsz;
	s64 atime, dtime, ctime;
	s32 cpid, lpid;
	u64 nattch, unused4, unused5;
};
_Static_assert(sizeof(struct lx_shmid64_ds) == 112, "shmid64_ds is 112 bytes");
_Static_assert(__builtin_offsetof(struct lx_shmid64_ds, nattch) == 88,
	       "shm_nattch at 88");
struct lx_shminfo64 {
	u64 shmmax, shmmin, shmmni, shmseg, shmall, unused[4];
};
_Static_assert(sizeof(struct lx_shminfo64) == 72, "shminfo64 is 72 bytes");
struct lx_shm_info {
	s32 used_ids;
	u32 pad;
	u64 shm_tot, shm_rss, shm_swp, swap_attempts, swap_successes;
};
_Static_assert(sizeof(struct lx_shm_info) == 48, "shm_info is 48 bytes");

static struct spinlock shm_lock = SPINLOCK_INIT;
static struct shm_ids table = {.max_idx = -1, .last_idx = -1};
static u64 shm_tot; /* pages of the segments in the table (shm_tot) */

static const struct vm_tie_ops shm_tie_ops;

static s64 now_sec(void)
{
	return time_real_ns() / 1000000000;
}

static u32 cur_pid(void)
{
	return current->group->pid;
}

/* Every Linux process runs as root on Ferry (see the top). */
static void cur_cred(struct shm_cred *c)
{
	c->uid = 0;
	c->gid = 0;
	c->ipc_owner = c->sys_admin = c->ipc_lock = true;
}

static u64 seg_pages(struct shm_seg *s)
{
	return s->pmo->size / PAGE_SIZE;
}

void shm_seg_destroy(void *obj)
{
	struct shm_seg *s = obj;

	obj_put(s->pmo);
	budget_uncharge(s->budget, kmalloc_size(sizeof(*s)));
	budget_put(s->budget);
}

/*
 * Takes s out of the table (its id is invalid from now on): the table's
 * reference is the caller's to drop, after shm_lock.
 */
static void unlink_locked(struct shm_seg *s)
{
	shm_ids_remove(&table, s->id);
	shm_tot -= seg_pages(s);
	s->linked = false;
}

/*
 * Drops a reference with no lock held: if it is the last and s held the
 * last of its PMO, the frames are drained preemptibly first.
 */
static void seg_put(struct shm_seg *s)
{
	if (obj_refcount(s) == 1 && obj_refcount(s->pmo) == 1)
		pmo_drain(s->pmo);
	obj_put(s);
}

/* Drops the table's reference to an unlinked segment. */
static void seg_free_unlinked(struct shm_seg *s)
{
	seg_put(s);
}

/* Linux's shm_may_destroy(): removed and no longer attached. */
static bool may_destroy(struct shm_seg *s)
{
	return s->nattch == 0 && (s->perm.mode & SHM_DEST) && s->linked;
}

/* A region of s split in two (Linux's shm_open): one more attachment. */
static void tie_open(struct vm_tie *t, u32 owner)
{
	struct shm_seg *s = container_of(t, struct shm_seg, tie);

	obj_get(s); /* the new region's */
	lock(&shm_lock);
	s->nattch++;
	s->atime = now_sec();
	s->lpid = owner;
	unlock(&shm_lock);
}

/*
 * A region of s went (Linux's shm_close): unmapped, detached, or its
 * process ended. At the last one a removed segment leaves the table.
 * May run under vs->lock: the region still holds the PMO, so the puts
 * below never free its frames here.
 */
static void tie_close(struct vm_tie *t, u32 owner)
{
	struct shm_seg *s = container_of(t, struct shm_seg, tie);
	bool gone;

	lock(&shm_lock);
	s->nattch--;
	s->dtime = now_sec();
	s->lpid = owner;
	gone = may_destroy(s);
	if (gone)
		unlink_locked(s);
	unlock(&shm_lock);
	if (gone)
		obj_put(s); /* the table's */
	obj_put(s);	    /* the region's */
}

static const struct vm_tie_ops shm_tie_ops = {
	.open = tie_open,
	.close = tie_close,
};

/*
 * A new segment (Linux's newseg), under shm_lock: its id or an error in
 * newseg's order: size -EINVAL, -ENOSPC past SHMALL, -EINVAL past
 * LLONG_MAX (the largest shmem file), -ENOMEM (more
 * pages than RAM, Linux's overcommit guess; or no memory or budget),
 * -ENOSPC when SHMMNI segments exist.
 */
static long newseg_locked(s32 key, u64 size, int flg)
{
	u64 pages = (size + PAGE_SIZE - 1) / PAGE_SIZE;
	struct budget *b = current->group->budget;
	struct shm_cred c;
	struct shm_seg *s;
	long id;

	if (size < SHMMIN || size > SHMMAX)
		return -EINVAL;
	if (pages * PAGE_SIZE < size)
		return -ENOSPC;
	if (shm_tot + pages < shm_tot || shm_tot + pages > SHMALL)
		return -ENOSPC;
	/*
	 * SHM_HUGETLB: Ferry has no huge pages, as a Linux with none
	 * reserved: -ENOMEM, or -EINVAL for a size code x86_64 lacks.
	 */
	if (flg & SHM_HUGETLB) {
		u32 shift = ((u32)flg >> SHM_HUGE_SHIFT) & SHM_HUGE_MASK;

		return shift && shift != 21 && shift != 30 ? -EINVAL : -ENOMEM;
	}
	/* shmem_file_setup: past MAX_LFS_FILESIZE, then memory. */
	if ((s64)size < 0)
		return -EINVAL;
	if (pages > frame_total_count() || pages > PMO_MAX_PAGES)
		return -ENOMEM;
	if (budget_charge(b, kmalloc_size(sizeof(*s))))
		return -ENOMEM;
	s = obj_alloc(OBJ_TYPE_SHM, sizeof(*s));
	if (!s) {
		budget_uncharge(b, kmalloc_size(sizeof(*s)));
		return -ENOMEM;
	}
	budget_get(b);
	s->budget = b;
	s->tie.ops = &shm_tie_ops;
	/* The memory is the creator's: it outlives any attacher. */
	if (pmo_create(pages * PAGE_SIZE, PMO_ANONYMOUS, b, &s->pmo)) {
		obj_put(s);
		return -ENOMEM;
	}
	s->pmo->lx_kind = PMO_LX_SHMEM; /* madvise keeps its data */
	id = shm_ids_add(&table, s, key, SHM_MNI);
	if (id < 0) {
		obj_put(s);
		return id;
	}
	cur_cred(&c);
	s->id = (int)id;
	s->linked = true;
	s->segsz = size;
	s->perm.uid = s->perm.cuid = c.uid;
	s->perm.gid = s->perm.cgid = c.gid;
	s->perm.mode = (u32)flg & S_IRWXUGO;
	s->ctime = now_sec();
	s->cpid = cur_pid();
	shm_tot += pages;
	return id;
}

/*
 * shmget(2) (ipcget): IPC_PRIVATE always makes a segment; a key finds
 * its segment (-EEXIST with IPC_CREAT|IPC_EXCL; -EINVAL if smaller than
 * size; -EACCES for the mode) or, with IPC_CREAT, makes one (else
 * -ENOENT). key and flags are ints; size a size_t.
 */
long linux_shmget(u64 key_arg, u64 size, u64 flg_arg)
{
	s32 key = (s32)key_arg;
	int flg = (int)flg_arg;
	struct shm_cred c;
	long ret;

	cur_cred(&c);
	lock(&shm_lock);
	if (key != 0) {
		ret = shm_ids_find_key(&table, key);
		if (ret >= 0) {
			struct shm_seg *s = shm_ids_find(&table, (int)ret);

			if ((flg & IPC_CREAT) && (flg & IPC_EXCL))
				ret = -EEXIST;
			else if (s->segsz < size)
				ret = -EINVAL;
			else if (!shm_perm_ok(&s->perm, &c, flg))
				ret = -EACCES;
			goto out;
		}
		if (!(flg & IPC_CREAT))
			goto out; /* -ENOENT */
	}
	ret = newseg_locked(key, size, flg);
out:
	unlock(&shm_lock);
	return ret;
}

/* The region rights and the mode bits shmat asks for. */
static void at_rights(int flg, u32 *perm, int *acc)
{
	if (flg & SHM_RDONLY) {
		*perm = VM_READ;
		*acc = 0444;
	} else {
		*perm = VM_READ | VM_WRITE;
		*acc = 0666;
	}
	if (flg & SHM_EXEC) {
		*perm |= VM_EXEC;
		*acc |= 0111;
	}
}

/* Undoes shmat's own count of s after its mapping failed. */
static void at_undo(struct shm_seg *s)
{
	bool gone;

	lock(&shm_lock);
	s->nattch--;
	gone = may_destroy(s);
	if (gone)
		unlink_locked(s);
	unlock(&shm_lock);
	/*
	 * Ours first: the table's is then the last, and seg_put drains the
	 * frames preemptibly (the other way round, ours was the last, and
	 * obj_put freed a segment other attachers had filled at once).
	 */
	if (gone)
		obj_put(s);
	seg_put(s);
}

/*
 * Maps s at addr if `fixed`, else where Ferry picks (as mmap without a
 * hint): the address, or an error.
 */
static long at_map(struct shm_seg *s, u64 addr, bool fixed, int flg, u32 perm)
{
	struct vmspace *vs = current->group->vmspace;
	u64 size = s->pmo->size;
	/*
	 * What mprotect may give it later: write only if attached for
	 * writing (Linux's read-only file), read and exec always.
	 */
	u32 maxperm = perm | VM_READ | VM_EXEC;
	long ret;

	if (fixed) {
		/* do_shmat: a wrap, or any mapping in the range: -EINVAL. */
		if (!(flg & SHM_REMAP) &&
		    (addr + size < addr ||
		     vmspace_overlaps(vs, addr, addr + size)))
			return -EINVAL;
		/* do_mmap(MAP_FIXED)'s checks */
		if (size > USER_TOP || addr > USER_TOP - size)
			return -ENOMEM;
		if (addr < MMAP_MIN_ADDR)
			return -EPERM;
		ret = vmspace_map_tied(vs, addr, perm, maxperm, s->pmo, &s->tie,
				       cur_pid(), flg & SHM_REMAP);
		if (ret)
			return ret == -EEXIST ? -EINVAL : ret;
		return (long)addr;
	}
	for (;;) {
		int w;

		addr = vmspace_place(vs, 0, size, current->group->lx.mmap_base,
				     MMAP_MIN_ADDR);
		if (!addr)
			return -ENOMEM;
		ret = vmspace_map_tied(vs, addr, perm, maxperm, s->pmo, &s->tie,
				       cur_pid(), false);
		if (ret == 0)
			return (long)addr;
		if (ret != -EEXIST)
			return ret;
		/* Another thread's munmap is still clearing it: wait. */
		w = vmspace_wait_clear(vs, addr, size);
		if (w <= 0)
			return w ? w : -ENOMEM;
	}
}

/*
 * shmat(2) (do_shmat): the address attached at, or in its order -EINVAL
 * (negative id; misaligned addr without SHM_RND; SHM_REMAP without addr,
 * or with an addr SHM_RND rounds to 0; unknown or stale id), -EACCES,
 * -EINVAL (with an addr and without SHM_REMAP: a wrap, or any mapping
 * in the range), then do_mmap's -ENOMEM (past user space, no room) and
 * Ferry's -EPERM below 64 KiB. A removed segment still attached can be
 * attached again, as on Linux. SHM_RDONLY maps it read-only (a write
 * faults: SIGSEGV), and mprotect cannot make that writable (-EACCES).
 */
long linux_shmat(u64 id_arg, u64 addr, u64 flg_arg)
{
	int shmid = (int)id_arg, flg = (int)flg_arg, acc;
	bool fixed = addr != 0;
	struct shm_cred c;
	struct shm_seg *s;
	u32 perm;
	long ret;

	if (shmid < 0)
		return -EINVAL;
	if (addr) {
		if (addr & (SHMLBA - 1)) {
			if (!(flg & SHM_RND))
				return -EINVAL;
			addr &= ~(u64)(SHMLBA - 1);
			if (!addr && (flg & SHM_REMAP))
				return -EINVAL;
		}
	} else if (flg & SHM_REMAP) {
		return -EINVAL;
	}
	at_rights(flg, &perm, &acc);
	cur_cred(&c);
	lock(&shm_lock);
	s = shm_ids_find(&table, shmid);
	if (!s) {
		unlock(&shm_lock);
		return -EINVAL;
	}
	if (!shm_perm_ok(&s->perm, &c, acc)) {
		unlock(&shm_lock);
		return -EACCES;
	}
	/* Counted now, so a racing IPC_RMID cannot free it under us. */
	s->nattch++;
	obj_get(s);
	unlock(&shm_lock);
	/* An addr SHM_RND rounds to 0 stays a fixed map (at page 0). */
	ret = at_map(s, addr, fixed, flg, perm);
	if (ret < 0) {
		at_undo(s);
		return ret;
	}
	/* The region holds our count and reference now (Linux's
	 * __shm_open: atime and lpid). */
	lock(&shm_lock);
	s->atime = now_sec();
	s->lpid = cur_pid();
	unlock(&shm_lock);
	return ret;
}

/*
 * shmdt(2): detaches the attachment made at addr: the first region at
 * or above addr whose distance from addr is its offset in its segment
 * (the attachment itself, or its first surviving piece), then every
 * other piece of that segment at its own offset from addr within the
 * segment's size. -EINVAL for a misaligned addr or when none is found.
 */
long linux_shmdt(u64 addr)
{
	struct vmspace *vs = current->group->vmspace;
	struct vm_tie *t = NULL;
	vaddr_t start;
	size_t size, whole;

	if (addr & (PAGE_SIZE - 1))
		return -EINVAL;
	if (!vmspace_find_tied(vs, addr, addr, 0, &shm_tie_ops, &t, &start,
			       &size, &whole))
		return -EINVAL;
	/*
	 * t and the PMO size are compared, never followed, once the lock
	 * is dropped (Linux compares the VMA's file the same way). Each
	 * search starts at the region tree's first region ending above the
	 * last piece (O(log n)), but mprotect's splits make up to 65,530
	 * pieces: a point after each keeps one hold of the CPU short. The point
	 * comes before the search, so that what it finds is what is unmapped. A
	 * killed thread stops (its exit unmaps the rest).
	 */
	for (;;) {
		(void)vmspace_unmap_preemptible(vs, start, size);
		if (sched_preempt_point() < 0 ||
		    !vmspace_find_tied(vs, addr, start + size, whole,
				       &shm_tie_ops, &t, &start, &size, NULL))
			return 0;
	}
}

static void stat_fill(struct shm_seg *s, struct lx_shmid64_ds *d)
{
	memset(d, 0, sizeof(*d));
	d->perm.key = shm_ids_key(&table, s->id);
	d->perm.uid = s->perm.uid;
	d->perm.gid = s->perm.gid;
	d->perm.cuid = s->perm.cuid;
	d->perm.cgid = s->perm.cgid;
	d->perm.mode = s->perm.mode;
	d->perm.seq = (u16)((u32)s->id >> SHM_SEQ_SHIFT);
	d->segsz = s->segsz;
	d->atime = s->atime;
	d->dtime = s->dtime;
	d->ctime = s->ctime;
	d->cpid = (s32)s->cpid;
	d->lpid = (s32)s->lpid;
	d->nattch = s->nattch;
}

/* IPC_STAT, SHM_STAT, SHM_STAT_ANY (shmctl_stat). */
static long ctl_stat(int shmid, int cmd, void __user *buf)
{
	struct lx_shmid64_ds d;
	struct shm_cred c;
	struct shm_seg *s;
	long ret;

	cur_cred(&c);
	lock(&shm_lock);
	s = cmd == IPC_STAT ? shm_ids_find(&table, shmid)
			    : shm_ids_find_index(&table, shmid);
	if (!s) {
		unlock(&shm_lock);
		return -EINVAL;
	}
	if (cmd != SHM_STAT_ANY && !shm_perm_ok(&s->perm, &c, 0444)) {
		unlock(&shm_lock);
		return -EACCES;
	}
	stat_fill(s, &d);
	ret = cmd == IPC_STAT ? 0 : s->id;
	unlock(&shm_lock);
	return copy_to_user(buf, &d, sizeof(d)) ? -EFAULT : ret;
}

/* IPC_SET (its buffer already copied in) and IPC_RMID (shmctl_down). */
static long ctl_down(int shmid, int cmd, const struct lx_shmid64_ds *in)
{
	struct shm_cred c;
	struct shm_seg *s;
	bool gone = false;
	long ret = 0;

	cur_cred(&c);
	lock(&shm_lock);
	s = shm_ids_find(&table, shmid);
	if (!s) {
		ret = -EINVAL;
		goto out;
	}
	if (!shm_perm_owner(&s->perm, &c)) {
		ret = -EPERM;
		goto out;
	}
	if (cmd == IPC_RMID) {
		/* do_shm_rmid: the key is free at once; the memory stays
		 * while attached. */
		s->perm.mode |= SHM_DEST;
		shm_ids_set_private(&table, s->id);
		gone = may_destroy(s);
		if (gone)
			unlink_locked(s);
		goto out;
	}
	/* ipc_update_perm: uid, gid, the low 9 mode bits. */
	if (in->perm.uid == ~0u || in->perm.gid == ~0u) {
		ret = -EINVAL;
		goto out;
	}
	s->perm.uid = in->perm.uid;
	s->perm.gid = in->perm.gid;
	s->perm.mode =
		(s->perm.mode & ~S_IRWXUGO) | (in->perm.mode & S_IRWXUGO);
	s->ctime = now_sec();
out:
	unlock(&shm_lock);
	if (gone)
		seg_free_unlinked(s);
	return ret;
}

/*
 * SHM_LOCK, SHM_UNLOCK (shmctl_do_lock): only the SHM_LOCKED mode bit;
 * Ferry never pages memory out, so a segment is always "locked".
 */
static long ctl_lock(int shmid, int cmd)
{
	struct shm_cred c;
	struct shm_seg *s;
	long ret = 0;

	cur_cred(&c);
	lock(&shm_lock);
	s = shm_ids_find(&table, shmid);
	if (!s)
		ret = -EINVAL;
	else if (!c.ipc_lock && c.uid != s->perm.uid && c.uid != s->perm.cuid)
		ret = -EPERM;
	else if (cmd == SHM_LOCK)
		s->perm.mode |= SHM_LOCKED;
	else
		s->perm.mode &= ~(u32)SHM_LOCKED;
	unlock(&shm_lock);
	return ret;
}

/*
 * Frames of all segments (SHM_INFO's shm_rss): one segment at a time,
 * held, counted without shm_lock, with a preemption point after each
 * (a PMO's radix walk is up to 256 K entries).
 */
static u64 resident_pages(void)
{
	u64 n = 0;

	for (int i = 0; i < SHM_IDX_MAX; i++) {
		struct shm_seg *s;

		lock(&shm_lock);
		if (i > table.max_idx) {
			unlock(&shm_lock);
			break;
		}
		s = table.obj[i];
		if (s)
			obj_get(s);
		unlock(&shm_lock);
		if (!s)
			continue;
		n += pmo_resident_pages(s->pmo);
		seg_put(s);
		if (sched_preempt_point() < 0)
			break; /* killed: the answer is never seen */
	}
	return n;
}

/* IPC_INFO and SHM_INFO: the limits, or the usage; ipc_get_maxidx. */
static long ctl_info(int cmd, void __user *buf)
{
	struct lx_shminfo64 li;
	struct lx_shm_info si;
	long ret;

	memset(&li, 0, sizeof(li));
	memset(&si, 0, sizeof(si));
	lock(&shm_lock);
	ret = shm_ids_max_idx(&table);
	if (ret < 0)
		ret = 0;
	if (cmd == IPC_INFO) {
		li.shmmax = SHMMAX;
		li.shmmin = SHMMIN;
		li.shmmni = li.shmseg = SHM_MNI;
		li.shmall = SHMALL;
	} else {
		si.used_ids = (s32)table.in_use;
		si.shm_tot = shm_tot;
	}
	unlock(&shm_lock);
	if (cmd == SHM_INFO)
		si.shm_rss = resident_pages();
	if (cmd == IPC_INFO)
		return copy_to_user(buf, &li, sizeof(li)) ? -EFAULT : ret;
	return copy_to_user(buf, &si, sizeof(si)) ? -EFAULT : ret;
}

/*
 * shmctl(2) (ksys_shmctl): a negative id or command -EINVAL first, then
 * by command; unknown ones -EINVAL. IPC_SET reads the whole struct
 * (-EFAULT) before it looks the id up; the others look up first and
 * write last (-EFAULT with nothing changed).
 */
long linux_shmctl(u64 id_arg, u64 cmd_arg, void __user *buf)
{
	int shmid = (int)id_arg, cmd = (int)cmd_arg;
	struct lx_shmid64_ds in;

	if (cmd < 0 || shmid < 0)
		return -EINVAL;
	switch (cmd) {
	case IPC_INFO:
	case SHM_INFO:
		return ctl_info(cmd, buf);
	case IPC_STAT:
	case SHM_STAT:
	case SHM_STAT_ANY:
		return ctl_stat(shmid, cmd, buf);
	case IPC_SET:
		if (copy_from_user(&in, buf, sizeof(in)))
			return -EFAULT;
		return ctl_down(shmid, cmd, &in);
	case IPC_RMID:
		return ctl_down(shmid, cmd, NULL);
	case SHM_LOCK:
	case SHM_UNLOCK:
		return ctl_lock(shmid, cmd);
	}
	return -EINVAL;
}
