/*
 * Out of memory at a fault: a page fault that cannot be given a frame
 * or a page table, because the process's budget is spent or because no
 * frame is free at all, kills the process with SIGKILL (as Linux's OOM
 * killer does) and says so on the console, naming it. Only the faulting
 * process dies: budgets keep one process's hunger from reaching others'
 * faults, and a process that finds no free frame pays for its own fault.
 */
#ifndef KERNEL_MM_OOM_H
#define KERNEL_MM_OOM_H

struct cap_group;

/*
 * Reports g out of memory (unless it is already exiting: once) and makes
 * it exit with status "killed by signal 9". The calling thread (one of g's) is
 * marked killed too: it dies at its return to user space, or at once if the
 * caller ends it.
 */
void oom_kill(struct cap_group *g);

#endif
