/*
 * mprotect cannot give a mapping rights its capability did not carry.
 * A PMO mapped through a READ|MAP cap (a PMO another process shares
 * read-only, the initrd, a program's shared text) stays unwritable:
 * mprotect(PROT_WRITE) on it is -EACCES, as Linux's for a MAP_SHARED
 * mapping of a file opened read-only (mprotect(2): "EACCES ... if you
 * mmap(2) a file to which you have read-only access, then ask
 * mprotect() to mark it PROT_WRITE"), and PROT_EXEC without EXEC too
 * (Linux: a file on a noexec mount). Before the fix the region took
 * the new rights and the next write landed in the shared PMO.
 * A private (VM_MAP_COW) region may become writable: its writes go to
 * its own copies. Going down and back up to what the cap gave works.
 * procmgr maps a program's read-only segments through a cap with their
 * rights alone: helpers/text_write cannot make them writable either.
 */
#include <errno.h>
#include <sys/mman.h>

#include "tap.h"
#include "util.h"

#define PG 4096ul
#define BASE (SCRATCH_VA + 0x3000000ul)

static unsigned char src_byte(cap_t pmo, uint64_t off)
{
	unsigned char b = 0;

	fy_pmo_read(pmo, off, &b, 1);
	return b;
}

/* mprotect's result as -errno (musl's wrapper sets errno). */
static long mprot(uintptr_t addr, size_t len, int prot)
{
	return mprotect((void *)addr, len, prot) ? -errno : 0;
}

static void test_shared_readonly(cap_t src)
{
	volatile unsigned char *p = (volatile unsigned char *)BASE;
	cap_t ro = (cap_t)fy_cap_copy(src, CAP_RIGHT_READ | CAP_RIGHT_MAP);
	long r;

	tap_eq(fy_pmo_map(CAP_SELF_GROUP, ro, BASE, VM_READ), 0,
	       "map a READ|MAP cap read-only");
	tap_eq(p[4], 0x5a, "it reads the PMO");
	r = mprot(BASE, PG, PROT_READ | PROT_WRITE);
	tap_eq(r, -EACCES, "mprotect(PROT_WRITE) of it is -EACCES");
	if (r == 0)
		p[4] = 0x66; /* the bug: this lands in the shared PMO */
	tap_eq(src_byte(src, 4), 0x5a, "the PMO is unchanged");
	tap_eq(mprot(BASE, PG, PROT_READ | PROT_EXEC), -EACCES,
	       "mprotect(PROT_EXEC) without EXEC is -EACCES");
	tap_eq(mprot(BASE, PG, PROT_NONE), 0, "PROT_NONE is allowed");
	tap_eq(mprot(BASE, PG, PROT_READ), 0, "and back to PROT_READ");
	tap_eq(mprot(BASE, PG, PROT_WRITE), -EACCES,
	       "PROT_NONE did not reset the ceiling");
	tap_eq(p[5], 0x5b, "still readable");
	tap_eq(munmap((void *)BASE, 2 * PG), 0, "munmap (both parts)");
	fy_cap_delete(ro);
}

static void test_region_readonly(cap_t src)
{
	cap_t ro = (cap_t)fy_cap_copy(src, CAP_RIGHT_READ | CAP_RIGHT_MAP);
	struct vm_map_args a = {.pmo = ro,
				.perm = VM_READ,
				.addr = BASE,
				.size = 2 * PG,
				.pager = -1};
	long r;

	tap_eq(fy_pmo_map_region(CAP_SELF_GROUP, &a), 0,
	       "map_region of a READ|MAP cap, shared");
	/* Split first: the high part keeps the ceiling too. */
	tap_eq(mprot(BASE, PG, PROT_NONE), 0, "mprotect page 0 (a split)");
	r = mprot(BASE + PG, PG, PROT_READ | PROT_WRITE);
	tap_eq(r, -EACCES, "mprotect(PROT_WRITE) of page 1 is -EACCES");
	if (r == 0)
		*(volatile unsigned char *)(BASE + PG) = 0x77;
	tap_eq(src_byte(src, PG), 0x5a, "the PMO's page 1 is unchanged");
	tap_eq(mprot(BASE, 2 * PG, PROT_READ | PROT_WRITE), -EACCES,
	       "nor over both parts");
	tap_eq(munmap((void *)BASE, 2 * PG), 0, "munmap");
	a.flags = VM_MAP_COW;
	tap_eq(fy_pmo_map_region(CAP_SELF_GROUP, &a), 0,
	       "map_region of it private (VM_MAP_COW), read-only");
	tap_eq(mprot(BASE, 2 * PG, PROT_READ | PROT_WRITE), 0,
	       "mprotect(PROT_WRITE) of a private region works");
	*(volatile unsigned char *)(BASE + PG) = 0x78;
	tap_eq(*(volatile unsigned char *)(BASE + PG), 0x78,
	       "its write lands in its copy");
	tap_eq(src_byte(src, PG), 0x5a, "not in the PMO");
	tap_eq(mprot(BASE, PG, PROT_READ | PROT_EXEC), -EACCES,
	       "PROT_EXEC still needs EXEC");
	tap_eq(munmap((void *)BASE, 2 * PG), 0, "munmap");
	fy_cap_delete(ro);
}

static void test_full_rights(cap_t src)
{
	volatile unsigned char *p = (volatile unsigned char *)BASE;

	tap_eq(fy_pmo_map(CAP_SELF_GROUP, src, BASE, VM_READ), 0,
	       "map a full cap read-only");
	tap_eq(mprot(BASE, PG, PROT_READ | PROT_WRITE), 0,
	       "mprotect(PROT_WRITE) works: the cap has WRITE");
	p[7] = 0x99;
	tap_eq(src_byte(src, 7), 0x99, "the write is the PMO's (shared)");
	tap_eq(munmap((void *)BASE, 2 * PG), 0, "munmap");
}

/* procmgr's children: their shared read-only segments stay so. */
static void test_shared_text(void)
{
	const char *const wr[] = {"helpers/text_write", "write", NULL};
	const char *const ck[] = {"helpers/text_write", "check", NULL};

	tap_eq(spawn_wait(wr[0], wr), PROC_STATUS_EXITED(0),
	       "a spawned program cannot mprotect its read-only data "
	       "writable (-EACCES)");
	tap_eq(spawn_wait(ck[0], ck), PROC_STATUS_EXITED(0),
	       "the next instance sees the file's bytes");
}

int main(void)
{
	static unsigned char fill[2 * PG];
	cap_t src = (cap_t)fy_pmo_create(2 * PG, PMO_ANONYMOUS);

	for (size_t i = 0; i < sizeof(fill); i++)
		fill[i] = (unsigned char)(0x5a + i % 2);
	tap_eq(fy_pmo_write(src, 0, fill, sizeof(fill)), 0, "fill a PMO");
	test_shared_readonly(src);
	test_region_readonly(src);
	test_full_rights(src);
	fy_cap_delete(src);
	test_shared_text();
	return tap_done();
}
