/*
 * Numbers no table has. The console names each once per process, so a
 * user sees at once what a program needs (DESIGN.md, "Linux ABI"); the
 * call itself is -ENOSYS, as Linux answers a number it lacks.
 */
#include <lib/printk.h>
#include <object/cap_group.h>
#include <object/thread.h>
#include <sched/sched.h>
#include <syscall/linux/linux.h>
#include <syscall/syscall.h>
#include <uapi/ferry/errno.h>

/*
 * Marks nr reported; true the first time. A Linux call has its own bit;
 * all numbers Linux never assigned share the last one, so a program
 * probing them is named once, not once per number.
 */
static bool first_report(struct linux_proc *lp, u32 nr)
{
	u32 bit = linux_syscall_known(nr) ? nr : LINUX_SYS_NR;
	u64 mask = 1ul << (bit % 64);

	return !(__atomic_fetch_or(&lp->reported[bit / 64], mask,
				   __ATOMIC_RELAXED) &
		 mask);
}

long linux_unsupported(u32 nr)
{
	struct cap_group *g = current->group;

	if (!first_report(&g->lx, nr))
		return -ENOSYS;
	if (linux_syscall_known(nr))
		printk("[ferry] pid %u (%s): unsupported Linux syscall %u "
		       "(%s)\n",
		       g->pid, g->name, nr, linux_syscall_name(nr));
	else
		printk("[ferry] pid %u (%s): unsupported syscall %u (no such "
		       "Linux call; further ones are not reported)\n",
		       g->pid, g->name, nr);
	return -ENOSYS;
}
