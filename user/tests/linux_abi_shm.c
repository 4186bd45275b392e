/*
 * System V shared memory as a table of (arguments, Linux 6.1's answer):
 * shmget, shmat, shmdt, shmctl, their errors and order of checks, the
 * IPC_STAT fields before and after each operation, removal while
 * attached, partial munmap of an attachment, ids and the full table,
 * and 1000 create/attach/touch/detach/remove cycles (init's leak check
 * then sees every frame and object back). Run unmodified under Linux by
 * tools/linux-ref-tests.sh. Rules are shmget(2), shmop(2), shmctl(2).
 *
 * Ids are system-wide: only relations between this program's ids are
 * checked (Linux's id is seq << 15 | index, indices taken cyclically).
 */
#include <string.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "linux_abi.h"
#include "linux_shm.h"

#ifndef SHM_STAT_ANY
#define SHM_STAT_ANY 15
#endif
#ifndef SHM_EXEC
#define SHM_EXEC 0100000
#endif
#ifndef SHM_NORESERVE
#define SHM_NORESERVE 010000
#endif
#ifndef SHM_HUGETLB
#define SHM_HUGETLB 04000
#endif
#define SHM_DEST 01000
#define SHM_LOCKED 02000
#define SHMMAX 0xfffffffffefffffful
#define SEQ(id) ((long)(id) >> 15)
#define IDX(id) ((long)(id)&0x7fff)
/* A quiet stretch of user space for fixed attaches. */
#define AT 0x340000000l
#define KEY1 0x5eed0001
#define KEY2 0x5eed0002

static struct shmid_ds st(long id)
{
	struct shmid_ds d;

	memset(&d, 0x5a, sizeof(d));
	if (shmctl((int)id, IPC_STAT, &d))
		memset(&d, 0xee, sizeof(d));
	return d;
}

static long t0;

/* shmget(2): keys, IPC_CREAT, IPC_EXCL, sizes and limits. */
static void test_get(void)
{
	long a, b;

	tap_eq(get(IPC_PRIVATE, 0, 0600), -EINVAL,
	       "shmget: size 0 (< SHMMIN) -EINVAL");
	tap_eq(get(IPC_PRIVATE, -1, 0600), -EINVAL,
	       "shmget: size ~0 (> SHMMAX) -EINVAL");
	tap_eq(get(IPC_PRIVATE, SHMMAX, 0600), -EINVAL,
	       "shmget: size SHMMAX, past the largest file -EINVAL");
	tap_eq(get(IPC_PRIVATE, 2l << 30, 0600), -ENOMEM,
	       "shmget: 2 GiB, more than RAM -ENOMEM (overcommit guess)");
	tap_eq(get(IPC_PRIVATE, PG, SHM_HUGETLB | 0600), -ENOMEM,
	       "shmget: SHM_HUGETLB, no huge pages reserved -ENOMEM");
	tap_eq(get(IPC_PRIVATE, PG, -1), -EINVAL,
	       "shmget: flags -1 (a huge page size x86_64 lacks) -EINVAL");
	tap_eq(get(IPC_PRIVATE, PG, SHM_HUGETLB | (21 << 26)), -ENOMEM,
	       "shmget: SHM_HUGETLB | SHM_HUGE_2MB -ENOMEM");
	tap_eq(get(IPC_PRIVATE, PG, SHM_HUGETLB | (22 << 26)), -EINVAL,
	       "shmget: SHM_HUGETLB, size code 22 -EINVAL");
	a = get(IPC_PRIVATE, PG, SHM_NORESERVE | 0600);
	tap_ok(a >= 0, "shmget: SHM_NORESERVE accepted");
	ctl(a, IPC_RMID, 0);
	tap_eq(get(KEY1, 100, 0600), -ENOENT,
	       "shmget: missing key without IPC_CREAT -ENOENT");
	a = get(KEY1, 100, IPC_CREAT | 0640);
	tap_ok(a >= 0, "shmget(KEY1, 100, IPC_CREAT): an id (%ld)", a);
	tap_eq(get(KEY1, 100, 0), a, "shmget(KEY1) again: the same id");
	tap_eq(get(KEY1, 0, 0), a, "shmget(KEY1, 0): size 0 finds it");
	tap_eq(get(KEY1, 50, IPC_CREAT), a,
	       "shmget(KEY1, smaller, IPC_CREAT): the same id");
	tap_eq(get(KEY1, 101, 0), -EINVAL,
	       "shmget(KEY1, larger than the segment) -EINVAL");
	tap_eq(get(KEY1, 100, IPC_CREAT | IPC_EXCL | 0600), -EEXIST,
	       "shmget(KEY1, IPC_CREAT|IPC_EXCL) -EEXIST");
	tap_eq(get(KEY1, 101, IPC_CREAT | IPC_EXCL), -EEXIST,
	       "IPC_EXCL is checked before the size: -EEXIST");
	tap_eq(get(KEY1, 0, IPC_EXCL), a,
	       "IPC_EXCL without IPC_CREAT: the same id");
	tap_eq(get(KEY1, 0, 0777), a,
	       "mode asking rwx of a 0640 segment: root passes "
	       "(CAP_IPC_OWNER)");
	tap_eq(getuid(), 0, "getuid: 0 (root)");
	tap_eq(geteuid(), 0, "geteuid: 0");
	tap_eq(getgid(), 0, "getgid: 0");
	tap_eq(getegid(), 0, "getegid: 0");
	b = get(-7, 1, IPC_CREAT | 0600);
	tap_ok(b >= 0 && b != a, "a negative key is a key: a new id");
	tap_eq(get(-7, 1, 0), b, "and is found again");
	tap_eq(get((1l << 32) | KEY1, 0, 0), a, "the key is an int");
	tap_ok(get(IPC_PRIVATE, 1, IPC_CREAT | IPC_EXCL | 0600) !=
		       get(IPC_PRIVATE, 1, IPC_CREAT | IPC_EXCL | 0600),
	       "IPC_PRIVATE with IPC_CREAT|IPC_EXCL: a new segment each time");
	/* Remove those two: the newest ids are b's successors. */
	for (long id = b + 1; id <= b + 2; id++)
		ctl(id, IPC_RMID, 0);
	tap_eq(ctl(a, IPC_RMID, 0), 0, "IPC_RMID(KEY1's segment): 0");
	tap_eq(get(KEY1, 0, 0), -ENOENT, "its key is gone: -ENOENT");
	tap_eq(ctl(b, IPC_RMID, 0), 0, "IPC_RMID(key -7's): 0");
}

/* IPC_STAT (shmctl(2)): every field, before and after each operation. */
static void test_stat(void)
{
	long id = get(KEY2, 5000, IPC_CREAT | IPC_EXCL | 0777);
	long t1 = time(0), t2;
	struct shmid_ds d = st(id), d2;
	char *p;

	tap_ok(id >= 0, "shmget(KEY2, 5000, 0777|IPC_CREAT|IPC_EXCL)");
	tap_eq(d.shm_perm.__key, KEY2, "IPC_STAT: key");
	tap_eq(d.shm_perm.uid, 0, "IPC_STAT: uid 0");
	tap_eq(d.shm_perm.gid, 0, "IPC_STAT: gid 0");
	tap_eq(d.shm_perm.cuid, 0, "IPC_STAT: cuid 0");
	tap_eq(d.shm_perm.cgid, 0, "IPC_STAT: cgid 0");
	tap_eq(d.shm_perm.mode, 0777,
	       "IPC_STAT: mode, the low 9 bits of the flags");
	tap_eq(d.shm_perm.__seq, SEQ(id), "IPC_STAT: seq, the id's high bits");
	tap_eq(d.shm_segsz, 5000, "IPC_STAT: segsz, bytes asked for");
	tap_eq(d.shm_atime, 0, "IPC_STAT: atime 0 before any attach");
	tap_eq(d.shm_dtime, 0, "IPC_STAT: dtime 0 before any detach");
	tap_ok(d.shm_ctime >= t0 && d.shm_ctime <= t1,
	       "IPC_STAT: ctime, the creation, in wall-clock seconds");
	tap_eq(d.shm_cpid, getpid(), "IPC_STAT: cpid, the creator");
	tap_eq(d.shm_lpid, 0, "IPC_STAT: lpid 0 before any shmat/shmdt");
	tap_eq(d.shm_nattch, 0, "IPC_STAT: nattch 0");
	p = shmat((int)id, 0, 0);
	t2 = time(0);
	d = st(id);
	tap_ok(p != (void *)-1, "shmat(id, NULL, 0): attached");
	tap_ok(d.shm_atime >= t1 && d.shm_atime <= t2,
	       "after shmat: atime now");
	tap_eq(d.shm_dtime, 0, "after shmat: dtime still 0");
	tap_eq(d.shm_lpid, getpid(), "after shmat: lpid, the caller");
	tap_eq(d.shm_nattch, 1, "after shmat: nattch 1");
	p[0] = 'x';
	p[8191] = 'y'; /* the segment is two whole pages */
	tap_eq(shmdt(p), 0, "shmdt: 0");
	d2 = st(id);
	tap_ok(d2.shm_dtime >= t1 && d2.shm_dtime <= time(0),
	       "after shmdt: dtime now");
	tap_eq(d2.shm_atime, d.shm_atime, "after shmdt: atime unchanged");
	tap_eq(d2.shm_nattch, 0, "after shmdt: nattch 0");
	tap_eq(d2.shm_ctime, d.shm_ctime, "shmat/shmdt leave ctime");
	p = shmat((int)id, 0, SHM_RDONLY);
	tap_ok(p != (void *)-1 && p[0] == 'x' && p[8191] == 'y',
	       "the data outlives a detach (SHM_RDONLY attach reads it)");
	tap_eq(lx3(SYS_mprotect, p, PG, PROT_READ | PROT_WRITE), -EACCES,
	       "mprotect(PROT_WRITE) of a SHM_RDONLY attach: -EACCES");
	shmdt(p);
	/* IPC_SET: uid, gid and the low 9 mode bits only. */
	memset(&d2, 0, sizeof(d2));
	d2.shm_perm.uid = 1000;
	d2.shm_perm.gid = 1001;
	d2.shm_perm.cuid = 55;
	d2.shm_perm.mode = 07640;
	d2.shm_segsz = 1;
	tap_eq(ctl(id, IPC_SET, &d2), 0, "IPC_SET: 0");
	d = st(id);
	tap_eq(d.shm_perm.uid, 1000, "after IPC_SET: uid");
	tap_eq(d.shm_perm.gid, 1001, "after IPC_SET: gid");
	tap_eq(d.shm_perm.cuid, 0, "after IPC_SET: cuid unchanged");
	tap_eq(d.shm_perm.mode, 0640, "after IPC_SET: mode, low 9 bits only");
	tap_eq(d.shm_segsz, 5000, "after IPC_SET: segsz unchanged");
	tap_ok(d.shm_ctime >= t1, "after IPC_SET: ctime now");
	d2.shm_perm.uid = -1;
	tap_eq(ctl(id, IPC_SET, &d2), -EINVAL, "IPC_SET uid -1: -EINVAL");
	d2.shm_perm.uid = 0;
	d2.shm_perm.gid = -1;
	tap_eq(ctl(id, IPC_SET, &d2), -EINVAL, "IPC_SET gid -1: -EINVAL");
	tap_eq(st(id).shm_perm.uid, 1000, "a refused IPC_SET changes nothing");
	tap_eq(ctl(id, IPC_SET, 0), -EFAULT, "IPC_SET from NULL: -EFAULT");
	tap_eq(ctl(id, IPC_SET, (void *)KERNEL_ADDR), -EFAULT,
	       "IPC_SET from the kernel: -EFAULT");
	tap_eq(ctl(-5, IPC_SET, 0), -EINVAL,
	       "IPC_SET, negative id: -EINVAL before the buffer");
	tap_eq(ctl(id + 7, IPC_SET, 0), -EFAULT,
	       "IPC_SET, unknown id, NULL buffer: -EFAULT (read first)");
	tap_eq(ctl(id, IPC_STAT, 0), -EFAULT, "IPC_STAT into NULL: -EFAULT");
	tap_eq(ctl(id, IPC_STAT, (void *)KERNEL_ADDR), -EFAULT,
	       "IPC_STAT into the kernel: -EFAULT");
	tap_eq(ctl(id + 7, IPC_STAT, 0), -EINVAL,
	       "IPC_STAT, unknown id, NULL buffer: -EINVAL (id first)");
	/* SHM_LOCK/SHM_UNLOCK: the SHM_LOCKED mode bit. */
	tap_eq(ctl(id, SHM_LOCK, 0), 0, "SHM_LOCK: 0");
	tap_eq(st(id).shm_perm.mode, 0640 | SHM_LOCKED, "SHM_LOCK: mode 02640");
	tap_eq(ctl(id, SHM_LOCK, 0), 0, "SHM_LOCK again: 0");
	tap_eq(ctl(id, SHM_UNLOCK, 0), 0, "SHM_UNLOCK: 0");
	tap_eq(st(id).shm_perm.mode, 0640, "SHM_UNLOCK: mode 0640");
	tap_eq(ctl(id, SHM_UNLOCK, 0), 0, "SHM_UNLOCK of an unlocked one: 0");
	tap_eq(ctl(id + 7, SHM_LOCK, 0), -EINVAL,
	       "SHM_LOCK unknown id: -EINVAL");
	tap_eq(ctl(id, IPC_RMID, 0), 0, "IPC_RMID: 0");
	tap_eq(ctl(id, IPC_STAT, &d), -EINVAL,
	       "IPC_STAT after IPC_RMID (not attached): -EINVAL");
	tap_eq(ctl(id, IPC_RMID, 0), -EINVAL, "IPC_RMID again: -EINVAL");
}

/* shmop(2): addresses, SHM_RND, SHM_REMAP, SHM_RDONLY, SHM_EXEC. */
static void test_at(void)
{
	long id = get(IPC_PRIVATE, 2 * PG, 0600), id1, p, q;

	tap_eq(at(-1, 0, 0), -EINVAL, "shmat: negative id -EINVAL");
	tap_eq(at(id + 3, 0, 0), -EINVAL, "shmat: unknown id -EINVAL");
	tap_eq(at(id + (5l << 15), 0, 0), -EINVAL,
	       "shmat: right index, wrong seq -EINVAL");
	tap_eq(at(id, AT + 100, 0), -EINVAL,
	       "shmat: misaligned addr without SHM_RND -EINVAL");
	tap_eq(at(id, 0, SHM_REMAP), -EINVAL,
	       "shmat: SHM_REMAP, no addr -EINVAL");
	tap_eq(at(id, 100, SHM_RND | SHM_REMAP), -EINVAL,
	       "shmat: SHM_RND to 0 with SHM_REMAP -EINVAL");
	tap_eq(at(-1, AT + 100, 0), -EINVAL, "bad id and bad addr: -EINVAL");
	tap_eq(at(id, AT + 100, SHM_RND), AT,
	       "shmat(AT + 100, SHM_RND): rounded down to AT");
	tap_eq(nattch(id), 1, "nattch 1");
	tap_eq(at(id, AT, 0), -EINVAL, "shmat over an attach: -EINVAL");
	tap_eq(at(id, AT + PG, 0), -EINVAL,
	       "shmat overlapping an attach: -EINVAL");
	tap_eq(at(id, AT - PG, 0), -EINVAL,
	       "shmat overlapping an attach's start: -EINVAL");
	tap_eq(nattch(id), 1, "refused attaches leave nattch 1");
	q = at(id, 0, 0);
	tap_ok(q > 0 && q != AT, "the same segment twice: another address");
	tap_eq(nattch(id), 2, "nattch 2");
	((char *)AT)[5] = 'k';
	tap_eq(((char *)q)[5], 'k',
	       "a write through one shows through the other");
	tap_eq(dt(q), 0, "shmdt of the second: 0");
	tap_eq(dt(q), -EINVAL, "shmdt twice: -EINVAL");
	/* SHM_REMAP replaces what is there. */
	p = lx6(SYS_mmap, AT + 4 * PG, PG, PROT_READ | PROT_WRITE,
		MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	((char *)p)[5] = 'm';
	tap_eq(at(id, AT + 4 * PG, 0), -EINVAL, "shmat over an mmap: -EINVAL");
	tap_eq(at(id, AT + 4 * PG, SHM_REMAP), AT + 4 * PG,
	       "shmat over an mmap with SHM_REMAP: there");
	tap_eq(((char *)p)[5], 'k', "and the segment replaced the mmap");
	tap_eq(nattch(id), 2, "nattch 2");
	tap_eq(at(id, AT + 4 * PG, SHM_REMAP), AT + 4 * PG,
	       "SHM_REMAP over its own attach: there");
	tap_eq(nattch(id), 2, "nattch 2: the old attach was replaced");
	tap_eq(dt(AT + 4 * PG), 0, "shmdt: 0");
	tap_eq(at(id, TASK_END - PG, 0), -ENOMEM,
	       "shmat whose end passes user space: -ENOMEM");
	tap_eq(at(id, KERNEL_ADDR, 0), -ENOMEM,
	       "shmat at a kernel address: -ENOMEM");
	tap_eq(at(id, -PG, 0), -EINVAL,
	       "shmat where addr + size wraps: -EINVAL");
	tap_eq(nattch(id), 1, "failed attaches leave nattch 1");
	/* SHM_RDONLY and SHM_EXEC */
	p = at(id, 0, SHM_RDONLY);
	tap_eq(((char *)p)[5], 'k', "SHM_RDONLY: reads");
	tap_eq(lx3(SYS_mprotect, p, PG, PROT_READ), 0,
	       "mprotect(PROT_READ) of it: 0");
	tap_eq(nattch(id), 2, "the same rights: no split, nattch 2");
	tap_eq(lx3(SYS_mprotect, p, PG, PROT_NONE), 0,
	       "mprotect(PROT_NONE) of one page: 0");
	tap_eq(nattch(id), 3, "it split the attach: nattch 3");
	dt(p);
	tap_eq(nattch(id), 1, "shmdt took both parts: nattch 1");
	p = at(id, 0, 0);
	tap_eq(lx3(SYS_mprotect, p, 2 * PG, PROT_READ | PROT_EXEC), 0,
	       "mprotect(PROT_EXEC) without SHM_EXEC: 0 (VM_MAYEXEC)");
	dt(p);
	p = at(id, 0, SHM_EXEC);
	tap_ok(p > 0, "SHM_EXEC: attached");
	tap_eq(lx3(SYS_mprotect, p, 2 * PG, PROT_READ | PROT_WRITE | PROT_EXEC),
	       0, "and may be mprotect'ed rwx: 0");
	dt(p);
	p = at(id, 0, SHM_RDONLY | SHM_EXEC);
	tap_eq(lx3(SYS_mprotect, p, 2 * PG, PROT_READ | PROT_EXEC), 0,
	       "SHM_RDONLY|SHM_EXEC: r-x allowed");
	tap_eq(lx3(SYS_mprotect, p, 2 * PG, PROT_READ | PROT_WRITE), -EACCES,
	       "SHM_RDONLY|SHM_EXEC: write refused");
	dt(p);
	/* shmdt(2) */
	tap_eq(dt(AT + 1), -EINVAL, "shmdt: misaligned -EINVAL");
	tap_eq(dt(AT + PG), -EINVAL, "shmdt: inside an attach -EINVAL");
	tap_eq(dt(AT - PG), -EINVAL, "shmdt: below an attach -EINVAL");
	tap_eq(dt(0), -EINVAL, "shmdt(NULL): -EINVAL");
	tap_eq(dt(KERNEL_ADDR), -EINVAL, "shmdt(kernel address): -EINVAL");
	p = lx6(SYS_mmap, AT + 8 * PG, PG, PROT_READ,
		MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	tap_eq(dt(p), -EINVAL, "shmdt of an mmap: -EINVAL");
	lx2(SYS_munmap, p, PG);
	tap_eq(dt(AT), 0, "shmdt(AT): 0");
	tap_eq(nattch(id), 0, "nattch 0");
	/* Partial munmap: each piece is an attach (Linux counts VMAs). */
	p = at(id, AT, 0);
	tap_eq(lx2(SYS_munmap, AT + PG, PG), 0,
	       "munmap of an attach's tail: 0");
	tap_eq(nattch(id), 1, "nattch still 1");
	tap_eq(dt(AT), 0, "shmdt of the rest: 0");
	tap_eq(nattch(id), 0, "nattch 0");
	id1 = get(IPC_PRIVATE, 3 * PG, 0600);
	p = at(id1, AT, 0);
	lx2(SYS_munmap, AT + PG, PG);
	tap_eq(nattch(id1), 2,
	       "munmap of the middle page: two pieces, nattch 2");
	tap_eq(dt(AT + 2 * PG), -EINVAL, "shmdt at the second piece: -EINVAL");
	tap_eq(lx2(SYS_munmap, AT, PG), 0, "munmap of the first piece");
	tap_eq(nattch(id1), 1, "nattch 1");
	tap_eq(st(id1).shm_lpid, getpid(), "lpid: the caller");
	tap_eq(dt(AT), 0, "shmdt(AT) finds the piece left at its offset: 0");
	tap_eq(nattch(id1), 0, "nattch 0");
	tap_eq(dt(AT), -EINVAL, "shmdt(AT) again: -EINVAL");
	ctl(id1, IPC_RMID, 0);
	ctl(id, IPC_RMID, 0);
}

/* shmctl(2): IPC_RMID while attached; the key is free, the memory stays. */
static void test_rmid_attached(void)
{
	long id = get(KEY1, PG, IPC_CREAT | IPC_EXCL | 0600), id2;
	char *p = shmat((int)id, 0, 0), *q;
	struct shmid_ds d;

	strcpy(p, "still here");
	tap_eq(ctl(id, IPC_RMID, 0), 0, "IPC_RMID while attached: 0");
	d = st(id);
	tap_eq(d.shm_perm.mode, 0600 | SHM_DEST, "IPC_STAT: mode has SHM_DEST");
	tap_eq(d.shm_perm.__key, IPC_PRIVATE, "IPC_STAT: the key is 0 now");
	tap_eq(d.shm_nattch, 1, "IPC_STAT: nattch 1");
	tap_eq(get(KEY1, 0, 0), -ENOENT, "shmget(the key): -ENOENT at once");
	id2 = get(KEY1, PG, IPC_CREAT | IPC_EXCL | 0600);
	tap_ok(id2 >= 0 && id2 != id, "the key makes a new segment");
	q = shmat((int)id, 0, 0);
	tap_ok(q != (void *)-1,
	       "a removed segment still attached: shmat works");
	tap_ok(!strcmp(q, "still here"), "with its data");
	tap_eq(nattch(id), 2, "nattch 2");
	tap_eq(ctl(id, IPC_RMID, 0), 0, "IPC_RMID again: 0");
	tap_eq(shmdt(q), 0, "shmdt: 0");
	tap_eq(nattch(id), 1, "nattch 1: still there");
	tap_ok(!strcmp(p, "still here"), "the memory stays");
	tap_eq(shmdt(p), 0, "last shmdt: 0");
	tap_eq(ctl(id, IPC_STAT, &d), -EINVAL, "then it is gone: -EINVAL");
	tap_eq(at(id, 0, 0), -EINVAL, "shmat of it: -EINVAL");
	tap_eq(ctl(id2, IPC_RMID, 0), 0, "the new one: IPC_RMID 0");
}

/* shmctl(2): commands, IPC_INFO, SHM_INFO, SHM_STAT, SHM_STAT_ANY. */
static void test_ctl(void)
{
	long id = get(IPC_PRIVATE, 3 * PG + 1, 0400), r;
	struct shminfo si;
	struct shm_info sj;
	struct shmid_ds d;
	char *p = shmat((int)id, 0, 0);

	p[0] = 1;
	tap_eq(ctl(id, 99, &d), -EINVAL, "shmctl: unknown command 99 -EINVAL");
	tap_eq(ctl(id, 4, &d), -EINVAL, "shmctl: command 4 -EINVAL");
	tap_eq(ctl(id, 16, &d), -EINVAL, "shmctl: command 16 -EINVAL");
	tap_eq(ctl(id, -1, &d), -EINVAL, "shmctl: negative command -EINVAL");
	tap_eq(ctl(id, IPC_STAT | 0x100, &d), -EINVAL,
	       "shmctl: IPC_64 | IPC_STAT -EINVAL (x86_64 has no versions)");
	tap_eq(ctl(-1, IPC_INFO, &si), -EINVAL,
	       "shmctl(-1, IPC_INFO): -EINVAL (negative id first)");
	r = ctl(0, IPC_INFO, &si);
	tap_ok(r >= IDX(id), "IPC_INFO: the highest index in use (%ld)", r);
	tap_eq(si.shmmax, SHMMAX, "IPC_INFO: shmmax ULONG_MAX - 2^24");
	tap_eq(si.shmmin, 1, "IPC_INFO: shmmin 1");
	tap_eq(si.shmmni, 4096, "IPC_INFO: shmmni 4096");
	tap_eq(si.shmseg, 4096, "IPC_INFO: shmseg 4096");
	tap_eq(si.shmall, SHMMAX, "IPC_INFO: shmall ULONG_MAX - 2^24 pages");
	tap_eq(ctl(0, IPC_INFO, 0), -EFAULT, "IPC_INFO into NULL: -EFAULT");
	tap_eq(ctl(0, SHM_INFO, &sj), r, "SHM_INFO: the same index");
	tap_ok(sj.__used_ids >= 1, "SHM_INFO: used_ids (%d)", sj.__used_ids);
	tap_ok(sj.shm_tot >= 4, "SHM_INFO: shm_tot in pages (%lu)", sj.shm_tot);
	tap_ok(sj.shm_rss >= 1, "SHM_INFO: shm_rss, resident pages (%lu)",
	       sj.shm_rss);
	tap_eq(sj.shm_swp, 0, "SHM_INFO: nothing swapped");
	tap_eq(ctl(0, SHM_INFO, (void *)KERNEL_ADDR), -EFAULT,
	       "SHM_INFO into the kernel: -EFAULT");
	tap_eq(ctl(IDX(id), SHM_STAT, &d), id,
	       "SHM_STAT(index): the full id, seq included");
	tap_eq(d.shm_segsz, 3 * PG + 1, "SHM_STAT: segsz");
	tap_eq(d.shm_nattch, 1, "SHM_STAT: nattch");
	tap_eq(ctl(IDX(id), SHM_STAT_ANY, &d), id,
	       "SHM_STAT_ANY(index): the id");
	tap_eq(ctl(id, SHM_STAT, &d), id,
	       "SHM_STAT(full id): only the index counts");
	tap_eq(ctl(IDX(id) + 1000, SHM_STAT, &d), -EINVAL,
	       "SHM_STAT of a free index: -EINVAL");
	tap_eq(ctl(IDX(id), SHM_STAT, 0), -EFAULT,
	       "SHM_STAT into NULL: -EFAULT");
	tap_eq(ctl(id + 5, IPC_RMID, 0), -EINVAL,
	       "IPC_RMID unknown id: -EINVAL");
	tap_eq(ctl(-3, IPC_RMID, 0), -EINVAL, "IPC_RMID negative id: -EINVAL");
	shmdt(p);
	ctl(id, IPC_RMID, 0);
}

/* Ids: indices cycle, seq grows at each wrap; stale ids are -EINVAL. */
static void test_ids(void)
{
	long first = get(IPC_PRIVATE, 1, 0600), id = first, used;
	struct shm_info sj;
	static long ids[4200];
	long n = 0, r;

	ctl(first, IPC_RMID, 0);
	id = get(IPC_PRIVATE, 1, 0600);
	tap_eq(IDX(id), IDX(first) + 1, "a new id takes the next index");
	ctl(id, IPC_RMID, 0);
	for (int i = 0; i < 64; i++) {
		id = get(IPC_PRIVATE, 1, 0600);
		ctl(id, IPC_RMID, 0);
	}
	tap_eq(id, first + 1 + (1l << 15),
	       "64 ids later the index comes back with seq + 1");
	tap_eq(at(first + 1, 0, 0), -EINVAL, "its old id: shmat -EINVAL");
	tap_eq(ctl(first + 1, IPC_STAT, &(struct shmid_ds){0}), -EINVAL,
	       "its old id: IPC_STAT -EINVAL");
	/* The table holds SHMMNI (4096) segments. */
	ctl(0, SHM_INFO, &sj);
	used = sj.__used_ids;
	while (n < 4200 && (r = get(IPC_PRIVATE, 1, 0600)) >= 0)
		ids[n++] = r;
	tap_eq(n + used, 4096, "4096 segments at once (SHMMNI)");
	tap_eq(r, -ENOSPC, "the next: -ENOSPC");
	tap_eq(ctl(0, IPC_INFO, &(struct shminfo){0}) < 6144, 1,
	       "indices stay below 4096 * 3 / 2");
	for (long i = 0; i < n; i++)
		ctl(ids[i], IPC_RMID, 0);
	r = get(IPC_PRIVATE, 1, 0600);
	tap_ok(r >= 0, "after removing them: a new one");
	ctl(r, IPC_RMID, 0);
}

/* 1000 cycles of the whole life: init's leak check follows this test. */
static void test_cycles(void)
{
	int bad = 0;

	for (int i = 0; i < 1000; i++) {
		int id = shmget(IPC_PRIVATE, 3 * PG, 0600);
		char *p = shmat(id, 0, 0);

		if (id < 0 || p == (void *)-1) {
			bad++;
			continue;
		}
		p[0] = 1;
		p[2 * PG] = 2;
		bad += shmdt(p) != 0;
		bad += shmctl(id, IPC_RMID, 0) != 0;
	}
	tap_eq(bad, 0, "1000 create/attach/touch/detach/remove cycles");
}

int main(void)
{
	t0 = time(0);
	test_get();
	test_stat();
	test_at();
	test_rmid_attached();
	test_ctl();
	test_ids();
	test_cycles();
	return tap_done();
}
