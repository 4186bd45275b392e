/*
 * External pagers: a fault on an absent page of a PMO_PAGED becomes a
 * kernel-made call to the region's pager (uapi/ferry/proto/pager.h;
 * docs/memory.md).
 */
#ifndef KERNEL_MM_PAGER_H
#define KERNEL_MM_PAGER_H

#include <ipc/kcall.h>
#include <lib/types.h>
#include <mm/vmspace.h>
#include <object/thread.h>
#include <sched/sched.h>

struct arch_regs;
struct vmspace;

/* pager_fault()'s call for an absent page of a PMO_PAGED (req's). */
int pager_fault_call(vaddr_t va, u32 access, struct vm_pager_req *req);

/*
 * A user-mode fault of the running thread at va (FAULT_* access): 0 if
 * the thread may execute the faulting instruction again (the page is
 * mapped, or a pager's call for it has been made or waited for, or the
 * thread was killed meanwhile), -EFAULT if the regions refuse it (the
 * caller reports a plain fault). A page the pager cannot give kills the
 * process with PROC_SIG_BUS and a report; never returns then. Inline:
 * it is every page fault's path (page_fault_zero).
 */
static inline int pager_fault(struct vmspace *vs, vaddr_t va, u32 access)
{
	struct vm_pager_req req;
	int ret = vmspace_fault_paged(vs, va, access, &req);

	if (likely(ret != VM_FAULT_PAGER)) {
		/* Served: a pager call's outcome left is stale. */
		if (unlikely(current->ipc.kcall.state == KCALL_DONE))
			kcall_fault_forget();
		return ret;
	}
	return pager_fault_call(va, access, &req);
}

/*
 * The user-access layer met, at va, a page only a pager can supply
 * (kernel mode, inside a copy): the copy fails with -EFAULT and the page
 * is remembered for pager_syscall_fault(). -EFAULT if it is not such a
 * page: nothing remembered.
 */
int pager_uaccess_fault(struct vmspace *vs, vaddr_t va, u32 access);
/*
 * At the end of a syscall that returned -EFAULT after a copy met such a
 * page: the syscall is issued again once the page is there. Calls the
 * page's pager with the frame rewound to the syscall instruction (never
 * returns then), or waits for its busy handler (the frame rewound too);
 * returns what the syscall returns now: its own number for a rewound
 * frame, or -EFAULT if the pager cannot give the page (as Linux's
 * copies that meet a mapping they cannot read).
 */
long pager_syscall_fault(struct arch_regs *r);

#endif
