/*
 * Capabilities: cap_info, cap_copy, cap_delete, cap_transfer, cap_fetch.
 * Good use, then every kind of bad slot: negative, huge, past the table,
 * deleted, wrong type, missing rights; a dead process's table.
 */
#include <ferry/ferry.h>

#include "tap.h"

static const cap_t bad_caps[] = {-1, 99999, CAP_TABLE_MAX, 0x7fffffff};
#define NBAD (sizeof(bad_caps) / sizeof(bad_caps[0]))

static void test_info(void)
{
	long info = fy_cap_info(CAP_SELF_GROUP);

	tap_eq(FY_CAP_INFO_TYPE(info), OBJ_TYPE_CAP_GROUP,
	       "cap_info(CAP_SELF_GROUP) is a cap_group");
	tap_ok(info >= 0 && FY_CAP_INFO_RIGHTS(info) & CAP_RIGHT_CONTROL,
	       "our own cap_group has CONTROL (info 0x%lx)", info);
	info = fy_cap_info(CAP_SELF_VMSPACE);
	tap_eq(FY_CAP_INFO_TYPE(info), OBJ_TYPE_VMSPACE,
	       "cap_info(CAP_SELF_VMSPACE) is a vmspace");
	for (unsigned i = 0; i < NBAD; i++)
		tap_eq(fy_cap_info(bad_caps[i]), -ECAPBILITY,
		       "cap_info(%d) is -ECAPBILITY", bad_caps[i]);
	tap_eq(fy_syscall1(SYS_cap_info, 0x100000000l), -ECAPBILITY,
	       "cap_info(1 << 32) is -ECAPBILITY, not slot 0");
}

static void test_copy_delete(void)
{
	long pmo = fy_pmo_create(4096, PMO_DATA), ro, ro2, info;
	char c = 0;

	tap_ok(pmo >= 0, "pmo_create for cap tests (%ld)", pmo);
	ro = fy_cap_copy((cap_t)pmo, CAP_RIGHT_READ);
	tap_ok(ro >= 0 && ro != pmo, "cap_copy gives a new slot (%ld)", ro);
	info = fy_cap_info((cap_t)ro);
	tap_eq(FY_CAP_INFO_TYPE(info), OBJ_TYPE_PMO, "the copy is a pmo");
	tap_eq(FY_CAP_INFO_RIGHTS(info), CAP_RIGHT_READ,
	       "the copy has only READ");
	tap_eq(fy_pmo_read((cap_t)ro, 0, &c, 1), 0, "read through READ copy");
	tap_eq(fy_pmo_write((cap_t)ro, 0, &c, 1), -ECAPBILITY,
	       "write through READ copy is -ECAPBILITY");
	tap_eq(fy_pmo_map(CAP_SELF_GROUP, (cap_t)ro, 0x200000000000ul, VM_READ),
	       -ECAPBILITY, "map through a copy without MAP is -ECAPBILITY");
	tap_eq(fy_cap_copy((cap_t)ro, CAP_RIGHT_ALL), -ECAPBILITY,
	       "copy of a copy without GRANT is -ECAPBILITY");
	ro2 = fy_cap_copy((cap_t)pmo, CAP_RIGHT_ALL);
	tap_ok(ro2 >= 0, "full copy");
	tap_eq(FY_CAP_INFO_RIGHTS(fy_cap_info((cap_t)ro2)),
	       FY_CAP_INFO_RIGHTS(fy_cap_info((cap_t)pmo)),
	       "a full copy keeps all the original's rights");

	tap_eq(fy_cap_delete((cap_t)ro), 0, "cap_delete");
	tap_eq(fy_cap_delete((cap_t)ro), -ECAPBILITY,
	       "second cap_delete of the slot is -ECAPBILITY");
	tap_eq(fy_cap_info((cap_t)ro), -ECAPBILITY,
	       "cap_info of a deleted slot is -ECAPBILITY");
	tap_eq(fy_pmo_read((cap_t)ro, 0, &c, 1), -ECAPBILITY,
	       "pmo_read through a deleted slot is -ECAPBILITY");
	tap_eq(fy_cap_copy((cap_t)ro, CAP_RIGHT_ALL), -ECAPBILITY,
	       "cap_copy of a deleted slot is -ECAPBILITY");
	tap_eq(fy_cap_delete((cap_t)pmo), 0, "delete the original");
	tap_eq(fy_pmo_read((cap_t)ro2, 0, &c, 1), 0,
	       "the object lives on through the other copy");
	tap_eq(fy_cap_delete((cap_t)ro2), 0, "delete the last copy");

	/* A PMO's type, through any copy (docs/services.md: buffers). */
	for (int t = PMO_ANONYMOUS; t <= PMO_PAGED; t++) {
		long p = fy_pmo_create(4096, t), q;

		q = p < 0 ? p : fy_cap_copy((cap_t)p, CAP_RIGHT_READ);
		tap_eq(FY_CAP_INFO_PMO_TYPE(fy_cap_info((cap_t)p)), t,
		       "cap_info gives PMO type %d", t);
		tap_eq(FY_CAP_INFO_PMO_TYPE(fy_cap_info((cap_t)q)), t,
		       "and so does a READ-only copy");
		fy_cap_delete((cap_t)q);
		fy_cap_delete((cap_t)p);
	}
	tap_eq(FY_CAP_INFO_PMO_TYPE(fy_cap_info(CAP_SELF_GROUP)), 0,
	       "no PMO type bits on another object");

	for (unsigned i = 0; i < NBAD; i++) {
		tap_eq(fy_cap_delete(bad_caps[i]), -ECAPBILITY,
		       "cap_delete(%d) is -ECAPBILITY", bad_caps[i]);
		tap_eq(fy_cap_copy(bad_caps[i], CAP_RIGHT_ALL), -ECAPBILITY,
		       "cap_copy(%d) is -ECAPBILITY", bad_caps[i]);
	}
}

/* Fill the table: the kernel must refuse cleanly and recover. */
static void test_table_full(void)
{
	static long slots[CAP_TABLE_MAX + 1];
	long pmo = fy_pmo_create(4096, PMO_DATA), err = 0;
	int n = 0;

	while (n <= CAP_TABLE_MAX) {
		err = fy_cap_copy((cap_t)pmo, CAP_RIGHT_ALL);
		if (err < 0)
			break;
		slots[n++] = err;
	}
	tap_ok(n < CAP_TABLE_MAX && err < 0,
	       "cap_copy stops at the table limit (%d copies, error %ld)", n,
	       err);
	for (int i = 0; i < n; i++)
		fy_cap_delete((cap_t)slots[i]);
	err = fy_cap_copy((cap_t)pmo, CAP_RIGHT_ALL);
	tap_ok(err >= 0, "cap_copy works again after deleting them");
	fy_cap_delete((cap_t)err);
	fy_cap_delete((cap_t)pmo);
}

static void test_transfer(void)
{
	long pmo = fy_pmo_create(4096, PMO_DATA), slot, nogrant, noctl, fetched;
	const char *argv[] = {"helpers/spinner", NULL};
	const char *envp[] = {NULL};
	long proc;

	slot = fy_cap_transfer(CAP_SELF_GROUP, (cap_t)pmo, CAP_RIGHT_READ, -1);
	tap_ok(slot >= 0 && slot != pmo, "cap_transfer to ourselves (%ld)",
	       slot);
	tap_eq(FY_CAP_INFO_RIGHTS(fy_cap_info((cap_t)slot)), CAP_RIGHT_READ,
	       "the transferred cap has the masked rights");
	fy_cap_delete((cap_t)slot);

	proc = fy_spawn("helpers/spinner", argv, envp);
	tap_ok(proc >= 0, "spawn a spinner to transfer into (%ld)", proc);
	tap_eq(FY_CAP_INFO_TYPE(fy_cap_info((cap_t)proc)), OBJ_TYPE_CAP_GROUP,
	       "a process cap is a cap_group");
	slot = fy_cap_transfer((cap_t)proc, (cap_t)pmo, CAP_RIGHT_ALL, -1);
	tap_ok(slot >= 0, "cap_transfer into the child gives its slot (%ld)",
	       slot);
	fetched = fy_cap_fetch((cap_t)proc, (cap_t)slot, CAP_RIGHT_READ);
	tap_eq(FY_CAP_INFO_TYPE(fy_cap_info((cap_t)fetched)), OBJ_TYPE_PMO,
	       "cap_fetch takes it back from the child (%ld)", fetched);
	fy_cap_delete((cap_t)fetched);

	nogrant = fy_cap_copy((cap_t)pmo, CAP_RIGHT_ALL & ~CAP_RIGHT_GRANT);
	tap_eq(fy_cap_transfer((cap_t)proc, (cap_t)nogrant, CAP_RIGHT_ALL, -1),
	       -ECAPBILITY, "transfer of a cap without GRANT is -ECAPBILITY");
	noctl = fy_cap_copy((cap_t)proc, CAP_RIGHT_ALL & ~CAP_RIGHT_CONTROL);
	tap_eq(fy_cap_transfer((cap_t)noctl, (cap_t)pmo, CAP_RIGHT_ALL, -1),
	       -ECAPBILITY,
	       "transfer into a group cap without CONTROL is -ECAPBILITY");
	tap_eq(fy_cap_transfer((cap_t)pmo, (cap_t)pmo, CAP_RIGHT_ALL, -1),
	       -ECAPBILITY, "transfer with a pmo as the group is -ECAPBILITY");
	tap_eq(fy_cap_transfer(-1, (cap_t)pmo, CAP_RIGHT_ALL, -1), -ECAPBILITY,
	       "transfer into group -1 is -ECAPBILITY");
	tap_eq(fy_cap_transfer((cap_t)proc, 99999, CAP_RIGHT_ALL, -1),
	       -ECAPBILITY, "transfer of slot 99999 is -ECAPBILITY");

	tap_eq(fy_proc_kill((cap_t)proc), 0, "kill the spinner");
	tap_eq(fy_proc_wait((cap_t)proc), PROC_STATUS_KILLED(PROC_SIG_KILL),
	       "its status says killed");
	/* Transferring into a dead process must fail, not leak the object. */
	tap_eq(fy_cap_transfer((cap_t)proc, (cap_t)pmo, CAP_RIGHT_ALL, -1),
	       -ESRCH, "transfer into a dead process is -ESRCH");
	/* Its table is gone with it: nothing left to fetch (docs/syscalls.md).
	 */
	tap_eq(fy_cap_fetch((cap_t)proc, (cap_t)slot, CAP_RIGHT_ALL),
	       -ECAPBILITY, "fetch from a dead process is -ECAPBILITY");
	fy_cap_delete((cap_t)noctl);
	fy_cap_delete((cap_t)nogrant);
	fy_cap_delete((cap_t)proc);
	fy_cap_delete((cap_t)pmo);
}

int main(void)
{
	test_info();
	test_copy_delete();
	test_table_full();
	test_transfer();
	return tap_done();
}
