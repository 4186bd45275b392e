/*
 * Physical memory objects: create, map, unmap, read, write, with bad
 * sizes, types, offsets, addresses, permissions and pointers.
 */
#include <string.h>
#include <sys/mman.h>

#include <ferry/ferry.h>

#include "tap.h"
#include "util.h"

#define PG PAGE_SIZE_4K

static void test_create(void)
{
	long pmo;

	pmo = fy_pmo_create(PG, PMO_DATA);
	tap_eq(FY_CAP_INFO_TYPE(fy_cap_info((cap_t)pmo)), OBJ_TYPE_PMO,
	       "pmo_create(PMO_DATA) gives a pmo cap");
	fy_cap_delete((cap_t)pmo);
	pmo = fy_pmo_create(16 * PG, PMO_ANONYMOUS);
	tap_eq(FY_CAP_INFO_TYPE(fy_cap_info((cap_t)pmo)), OBJ_TYPE_PMO,
	       "pmo_create(PMO_ANONYMOUS) gives a pmo cap");
	fy_cap_delete((cap_t)pmo);

	tap_eq(fy_pmo_create(0, PMO_DATA), -EINVAL, "size 0 is -EINVAL");
	tap_eq(fy_pmo_create((size_t)-1, PMO_ANONYMOUS), -EINVAL,
	       "size ~0 (overflows when rounded) is -EINVAL");
	tap_eq(fy_pmo_create((size_t)-PG, PMO_ANONYMOUS), -EINVAL,
	       "size 2^64 - 4096 is -EINVAL");
	pmo = fy_pmo_create(1ul << 46, PMO_DATA);
	tap_ok(pmo == -EINVAL || pmo == -ENOMEM,
	       "64 TiB PMO_DATA is -EINVAL or -ENOMEM (%ld)", pmo);
	pmo = fy_pmo_create(1ul << 40, PMO_DATA);
	tap_ok(pmo == -EINVAL || pmo == -ENOMEM,
	       "1 TiB PMO_DATA is refused, not allocated (%ld)", pmo);
	tap_eq(fy_pmo_create(PG, 99), -EINVAL, "type 99 is -EINVAL");
	tap_eq(fy_pmo_create(PG, -1), -EINVAL, "type -1 is -EINVAL");
}

static void test_read_write(void)
{
	long pmo = fy_pmo_create(2 * PG, PMO_ANONYMOUS);
	char buf[64], zero[64] = {0};
	char *edge;
	void *hole = unmapped_ptr();

	memset(buf, 0x5a, sizeof(buf));
	tap_eq(fy_pmo_read((cap_t)pmo, 100, buf, sizeof(buf)), 0,
	       "read untouched anonymous memory");
	tap_ok(!memcmp(buf, zero, sizeof(buf)), "it reads as zeros");
	tap_eq(fy_pmo_write((cap_t)pmo, PG - 4, "ferry!", 7), 0,
	       "write across a page boundary");
	memset(buf, 0, sizeof(buf));
	tap_eq(fy_pmo_read((cap_t)pmo, PG - 4, buf, 7), 0, "read it back");
	tap_ok(!strcmp(buf, "ferry!"), "same bytes back");
	tap_eq(fy_pmo_write((cap_t)pmo, 0, buf, 0), 0, "zero-length write");
	tap_eq(fy_pmo_read((cap_t)pmo, 2 * PG, buf, 0), 0,
	       "zero-length read at the end");

	tap_eq(fy_pmo_write((cap_t)pmo, 2 * PG - 1, buf, 2), -EINVAL,
	       "write past the end is -EINVAL");
	tap_eq(fy_pmo_read((cap_t)pmo, 2 * PG, buf, 1), -EINVAL,
	       "read at the end is -EINVAL");
	tap_eq(fy_pmo_read((cap_t)pmo, (size_t)-PG, buf, 2 * PG), -EINVAL,
	       "offset + len wrapping around is -EINVAL");
	tap_eq(fy_pmo_read((cap_t)pmo, 0, buf, (size_t)-1), -EINVAL,
	       "len ~0 is -EINVAL");

	tap_eq(fy_pmo_write((cap_t)pmo, 0, NULL, 8), -EFAULT,
	       "write from NULL is -EFAULT");
	tap_eq(fy_pmo_read((cap_t)pmo, 0, NULL, 8), -EFAULT,
	       "read into NULL is -EFAULT");
	tap_eq(fy_pmo_write((cap_t)pmo, 0, KERNEL_PTR, 8), -EFAULT,
	       "write from a kernel address is -EFAULT");
	tap_eq(fy_pmo_read((cap_t)pmo, 0, KERNEL_PTR, 8), -EFAULT,
	       "read into a kernel address is -EFAULT");
	tap_eq(fy_pmo_read((cap_t)pmo, 0, NONCANON_PTR, 8), -EFAULT,
	       "read into a non-canonical address is -EFAULT");
	tap_eq(fy_pmo_write((cap_t)pmo, 0, hole, 8), -EFAULT,
	       "write from an unmapped address is -EFAULT");
	tap_eq(fy_pmo_read((cap_t)pmo, 0, hole, 8), -EFAULT,
	       "read into an unmapped address is -EFAULT");
	tap_eq(fy_pmo_read((cap_t)pmo, 0, (char *)KERNEL_PTR - 8, 16), -EFAULT,
	       "read into a range crossing into the kernel half is -EFAULT");

	/* A buffer whose last bytes run into an unmapped page. */
	edge = mmap(0, 2 * PG, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (edge != MAP_FAILED && munmap(edge + PG, PG) == 0) {
		tap_eq(fy_pmo_read((cap_t)pmo, 0, edge + PG - 8, 16), -EFAULT,
		       "read into a half-mapped buffer is -EFAULT");
		tap_eq(fy_pmo_write((cap_t)pmo, 0, edge + PG - 8, 16), -EFAULT,
		       "write from a half-mapped buffer is -EFAULT");
		munmap(edge, PG);
	} else {
		tap_ok(0, "mmap for the half-mapped buffer");
	}

	tap_eq(fy_pmo_read(CAP_SELF_GROUP, 0, buf, 1), -ECAPBILITY,
	       "pmo_read on a cap_group is -ECAPBILITY");
	tap_eq(fy_pmo_write(-1, 0, buf, 1), -ECAPBILITY,
	       "pmo_write on cap -1 is -ECAPBILITY");
	tap_eq(fy_pmo_read(99999, 0, buf, 1), -ECAPBILITY,
	       "pmo_read on cap 99999 is -ECAPBILITY");
	tap_eq(fy_pmo_read((cap_t)pmo, 0, buf, 4), 0,
	       "the pmo still works after all that");
	fy_cap_delete((cap_t)pmo);
}

static void test_map(void)
{
	long pmo = fy_pmo_create(4 * PG, PMO_ANONYMOUS), ro, other;
	volatile char *va = (volatile char *)SCRATCH_VA;
	char c = 0;

	tap_eq(fy_pmo_map(CAP_SELF_GROUP, (cap_t)pmo, SCRATCH_VA,
			  VM_READ | VM_WRITE),
	       0, "pmo_map read-write");
	va[0] = 'a';
	va[3 * PG + 7] = 'z';
	tap_eq(fy_pmo_read((cap_t)pmo, 3 * PG + 7, &c, 1), 0,
	       "pmo_read sees a store through the mapping");
	tap_eq(c, 'z', "the byte is the one stored");
	tap_eq(fy_pmo_write((cap_t)pmo, 1, "b", 1), 0, "pmo_write");
	tap_eq(va[1], 'b', "the mapping sees a pmo_write");

	other = fy_pmo_create(PG, PMO_DATA);
	tap_ok(fy_pmo_map(CAP_SELF_GROUP, (cap_t)other, SCRATCH_VA + PG,
			  VM_READ) < 0,
	       "mapping over an existing mapping fails");
	tap_eq(fy_pmo_map(CAP_SELF_GROUP, (cap_t)other,
			  SCRATCH_VA + 64 * PG + 1, VM_READ),
	       -EINVAL, "misaligned address is -EINVAL");
	tap_eq(fy_pmo_map(CAP_SELF_GROUP, (cap_t)other, 0x7ffffffff000ul,
			  VM_READ),
	       -EINVAL, "mapping at USER_TOP (the guard page) is -EINVAL");
	tap_eq(fy_pmo_map(CAP_SELF_GROUP, (cap_t)other, (uintptr_t)KERNEL_PTR,
			  VM_READ),
	       -EINVAL, "mapping at a kernel address is -EINVAL");
	tap_eq(fy_pmo_map(CAP_SELF_GROUP, (cap_t)other, SCRATCH_VA + 64 * PG,
			  1u << 7),
	       -EINVAL, "unknown permission bits are -EINVAL");
	tap_eq(fy_pmo_map(CAP_SELF_GROUP, CAP_SELF_VMSPACE,
			  SCRATCH_VA + 64 * PG, VM_READ),
	       -ECAPBILITY, "mapping a vmspace cap as a pmo is -ECAPBILITY");
	tap_eq(fy_pmo_map((cap_t)other, (cap_t)other, SCRATCH_VA + 64 * PG,
			  VM_READ),
	       -ECAPBILITY, "a pmo as the group is -ECAPBILITY");
	tap_eq(fy_pmo_map(CAP_SELF_GROUP, 99999, SCRATCH_VA + 64 * PG, VM_READ),
	       -ECAPBILITY, "pmo cap 99999 is -ECAPBILITY");

	ro = fy_cap_copy((cap_t)other, CAP_RIGHT_READ | CAP_RIGHT_MAP);
	tap_eq(fy_pmo_map(CAP_SELF_GROUP, (cap_t)ro, SCRATCH_VA + 64 * PG,
			  VM_READ | VM_WRITE),
	       -ECAPBILITY,
	       "VM_WRITE through a cap without WRITE is "
	       "-ECAPBILITY");
	tap_eq(fy_pmo_map(CAP_SELF_GROUP, (cap_t)ro, SCRATCH_VA + 64 * PG,
			  VM_READ),
	       0, "VM_READ through a READ|MAP cap");
	tap_eq(va[64 * PG], 0, "a new PMO_DATA reads as zero");
	tap_eq(fy_pmo_unmap(CAP_SELF_GROUP, SCRATCH_VA + 64 * PG), 0,
	       "unmap it");
	fy_cap_delete((cap_t)ro);

	tap_eq(fy_pmo_unmap(CAP_SELF_GROUP, SCRATCH_VA + 1), -EINVAL,
	       "unmap at a misaligned address is -EINVAL");
	tap_ok(fy_pmo_unmap(CAP_SELF_GROUP, SCRATCH_VA + 128 * PG) < 0,
	       "unmap where nothing is mapped fails");
	tap_eq(fy_pmo_unmap(99999, SCRATCH_VA), -ECAPBILITY,
	       "unmap with group 99999 is -ECAPBILITY");
	tap_eq(fy_pmo_unmap((cap_t)other, SCRATCH_VA), -ECAPBILITY,
	       "unmap with a pmo as the group is -ECAPBILITY");

	/* The mapping keeps the PMO alive after its last cap goes. */
	tap_eq(fy_cap_delete((cap_t)pmo), 0, "delete the mapped pmo's cap");
	tap_eq(va[3 * PG + 7], 'z', "the mapping still holds the memory");
	tap_eq(fy_pmo_unmap(CAP_SELF_GROUP, SCRATCH_VA), 0, "unmap");
	/* The kernel's copy-from-user shows the page is gone, safely. */
	tap_eq(fy_pmo_write((cap_t)other, 0, (void *)SCRATCH_VA, 8), -EFAULT,
	       "the unmapped range now gives -EFAULT");
	tap_eq(fy_pmo_map(CAP_SELF_GROUP, (cap_t)other, SCRATCH_VA, VM_READ), 0,
	       "the range can be mapped again");
	tap_eq(fy_pmo_unmap(CAP_SELF_GROUP, SCRATCH_VA), 0, "and unmapped");
	fy_cap_delete((cap_t)other);
}

int main(void)
{
	test_create();
	test_read_write();
	test_map();
	return tap_done();
}
