/* Linux-personality state that owns memory (see state.h). */
#include <lib/string.h>
#include <mm/budget.h>
#include <object/pmo.h>
#include <syscall/linux/state.h>
#include <uapi/ferry/errno.h>

int linux_sigaction_swap(struct linux_proc *lp, struct budget *b, int s,
			 const struct linux_sigaction *new,
			 struct linux_sigaction *old)
{
	if (lp->sigactions)
		*old = lp->sigactions[s - 1];
	else
		memset(old, 0, sizeof(*old));
	if (!new)
		return 0;
	if (!lp->sigactions) {
		lp->sigactions = budget_kzalloc(
			b, LINUX_NSIG * sizeof(struct linux_sigaction));
		if (!lp->sigactions)
			return -ENOMEM;
	}
	lp->sigactions[s - 1] = *new;
	return 0;
}

void linux_mm_exit(struct linux_proc *lp)
{
	struct pmo *p = lp->brk_pmo;

	lp->brk_pmo = NULL;
	if (!p)
		return;
	if (obj_refcount(p) == 1) /* no region maps it any more */
		pmo_drain(p);
	obj_put(p);
}

void linux_proc_release(struct linux_proc *lp, struct budget *b)
{
	budget_kfree(b, lp->sigactions,
		     LINUX_NSIG * sizeof(struct linux_sigaction));
	lp->sigactions = NULL;
	if (lp->brk_pmo) /* a process that never ran its exit */
		obj_put(lp->brk_pmo);
	lp->brk_pmo = NULL;
}
