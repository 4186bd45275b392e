/*
 * malloc when brk cannot grow but mmap still can: the idea of musl's
 * libc-test regression "malloc-brk-fail" (musl commit 5446303), written
 * anew. The whole address space is reserved with PROT_NONE mappings, the
 * largest first (terabytes each: they must cost no memory), so that
 * neither brk nor mmap finds room and malloc fails with ENOMEM. Then
 * most of the largest reservation is given back, leaving its first
 * 64 KiB so the hole is not next to the heap (brk still cannot grow),
 * and malloc must succeed through mmap. Linux 6.1 passes it as written.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#include "linux_abi.h"

#define MAX_RESERVED 2048
#define KEEP 65536ul

static struct {
	unsigned long addr, len;
} reserved[MAX_RESERVED];
static int nreserved;

static long reserve(unsigned long len)
{
	return lx6(SYS_mmap, 0, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1,
		   0);
}

/*
 * mmap(2) places a mapping in any free range big enough: sizes halving
 * from 64 TiB down to a page, each taken while it fits, leave no free
 * page. The largest is the first (index 0).
 */
static unsigned long fill(void)
{
	unsigned long total = 0;

	for (unsigned long len = 1ul << 46; len >= PG; len >>= 1) {
		for (;;) {
			long a = nreserved < MAX_RESERVED ? reserve(len)
							  : -ENOMEM;

			if (a < 0)
				break;
			reserved[nreserved].addr = (unsigned long)a;
			reserved[nreserved].len = len;
			nreserved++;
			total += len;
		}
	}
	return total;
}

int main(void)
{
	unsigned long total = fill();
	long r;
	char *q;

	tap_ok(nreserved < MAX_RESERVED, "the fill took %d mappings",
	       nreserved);
	/* 128 TiB of user space, less the program and its stack. */
	tap_ok(total > (127ul << 40), "the fill reserved %lu GiB", total >> 30);
	tap_eq(reserve(PG), -ENOMEM, "mmap of one more page: -ENOMEM");
	r = lx1(SYS_brk, 0);
	tap_eq(lx1(SYS_brk, r + PG), r, "brk cannot grow: the old break");
	/* malloc(3): NULL with ENOMEM when brk and mmap both fail. */
	errno = 0;
	q = malloc(10000);
	tap_ok(!q && errno == ENOMEM, "malloc(10000) fails with ENOMEM");
	/* Give back the largest reservation but its first 64 KiB. */
	tap_eq(lx2(SYS_munmap, reserved[0].addr + KEEP, reserved[0].len - KEEP),
	       0, "munmap of the largest reservation but 64 KiB");
	reserved[0].len = KEEP;
	q = malloc(10000);
	tap_ok(q != NULL, "malloc(10000) works through mmap now");
	if (q) {
		memset(q, 0x5a, 10000);
		tap_ok(q[0] == 0x5a && q[9999] == 0x5a, "and it is writable");
		free(q);
	} else {
		tap_ok(0, "and it is writable");
	}
	tap_eq(lx1(SYS_brk, r + PG), r, "brk still cannot grow");
	r = 0;
	for (int i = 0; i < nreserved; i++)
		r |= lx2(SYS_munmap, reserved[i].addr, reserved[i].len);
	tap_eq(r, 0, "every reservation unmapped");
	return tap_done();
}
