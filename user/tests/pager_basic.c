/*
 * External pagers (docs/memory.md): this program is its own pager. It
 * serves IPC, connects to itself, makes a PMO_PAGED and maps windows of
 * it with SYS_pmo_map_region naming that connection: each touch of an
 * absent page migrates the touching thread into our own handler, which
 * supplies the page with SYS_pmo_write; the thread then executes the
 * faulting instruction again. The kill cases (refusal, death, no pager)
 * are tests/pager_kill's; copy-on-write regions are tests/pager_cow's.
 */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <ferry/ipc.h>
#include <uapi/ferry/proto/pager.h>

#include "tap.h"
#include "util.h"

#define PG 4096ul
#define NPAGES 16
#define BASE (SCRATCH_VA + 0x1000000ul)

static struct ipc_conn self;
static cap_t pmo = -1;
static volatile int calls;
static struct pager_req last;
/* The code the exec test's page holds: movl $42, (%rdi); thread_exit. */
static const unsigned char exec_code[] = {
	0xc7, 0x07, 0x2a, 0x00, 0x00, 0x00, /* movl $42, (%rdi) */
	0xb8, 0x03, 0x10, 0x00, 0x00,	    /* mov $SYS_thread_exit, %eax */
	0x0f, 0x05,			    /* syscall */
	0xeb, 0xfe,			    /* jmp . */
};
static const unsigned char ret42[] = {0xb8, 0x2a, 0x00, 0x00, 0x00, 0xc3};
/* 0: data pattern, 1: exec_code, 2: ret42, 3: a text line, 4: refuse */
static volatile int code_mode;
static const char line[] = "# a line from a page the pager gave\n";

/* What page `off` of the PMO holds: its page number in every byte. */
static unsigned char pattern(uint64_t off)
{
	return (unsigned char)(0x40 + off / PG);
}

static long handler(struct ipc_msg *msg, uint64_t badge)
{
	static unsigned char page[PG];
	const struct pager_req *q = (const struct pager_req *)msg;

	(void)badge;
	last = *q;
	calls++;
	memset(page, pattern(q->offset), sizeof(page));
	if (code_mode == 1)
		memcpy(page, exec_code, sizeof(exec_code));
	else if (code_mode == 2)
		memcpy(page, ret42, sizeof(ret42));
	else if (code_mode == 3)
		memcpy(page, line, sizeof(line) - 1);
	else if (code_mode == 4)
		return -EACCES;
	return fy_pmo_write(pmo, q->offset, page, sizeof(page));
}

static struct vm_map_args region(uint64_t addr, uint64_t off, uint64_t size,
				 uint32_t perm)
{
	return (struct vm_map_args){.pmo = pmo,
				    .perm = perm,
				    .pmo_off = off,
				    .addr = addr,
				    .size = size,
				    .pager = self.cap,
				    .key = 0xfeed0000 + off};
}

static void test_bad_args(void)
{
	struct vm_map_args a = region(BASE, 0, PG, VM_READ);

	a.pager = 9999;
	tap_eq(fy_pmo_map_region(CAP_SELF_GROUP, &a), -ECAPBILITY,
	       "a pager that is no capability is -ECAPBILITY");
	a.pager = pmo;
	tap_eq(fy_pmo_map_region(CAP_SELF_GROUP, &a), -ECAPBILITY,
	       "a pager that is a PMO is -ECAPBILITY");
	a = region(BASE, 100, PG, VM_READ);
	tap_eq(fy_pmo_map_region(CAP_SELF_GROUP, &a), -EINVAL,
	       "an unaligned pmo_off is -EINVAL");
	a = region(BASE, PG, NPAGES * PG, VM_READ);
	tap_eq(fy_pmo_map_region(CAP_SELF_GROUP, &a), -EINVAL,
	       "a window past the PMO's end is -EINVAL");
	a = region(BASE, 0, 0, VM_READ);
	tap_eq(fy_pmo_map_region(CAP_SELF_GROUP, &a), -EINVAL,
	       "size 0 is -EINVAL");
	a = region(BASE + 1, 0, PG, VM_READ);
	tap_eq(fy_pmo_map_region(CAP_SELF_GROUP, &a), -EINVAL,
	       "an unaligned address is -EINVAL");
	a = region(BASE, 0, PG, 0);
	tap_eq(fy_pmo_map_region(CAP_SELF_GROUP, &a), -EINVAL, "perm 0");
	a = region(BASE, 0, PG, VM_READ);
	a.flags = 2;
	tap_eq(fy_pmo_map_region(CAP_SELF_GROUP, &a), -EINVAL,
	       "unknown flags are -EINVAL");
	tap_eq(fy_pmo_map_region(CAP_SELF_GROUP, KERNEL_PTR), -EFAULT,
	       "a kernel pointer for the arguments is -EFAULT");
	tap_eq(fy_pmo_map_region(CAP_SELF_GROUP, unmapped_ptr()), -EFAULT,
	       "an unmapped pointer for the arguments is -EFAULT");
	a = region(BASE, 0, PG, VM_READ);
	tap_eq(fy_pmo_map_region(CAP_SELF_VMSPACE, &a), -ECAPBILITY,
	       "a group cap that is no process is -ECAPBILITY");
	tap_eq(fy_pmo_create(PG, 3), -EINVAL, "PMO type 3 is -EINVAL");
}

static void test_faults(void)
{
	struct vm_map_args a = region(BASE, 0, NPAGES * PG, VM_READ | VM_WRITE);
	volatile unsigned char *p = (volatile unsigned char *)BASE;
	unsigned char buf[8];
	int before;

	tap_eq(fy_pmo_map_region(CAP_SELF_GROUP, &a), 0,
	       "map the whole paged PMO with ourselves as pager");
	tap_eq(fy_pmo_map_region(CAP_SELF_GROUP, &a), -EEXIST,
	       "mapping it again over itself is -EEXIST");
	/* SYS_pmo_read supplies nothing: zeros, and the page stays absent. */
	memset(buf, 0xff, sizeof(buf));
	tap_eq(fy_pmo_read(pmo, 3 * PG, buf, sizeof(buf)), 0,
	       "pmo_read of an absent page succeeds");
	tap_ok(buf[0] == 0 && buf[7] == 0, "and reads zeros");
	tap_eq(calls, 0, "no pager call so far");
	tap_eq(p[3 * PG + 5], pattern(3 * PG),
	       "a read of page 3 gets the pager's bytes");
	tap_eq(calls, 1, "through one pager call");
	tap_eq(last.key, 0xfeed0000ul, "with the region's key");
	tap_eq(last.offset, 3 * PG, "the page's offset in the PMO");
	tap_eq(last.addr, BASE + 3 * PG + 5, "the faulting address");
	tap_eq(last.access, 0, "a read");
	tap_eq(last.pid, getpid(), "our pid");
	tap_eq(last.hdr.data_offset, 16,
	       "the request's data follows its header");
	before = calls;
	tap_eq(p[3 * PG + 4095], pattern(3 * PG), "page 3 again");
	tap_eq(calls, before, "without another call");
	p[7 * PG + 1] = 0x99;
	tap_eq(calls, before + 1, "a write to page 7 calls the pager");
	tap_eq(last.access, PAGER_ACCESS_WRITE, "as a write");
	tap_eq(p[7 * PG + 1], 0x99, "and the write lands on its page");
	tap_eq(p[7 * PG], pattern(7 * PG), "next to the pager's bytes");
	tap_eq(fy_pmo_read(pmo, 7 * PG + 1, buf, 1), 0, "pmo_read page 7");
	tap_eq(buf[0], 0x99, "the PMO holds the write");
	tap_eq(fy_pmo_unmap(CAP_SELF_GROUP, BASE), 0, "unmap it");
	/* A window: the offsets are the PMO's, not the region's. */
	a = region(BASE, 10 * PG, 2 * PG, VM_READ);
	tap_eq(fy_pmo_map_region(CAP_SELF_GROUP, &a), 0,
	       "map a window of 2 pages from page 10");
	before = calls;
	tap_eq(p[PG], pattern(11 * PG), "its 2nd page is the PMO's page 11");
	tap_eq(last.offset, 11 * PG, "asked for as offset 11 pages");
	tap_eq(last.key, 0xfeed0000ul + 10 * PG, "with this region's key");
	tap_eq(p[0], pattern(10 * PG), "its 1st page is page 10");
	tap_eq(calls, before + 2, "two calls");
	tap_eq(p[PG], pattern(11 * PG), "a page once supplied stays");
	tap_eq(calls, before + 2, "with no call");
	tap_eq(fy_pmo_unmap(CAP_SELF_GROUP, BASE), 0, "unmap the window");
	/* The PMO kept page 3: a new region maps it without a call. */
	a = region(BASE, 0, 4 * PG, VM_READ);
	tap_eq(fy_pmo_map_region(CAP_SELF_GROUP, &a), 0, "map pages 0-3");
	before = calls;
	tap_eq(p[3 * PG], pattern(3 * PG), "page 3, supplied before");
	tap_eq(calls, before, "needs no call");
	tap_eq(fy_pmo_unmap(CAP_SELF_GROUP, BASE), 0, "unmap");
}

static volatile int thread_out;

static void test_exec(void)
{
	static _Alignas(16) char stack[4096];
	struct vm_map_args a = region(BASE, 12 * PG, 2 * PG, VM_READ | VM_EXEC);
	int (*fn)(void) = (int (*)(void))(BASE + PG);
	long t;
	int before = calls;

	tap_eq(fy_pmo_map_region(CAP_SELF_GROUP, &a), 0,
	       "map pages 12-13 read+exec");
	code_mode = 2;
	tap_eq(fn(), 42, "a call into an unloaded exec page runs its code");
	tap_eq(last.access, PAGER_ACCESS_EXEC, "asked for as an exec");
	code_mode = 1;
	t = fy_thread_create(CAP_SELF_GROUP, (fy_thread_entry_t)BASE,
			     stack + sizeof(stack), (void *)&thread_out, 0);
	tap_ok(t >= 0, "a thread starting on an unloaded exec page (%ld)", t);
	for (int i = 0; i < 1000 && !thread_out; i++)
		fy_yield();
	tap_eq(thread_out, 42, "its first instruction ran, from the pager");
	tap_eq(calls, before + 2, "after one call each");
	tap_eq(last.offset, 12 * PG, "for page 12");
	code_mode = 0;
	if (t >= 0)
		fy_cap_delete((cap_t)t);
	tap_eq(fy_pmo_unmap(CAP_SELF_GROUP, BASE), 0, "unmap");
}

/*
 * A syscall whose buffer is in an absent page: the copy fails, the
 * kernel calls the pager, and the syscall is issued again from its
 * start (docs/memory.md).
 */
static void test_syscalls(void)
{
	struct vm_map_args a = region(BASE, 0, 16 * PG, VM_READ | VM_WRITE);
	char *p = (char *)BASE;
	cap_t anon = (cap_t)fy_pmo_create(PG, PMO_ANONYMOUS);
	unsigned char buf[64];
	int before = calls;

	tap_eq(fy_pmo_map_region(CAP_SELF_GROUP, &a), 0, "map it all again");
	code_mode = 3;
	tap_eq(write(1, p + 14 * PG, sizeof(line) - 1), (long)sizeof(line) - 1,
	       "write(1) from an absent page writes it all");
	tap_eq(calls, before + 1, "after one pager call");
	tap_eq(last.offset, 14 * PG, "for page 14");
	tap_eq(last.access, 0, "a read of it");
	code_mode = 0;
	tap_eq(fy_pmo_write(anon, 0, p + 15 * PG + 8, 64), 0,
	       "pmo_write from an absent page");
	tap_eq(calls, before + 2, "after one pager call");
	tap_eq(fy_pmo_read(anon, 0, buf, 64), 0, "read it back");
	tap_ok(buf[0] == pattern(15 * PG) && buf[63] == pattern(15 * PG),
	       "the bytes are the page's");
	tap_eq(fy_pmo_read(anon, 0, p + 8, 64), 0,
	       "pmo_read into an absent page (a copy to user)");
	tap_eq(calls, before + 3, "after one pager call");
	tap_eq(last.access, PAGER_ACCESS_WRITE, "asked for as a write");
	tap_ok(p[8] == (char)pattern(15 * PG) && p[7] == (char)pattern(0),
	       "the page holds the pager's bytes and the copy");
	tap_eq(syscall(SYS_getrandom, p + 2 * PG, 16, 0), 16,
	       "Linux getrandom into an absent page fills it");
	tap_eq(calls, before + 4, "after one pager call");
	code_mode = 4;
	tap_eq(write(1, p + 5 * PG, 8), -1,
	       "write(1) from a page the pager refuses");
	tap_eq(errno, EFAULT, "is EFAULT (Linux's for a copy it cannot make)");
	tap_eq(calls, before + 5, "after one refused call; the process lives");
	code_mode = 0;
	tap_eq(p[5 * PG], (char)pattern(5 * PG),
	       "the page is given when asked again");
	tap_eq(write(1, p + 15 * PG, 0), 0, "and a good write still works");
	tap_eq(fy_pmo_unmap(CAP_SELF_GROUP, BASE), 0, "unmap");
	fy_cap_delete(anon);
}

int main(void)
{
	long r;

	tap_eq(ipc_serve(handler, NULL), 0, "serve IPC");
	tap_eq(ipc_connect(CAP_SELF_MAIN_THREAD, PAGER_SHM_MIN, &self), 0,
	       "connect to ourselves");
	r = fy_pmo_create(NPAGES * PG, PMO_PAGED);
	tap_ok(r >= 0, "create a PMO_PAGED (%ld)", r);
	pmo = (cap_t)r;
	test_bad_args();
	test_faults();
	test_exec();
	test_syscalls();
	fy_cap_delete(pmo);
	ipc_close(&self);
	return tap_done();
}
