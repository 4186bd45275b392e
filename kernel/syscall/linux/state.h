/*
 * Linux-personality state, kept apart from the generic objects (DESIGN.md,
 * "Servers and calls the kernel makes"): a cap_group holds one struct
 * linux_proc and a thread one struct linux_thread, and only the code under
 * kernel/syscall/linux/ (and the loader, which sets the heap) reads them.
 *
 * Ownership: the fields are changed only by the process's own system calls
 * (and by the loader before the process runs). With one CPU they
 * interleave only at a preemption point, and the one call that has one
 * while it owns a field, brk's shrink, holds brk_busy meanwhile (mm.c);
 * `reported` is updated atomically already, the rest moves under the
 * group's lock with SMP.
 */
#ifndef KERNEL_SYSCALL_LINUX_STATE_H
#define KERNEL_SYSCALL_LINUX_STATE_H

#include <lib/types.h>
#include <sched/waitq.h>

struct connection;
struct pmo;

/* Bits of `reported`: one per Linux number below 512, one for the rest. */
#define LINUX_REPORT_BITS (512 + 1)

#define LINUX_NSIG 64

/* x86_64's kernel struct sigaction, as rt_sigaction(2) copies it. */
struct linux_sigaction {
	u64 handler, flags, restorer, mask;
};
_Static_assert(sizeof(struct linux_sigaction) == 32,
	       "Linux x86_64 kernel sigaction is 32 bytes");

struct linux_proc {
	u64 brk_start, brk_cur, brk_max; /* the heap (brk(2)) */
	/* Its one PMO (referenced), made at the first growth: mm.c. */
	struct pmo *brk_pmo;
	/*
	 * A shrink is under way (it has preemption points): other brk
	 * calls wait on brk_wait, as Linux's wait for the mmap lock.
	 */
	bool brk_busy;
	struct waitq brk_wait;
	u64 mmap_base; /* where mmap without a usable hint looks first */
	/* LINUX_NSIG actions, allocated when the first is set; NULL: all 0. */
	struct linux_sigaction *sigactions;
	/* Unsupported numbers the console has named already (once each). */
	u64 reported[(LINUX_REPORT_BITS + 63) / 64];
	/*
	 * fds 0-2 go to this console server (forward.c), holding a
	 * reference, dropped at exit; NULL: the kernel's serial console.
	 */
	struct connection *console;
};

struct linux_thread {
	u64 clear_child_tid; /* set_tid_address(2) */
	u64 sigmask;	     /* rt_sigprocmask(2): blocked signals */
};

/*
 * Signal s's (1..LINUX_NSIG) action: copies it to *old, then sets it to
 * *new if new is given. 0, or -ENOMEM when the table cannot be allocated
 * (nothing changes then). The table is charged to b (the process's budget).
 */
struct budget;
int linux_sigaction_swap(struct linux_proc *lp, struct budget *b, int s,
			 const struct linux_sigaction *new,
			 struct linux_sigaction *old);
/*
 * At a process's exit, once its address space is empty (preemptible):
 * frees the heap's frames with preemption points and drops its PMO.
 */
void linux_mm_exit(struct linux_proc *lp);
/* Frees what lp holds, uncharging b; the process is gone. */
void linux_proc_release(struct linux_proc *lp, struct budget *b);

#endif
