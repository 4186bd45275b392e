/*
 * A System V attachment cut by mprotect until the address space holds
 * VMSPACE_MAX_REGIONS (65530, Linux's vm.max_map_count) regions, every
 * piece tied to the segment: at the limit, calls that need to split a
 * region fail with -ENOMEM and change nothing (nattch included); a map
 * of a new region is allowed once more (Linux's do_mmap refuses only
 * past the limit), then -ENOMEM; those that need none work: an
 * mprotect that changes no rights (no split, as Linux's mprotect_fixup),
 * a SHM_REMAP of a 1-page segment over a 1-page piece, munmap of a
 * whole piece. Then
 * shmdt takes every piece and the removed segment is freed (init's leak
 * check). Pieces of one attachment tied to nattch are Ferry's own
 * bookkeeping, so this is a native test, not a linux_abi_* table.
 */
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <sys/syscall.h>

#include <ferry/ferry.h>

#include "tap.h"

#define PG 4096l
/* Less than RAM (newseg's overcommit guess); a filler mapping cut in
 * FILLER pieces first leaves room for fewer pieces than it has pages. */
#define PAGES 40000l
#define FILLER 50000l
#define AT 0x360000000l

static long nattch(int id)
{
	struct shmid_ds d;

	return shmctl(id, IPC_STAT, &d) ? -1 : (long)d.shm_nattch;
}

static long mp(long addr, long len, long prot)
{
	return fy_syscall3(SYS_mprotect, addr, len, prot);
}

int main(void)
{
	int id = shmget(IPC_PRIVATE, PAGES * PG, 0600);
	char *p = shmat(id, (void *)AT, 0);
	long pieces, last = -1, r, q;
	int id2;

	long fill = fy_syscall6(SYS_mmap, 0, 2 * FILLER * PG, PROT_READ,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (!tap_ok(id >= 0 && p == (char *)AT, "a %ld-page segment at AT",
		    PAGES))
		return tap_done();
	if (!tap_ok(fill > 0, "a filler mapping of %ld pages", 2 * FILLER))
		return tap_done();
	/* Every other page of it PROT_NONE: FILLER regions and more. */
	for (long i = 1; i < FILLER; i += 2)
		if (mp(fill + i * PG, PG, PROT_NONE))
			return tap_done();
	p[0] = 'a';
	p[(PAGES - 1) * PG] = 'z';
	/* Every other page read-only until the list is full. */
	for (long i = 1; i < PAGES - 64; i += 2) {
		r = mp(AT + i * PG, PG, PROT_READ);
		if (r) {
			last = i;
			break;
		}
	}
	tap_ok(last > 0, "mprotect splits until the regions are at the limit");
	tap_eq(r, -ENOMEM, "then mprotect needing a split: -ENOMEM");
	/* That one needed two; one more at the tail may fit: exactly full. */
	(void)mp(AT + (PAGES - 1) * PG, PG, PROT_READ);
	pieces = nattch(id);
	tap_ok(pieces > 10000, "nattch counts the pieces (%ld)", pieces);
	tap_eq(mp(AT + (last + 2) * PG, PG, PROT_READ), -ENOMEM,
	       "another split: -ENOMEM");
	tap_eq(nattch(id), pieces, "refused splits leave nattch");
	/* The tail piece is many pages long: same rights, no split. */
	tap_eq(mp(AT + (PAGES - 10) * PG, 2 * PG, PROT_READ | PROT_WRITE), 0,
	       "mprotect inside a piece with its own rights: 0 (no split)");
	tap_eq(mp(AT + (last + 1) * PG, 3 * PG, PROT_READ | PROT_WRITE), 0,
	       "the same further on: 0");
	tap_eq(nattch(id), pieces, "nattch unchanged");
	tap_eq(fy_syscall2(SYS_munmap, AT + (PAGES - 10) * PG, PG), -ENOMEM,
	       "munmap inside a piece (a split): -ENOMEM");
	tap_eq(nattch(id), pieces, "nattch unchanged");
	q = fy_syscall3(SYS_shmat, id, 0, 0);
	tap_ok(q > 0, "an attach at the limit: allowed, one past it");
	tap_eq(fy_syscall3(SYS_shmat, id, 0, 0), -ENOMEM,
	       "another attach past the limit: -ENOMEM");
	tap_eq(nattch(id), pieces + 1, "nattch counts the one attach");
	tap_eq(fy_syscall1(SYS_shmdt, q), 0, "shmdt of it");
	tap_eq(nattch(id), pieces, "nattch as before");
	/* Pages 1 (read-only) and 2 are whole pieces. */
	id2 = shmget(IPC_PRIVATE, PG, 0600);
	tap_eq(fy_syscall3(SYS_shmat, id2, AT + PG, SHM_REMAP), AT + PG,
	       "SHM_REMAP of a 1-page segment over exactly one piece");
	tap_eq(nattch(id), pieces - 1, "that piece went: nattch - 1");
	tap_eq(nattch(id2), 1, "the other segment: nattch 1");
	tap_eq(p[PG], 0, "its page shows the other segment");
	tap_eq(fy_syscall2(SYS_munmap, AT + 2 * PG, PG), 0,
	       "munmap of a whole piece: 0");
	tap_eq(nattch(id), pieces - 2, "nattch - 2");
	tap_eq(shmdt((void *)(AT + PG)), 0, "shmdt of the other segment");
	tap_eq(shmctl(id2, IPC_RMID, 0), 0, "IPC_RMID of it");
	tap_eq(fy_syscall2(SYS_munmap, fill, 2 * FILLER * PG), 0,
	       "munmap of the filler");
	tap_eq(shmctl(id, IPC_RMID, 0), 0, "IPC_RMID of the cut one");
	tap_eq(p[(PAGES - 1) * PG], 'z', "its last page still holds its byte");
	tap_eq(shmdt(p), 0, "shmdt(AT) takes every piece");
	tap_eq(nattch(id), -1, "the removed segment is gone");
	tap_eq(fy_syscall3(SYS_shmat, id, 0, 0), -EINVAL, "shmat: -EINVAL");
	return tap_done();
}
