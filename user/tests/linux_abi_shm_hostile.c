/*
 * System V shared memory under hostile use, as a table of (arguments,
 * Linux 6.1's answer): attachments cut into pieces by mprotect, munmap,
 * MAP_FIXED and SHM_REMAP (of other segments and of the same one), a
 * removed segment freed by the unmap of its last piece, buffers that
 * straddle unmapped or read-only pages or lie in an attachment, and ids
 * and commands at the ends of their ranges. nattch counts pieces as
 * Linux counts VMAs. Run unmodified under Linux by
 * tools/linux-ref-tests.sh; init's leak check then sees every segment's
 * frames and objects back. Rules: shmget(2), shmop(2), shmctl(2),
 * mmap(2), mprotect(2).
 */
#include <limits.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "linux_abi.h"
#include "linux_shm.h"

#define SHM_DEST 01000
#define IDX(id) ((long)(id)&0x7fff)
/* A quiet stretch of user space for fixed attaches and mappings. */
#define AT 0x350000000l

static long mp(long addr, long len, long prot)
{
	return lx3(SYS_mprotect, addr, len, prot);
}
static long unmap(long addr, long len)
{
	return lx2(SYS_munmap, addr, len);
}
static long map_fixed(long addr, long len)
{
	return lx6(SYS_mmap, addr, len, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
}

/* An 8-page attachment cut every way there is; shmdt takes its pieces. */
static void test_pieces(void)
{
	long a = get(IPC_PRIVATE, 8 * PG, 0600);
	long b = get(IPC_PRIVATE, PG, 0600);
	char *p = (char *)at(a, AT, 0);

	tap_eq((long)p, AT, "an 8-page segment attached at AT");
	for (int i = 0; i < 8; i++)
		p[i * PG] = (char)('a' + i);
	/* mprotect(2) of pages 1, 3, 5: each splits (Linux counts VMAs). */
	tap_eq(mp(AT + PG, PG, PROT_READ), 0, "mprotect page 1 read-only");
	tap_eq(mp(AT + 3 * PG, PG, PROT_READ), 0, "mprotect page 3");
	tap_eq(mp(AT + 5 * PG, PG, PROT_READ), 0, "mprotect page 5");
	tap_eq(nattch(a), 7, "7 pieces: nattch 7");
	/* The same rights over pieces that have them already: no change. */
	tap_eq(mp(AT + PG, PG, PROT_READ), 0, "mprotect page 1 again");
	tap_eq(nattch(a), 7, "the same rights: nattch still 7");
	/* MAP_FIXED over pages 2..3: piece 2 goes, piece 3 goes. */
	tap_eq(map_fixed(AT + 2 * PG, 2 * PG), AT + 2 * PG,
	       "MAP_FIXED mmap over pages 2 and 3");
	tap_eq(nattch(a), 5, "two pieces replaced: nattch 5");
	/* SHM_REMAP of another segment over page 6. */
	tap_eq(at(b, AT + 6 * PG, SHM_REMAP), AT + 6 * PG,
	       "SHM_REMAP of another segment over page 6");
	tap_eq(nattch(a), 5, "page 6 was cut from piece 6-7: nattch 5");
	tap_eq(nattch(b), 1, "the other segment: nattch 1");
	tap_eq(p[7 * PG], 'h', "page 7 still holds its byte");
	tap_eq(p[6 * PG], 0, "page 6 is the other segment's (zeros)");
	/* munmap past the attachment's end into nothing. */
	tap_eq(unmap(AT + 7 * PG, 8 * PG), 0, "munmap of page 7 and beyond");
	tap_eq(nattch(a), 4, "nattch 4");
	tap_eq(dt(AT + PG), -EINVAL, "shmdt(AT + PG): no piece at offset 0");
	tap_eq(dt(AT), 0, "shmdt(AT): its pieces");
	tap_eq(nattch(a), 0, "every piece went: nattch 0");
	tap_eq(nattch(b), 1, "the other segment's attach stays");
	tap_eq(*(volatile char *)(AT + 2 * PG), 0,
	       "the MAP_FIXED mapping stays");
	tap_eq(dt(AT), -EINVAL, "shmdt(AT) again: -EINVAL");
	tap_eq(dt(AT + 6 * PG), 0, "shmdt of the other one: 0");
	tap_eq(unmap(AT, 8 * PG), 0, "munmap of the rest");
	tap_eq(ctl(a, IPC_RMID, 0), 0, "IPC_RMID a");
	tap_eq(ctl(b, IPC_RMID, 0), 0, "IPC_RMID b");
}

/* A removed segment lives while a piece of it is mapped, then goes. */
static void test_rmid_pieces(void)
{
	long a = get(IPC_PRIVATE, 4 * PG, 0600);
	char *p = (char *)at(a, AT, 0);
	struct shmid_ds d;
	long q;

	tap_eq((long)p, AT, "a 4-page segment at AT");
	p[3 * PG] = 'z';
	tap_eq(mp(AT + PG, 2 * PG, PROT_NONE), 0, "mprotect the middle");
	tap_eq(nattch(a), 3, "three pieces");
	tap_eq(ctl(a, IPC_RMID, 0), 0, "IPC_RMID while in pieces: 0");
	tap_eq(unmap(AT, PG), 0, "munmap the first piece");
	tap_eq(nattch(a), 2, "nattch 2");
	tap_eq(unmap(AT + PG, 2 * PG), 0, "munmap the middle piece");
	tap_eq(nattch(a), 1, "nattch 1: still there");
	tap_eq(p[3 * PG], 'z', "the last piece still holds its data");
	q = at(a, 0, 0);
	tap_ok(q > 0, "attach the removed segment again");
	tap_eq(((char *)q)[3 * PG], 'z', "with its data");
	tap_eq(nattch(a), 2, "nattch 2");
	tap_eq(dt(AT), 0, "shmdt(AT) finds the last piece at its offset");
	tap_eq(nattch(a), 1, "nattch 1");
	tap_eq(ctl(a, IPC_STAT, &d), 0, "IPC_STAT: 0");
	tap_eq(d.shm_perm.mode & SHM_DEST, SHM_DEST, "mode has SHM_DEST");
	tap_eq(mp(q + PG, PG, PROT_READ), 0, "mprotect splits the new one");
	tap_eq(nattch(a), 3, "nattch 3");
	tap_eq(unmap(q, 4 * PG), 0, "munmap of all its pieces at once");
	tap_eq(ctl(a, IPC_STAT, &d), -EINVAL, "then it is gone: -EINVAL");
	tap_eq(at(a, 0, 0), -EINVAL, "shmat of it: -EINVAL");
}

/* The same segment SHM_REMAP'd over itself, one page up. */
static void test_remap_self(void)
{
	long a = get(IPC_PRIVATE, 3 * PG, 0600), q;
	char *p = (char *)at(a, AT, 0);

	tap_eq((long)p, AT, "a 3-page segment at AT");
	p[0] = 'x';
	q = at(a, AT + PG, SHM_REMAP);
	tap_eq(q, AT + PG, "SHM_REMAP of it over itself at AT + PG");
	tap_eq(nattch(a), 2, "the first cut to a page, the second: nattch 2");
	tap_eq(p[PG], 'x', "AT + PG shows offset 0 now");
	tap_eq(at(a, AT, SHM_REMAP), AT, "SHM_REMAP at AT again");
	tap_eq(nattch(a), 2, "nattch 2");
	tap_eq(dt(AT), 0, "shmdt(AT)");
	tap_eq(nattch(a), 1, "nattch 1: the piece at AT + 3 PG stays");
	tap_eq(dt(AT + PG), 0, "shmdt(AT + PG) finds it at offset 2 PG");
	tap_eq(nattch(a), 0, "nattch 0");
	tap_eq(ctl(a, IPC_RMID, 0), 0, "IPC_RMID");
	tap_eq(ctl(a, IPC_STAT, &(struct shmid_ds){0}), -EINVAL,
	       "then it is gone");
}

/* shmctl buffers at the edges of mappings and in attachments. */
static void test_buffers(void)
{
	long a = get(IPC_PRIVATE, 2 * PG, 0640), ro;
	char *w = (char *)at(a, AT, 0);
	char *pg = (char *)lx6(SYS_mmap, AT + 4 * PG, 2 * PG,
			       PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	struct shmid_ds *d;

	tap_eq((long)w, AT, "a segment at AT");
	tap_eq((long)pg, AT + 4 * PG, "two pages at AT + 4 PG");
	unmap(AT + 5 * PG, PG);
	/* 112 bytes ending one byte into the unmapped page. */
	d = (struct shmid_ds *)(AT + 5 * PG - sizeof(*d) + 1);
	tap_eq(ctl(a, IPC_STAT, d), -EFAULT,
	       "IPC_STAT into a buffer whose last byte is unmapped: -EFAULT");
	tap_eq(ctl(a, IPC_SET, d), -EFAULT,
	       "IPC_SET from a buffer whose last byte is unmapped: -EFAULT");
	tap_eq(ctl(0, IPC_INFO, (char *)(AT + 5 * PG) - 71), -EFAULT,
	       "IPC_INFO into it: -EFAULT");
	tap_eq(ctl(0, SHM_INFO, (char *)(AT + 5 * PG) - 47), -EFAULT,
	       "SHM_INFO into it: -EFAULT");
	tap_eq(ctl(IDX(a), SHM_STAT, d), -EFAULT, "SHM_STAT into it: -EFAULT");
	/* Odd addresses: no alignment asked. */
	d = (struct shmid_ds *)(AT + 5 * PG - sizeof(*d) - 3);
	tap_eq(ctl(a, IPC_STAT, d), 0, "IPC_STAT to an odd address: 0");
	tap_eq(d->shm_segsz, 2 * PG, "with segsz");
	/* Into and from the segment itself. */
	d = (struct shmid_ds *)(w + PG - 50);
	tap_eq(ctl(a, IPC_STAT, d), 0, "IPC_STAT into the segment itself: 0");
	tap_eq(d->shm_nattch, 1, "nattch 1 read there");
	d->shm_perm.mode = 0604;
	tap_eq(ctl(a, IPC_SET, d), 0, "IPC_SET from the segment itself: 0");
	ro = at(a, 0, SHM_RDONLY);
	tap_ok(ro > 0, "attached read-only too");
	tap_eq(ctl(a, IPC_STAT, (void *)ro), -EFAULT,
	       "IPC_STAT into a SHM_RDONLY attachment: -EFAULT");
	tap_eq(ctl(a, IPC_SET, (void *)(ro + PG - 50)), 0,
	       "IPC_SET from it (read): 0");
	tap_eq(nattch(a), 2, "nattch 2");
	tap_eq(ctl(a, IPC_STAT, d), 0, "IPC_STAT again");
	tap_eq(d->shm_perm.mode, 0604, "mode 0604");
	tap_eq(dt(ro), 0, "shmdt of the read-only attach");
	tap_eq(dt(AT), 0, "shmdt(AT)");
	tap_eq(ctl(a, IPC_RMID, 0), 0, "IPC_RMID");
	unmap(AT + 4 * PG, PG);
}

/* Ids and commands are ints: upper bits ignored; the ends of the range. */
static void test_ids(void)
{
	long a = get(IPC_PRIVATE, PG, 0600), p;
	struct shmid_ds d;

	tap_eq(at(INT_MIN, 0, 0), -EINVAL, "shmat(INT_MIN): -EINVAL");
	tap_eq(at(INT_MAX, 0, 0), -EINVAL, "shmat(INT_MAX): -EINVAL");
	tap_eq(ctl(INT_MIN, IPC_STAT, &d), -EINVAL,
	       "IPC_STAT(INT_MIN): -EINVAL");
	tap_eq(ctl(INT_MAX, IPC_STAT, &d), -EINVAL,
	       "IPC_STAT(INT_MAX): -EINVAL");
	tap_eq(ctl(INT_MAX, SHM_STAT, &d), -EINVAL,
	       "SHM_STAT(INT_MAX): index 32767, -EINVAL");
	tap_eq(ctl(6144, SHM_STAT, &d), -EINVAL, "SHM_STAT(6144): -EINVAL");
	tap_eq(ctl(32767, SHM_STAT_ANY, &d), -EINVAL,
	       "SHM_STAT_ANY(32767): -EINVAL");
	tap_eq(ctl(INT_MAX, IPC_RMID, 0), -EINVAL,
	       "IPC_RMID(INT_MAX): -EINVAL");
	tap_eq(ctl(INT_MIN, IPC_INFO, &d), -EINVAL,
	       "IPC_INFO with id INT_MIN: -EINVAL (negative id)");
	tap_eq(ctl(a, INT_MIN, &d), -EINVAL, "command INT_MIN: -EINVAL");
	tap_eq(ctl(a, INT_MAX, &d), -EINVAL, "command INT_MAX: -EINVAL");
	tap_eq(ctl((1l << 32) | a, IPC_STAT | (1l << 32), &d), 0,
	       "id and command are ints: upper bits ignored");
	tap_eq(ctl(a | (65535l << 15), IPC_STAT, &d), -EINVAL,
	       "the id with another seq: -EINVAL");
	tap_eq(ctl(IDX(a) | 32768, SHM_STAT, &d), a,
	       "SHM_STAT(index + 32768): its low 15 bits, the id");
	p = at((1l << 32) | a, 0, 0);
	tap_ok(p > 0, "shmat with an id in 64 bits: attached");
	tap_eq(dt(p | (1l << 63)), -EINVAL, "shmdt(addr | 1 << 63): -EINVAL");
	tap_eq(dt(p), 0, "shmdt");
	tap_eq(get(IPC_PRIVATE, 1l << 62, 0600), -ENOMEM,
	       "shmget of 2^62 bytes: -ENOMEM (more than memory)");
	tap_eq(get(IPC_PRIVATE, 1l << 63, 0600), -EINVAL,
	       "shmget of 2^63 bytes: -EINVAL (past the largest file)");
	tap_eq(get(IPC_PRIVATE, -4096l - (1l << 24), 0600), -EINVAL,
	       "shmget of SHMMAX + 1 bytes: -EINVAL");
	/* do_mmap(MAP_FIXED)'s range check with SHM_REMAP: -ENOMEM. */
	tap_eq(at(a, TASK_END, SHM_REMAP), -ENOMEM,
	       "SHM_REMAP at the end of user space: -ENOMEM");
	tap_eq(at(a, KERNEL_ADDR, SHM_REMAP), -ENOMEM,
	       "SHM_REMAP at a kernel address: -ENOMEM");
	tap_eq(at(a, -PG, SHM_REMAP), -ENOMEM,
	       "SHM_REMAP at the last page (a wrap): -ENOMEM");
	tap_eq(at(a, -PG, SHM_RND), -EINVAL,
	       "the same without SHM_REMAP: -EINVAL (the wrap check)");
	tap_eq(nattch(a), 0, "refused attaches leave nattch 0");
	tap_eq(ctl(a, IPC_RMID, 0), 0, "IPC_RMID");
}

int main(void)
{
	test_pieces();
	test_rmid_pieces();
	test_remap_self();
	test_buffers();
	test_ids();
	return tap_done();
}
