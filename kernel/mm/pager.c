/*
 * External pagers (pager.h). The protocol, in steps:
 *  1. A thread touches an absent page of a PMO_PAGED: vmspace_fault_paged
 *     names the region's pager, key and the page's offset.
 *  2. The kernel reserves the pager's connection (kcall_prepare; a busy
 *     handler is waited for on its queue, and the thread then executes
 *     the faulting instruction again, which comes back here), writes a
 *     struct pager_req at offset 0 of its shm, and migrates the thread
 *     into the handler on its own scheduling context
 *     (kcall_commit_fault). Its kernel stack is abandoned.
 *  3. The handler supplies the page (SYS_pmo_write) and returns 0; or
 *     refuses, or dies. Either way the thread resumes at the faulting
 *     instruction, its frame untouched.
 *  4. The instruction runs again. The page is there: it is mapped and
 *     nothing else happens. It is not: the fault comes back here with
 *     the call's outcome (kcall_fault_outcome), and the process is
 *     killed with PROC_SIG_BUS and a report saying why.
 * A region with no pager, a dead connection or a pager that serves the
 * faulting thread itself (it would wait for itself) kill at step 2.
 *
 * The kernel trusts nothing the pager does: it reads back only the
 * handler's return value, and whether the page is there.
 */
#include <arch/arch.h>
#include <ipc/kcall.h>
#include <lib/printk.h>
#include <mm/pager.h>
#include <mm/vmspace.h>
#include <object/cap_group.h>
#include <object/pmo.h>
#include <object/thread.h>
#include <sched/sched.h>
#include <uapi/ferry/errno.h>
#include <uapi/ferry/proc.h>
#include <uapi/ferry/proto/pager.h>

/* Ends the process: Linux's SIGBUS for a mapping it cannot fill. */
static void __attribute__((noreturn))
pager_kill(vaddr_t va, struct vm_pager_req *req, const char *why, long err)
{
	struct cap_group *g = current->group;

	printk("[ferry] pid %u (%s) tid %u killed: bus error at address "
	       "%016lx, rip %016lx: %s (%ld)\n",
	       g->pid, g->name, current->tid, va,
	       arch_regs_pc(thread_regs(current)), why, err);
	vm_pager_req_put(req);
	cap_group_exit(g, PROC_STATUS_KILLED(PROC_SIG_BUS));
	thread_exit();
}

/* Why a pager's call could not be made (kcall_prepare's errors). */
static const char *prepare_error(long err)
{
	switch (err) {
	case -EDEADLK:
		return "the pager's handler is serving this very thread";
	case -EIO:
		return "the pager is dead";
	default:
		return "the pager connection is not valid";
	}
}

/*
 * Makes the pager's call for page `page` (va inside it) after the
 * request was checked: never returns on success (the thread is in the
 * handler). KCALL_WAIT: the thread waited for a busy handler (or was
 * killed) and its frame goes back to the faulting instruction or the
 * syscall; otherwise a negative errno and *why, nothing held.
 */
static long call_pager(vaddr_t va, vaddr_t page, u32 access,
		       struct vm_pager_req *req, const char **why)
{
	struct pager_req m;
	long ret;

	if (!req->pager) {
		*why = "no pager for a page of a paged PMO";
		return -EFAULT;
	}
	ret = kcall_prepare(req->pager);
	if (ret == KCALL_WAIT || ret == -EINTR) {
		vm_pager_req_put(req);
		if (ret == KCALL_WAIT)
			kcall_wait(); /* the grant brings the thread back */
		return KCALL_WAIT;
	}
	if (ret) {
		*why = prepare_error(ret);
		return ret;
	}
	m = (struct pager_req){
		.hdr = {.data_len = sizeof(m) - sizeof(m.hdr),
			.data_offset = sizeof(m.hdr)},
		.key = req->key,
		.offset = req->offset,
		.addr = va,
		.access = ((access & FAULT_WRITE) ? PAGER_ACCESS_WRITE : 0) |
			  ((access & FAULT_EXEC) ? PAGER_ACCESS_EXEC : 0),
		.pid = current->group->pid,
		.tid = current->tid,
	};
	ret = kcall_shm_write(req->pager, 0, &m, sizeof(m));
	if (ret) {
		kcall_release();
		*why = "the pager connection's shm is too small";
		return ret;
	}
	vm_pager_req_put(req); /* the reservation holds the connection */
	kcall_commit_fault(page);
}

/* Why the pager's call for this fault did not give the page. */
static const char *outcome_error(long result, bool died)
{
	if (died)
		return "the pager died during the call";
	return result ? "the pager refused the page"
		      : "the pager returned without the page";
}

int pager_fault_call(vaddr_t va, u32 access, struct vm_pager_req *req)
{
	vaddr_t page = ALIGN_DOWN(va, PAGE_SIZE);
	const char *why;
	long ret, result;
	bool died;

	/* Step 4: back after the call, and the page is still absent. */
	if (kcall_fault_outcome(page, &result, &died))
		pager_kill(va, req, outcome_error(result, died), result);
	ret = call_pager(va, page, access, req, &why);
	if (ret == KCALL_WAIT)
		return 0;
	pager_kill(va, req, why, ret);
}

int pager_uaccess_fault(struct vmspace *vs, vaddr_t va, u32 access)
{
	struct vm_pager_req req;
	int ret = vmspace_fault_paged(vs, va, access, &req);

	if (likely(ret != VM_FAULT_PAGER))
		return ret;
	vm_pager_req_put(&req);
	/* Asked for at the syscall's end, with nothing held. */
	current->pager_pending = ALIGN_DOWN(va, PAGE_SIZE);
	current->pager_pending_pc = arch_regs_pc(thread_regs(current));
	current->pager_access = access;
	return -EFAULT;
}

long pager_syscall_fault(struct arch_regs *r)
{
	struct vmspace *vs = current->group->vmspace;
	vaddr_t page = current->pager_pending;
	u32 access = current->pager_access;
	struct vm_pager_req req;
	const char *why;
	long ret, result;
	bool died;

	current->pager_pending = 0;
	/* Left by an earlier syscall that returned a count: not ours. */
	if (current->pager_pending_pc != arch_regs_pc(r))
		return -EFAULT;
	ret = vs ? vmspace_fault_paged(vs, page, access, &req) : -EFAULT;
	if (ret == 0) {
		/* Supplied meanwhile (another thread's fault): again now. */
		arch_regs_restart_syscall(r, arch_syscall_nr(r));
		return (long)arch_syscall_nr(r);
	}
	if (ret != VM_FAULT_PAGER)
		return -EFAULT;
	if (kcall_fault_outcome(page, &result, &died)) {
		vm_pager_req_put(&req);
		return -EFAULT; /* the pager failed: the copy fails */
	}
	ret = call_pager(page, page, access, &req, &why);
	if (ret == KCALL_WAIT)
		return (long)arch_syscall_nr(r); /* rewound: issued again */
	vm_pager_req_put(&req);
	return -EFAULT;
}
