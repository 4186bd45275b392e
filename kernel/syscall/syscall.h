/*
 * Syscall glue: sys_* functions copy user arguments in, look capabilities
 * up with the rights they need, and call object code that never touches
 * user memory. Arguments arrive as six u64 registers; each sys_* takes
 * them typed.
 */
#ifndef KERNEL_SYSCALL_SYSCALL_H
#define KERNEL_SYSCALL_SYSCALL_H

#include <arch_defs.h>
#include <lib/types.h>

typedef long (*syscall_fn)(u64, u64, u64, u64, u64, u64);

/* Entry from arch code with the user frame; writes the result into it. */
void syscall_dispatch(struct arch_regs *regs);

/* The Linux x86_64 table (kernel/syscall/linux/). */
#define LINUX_SYS_NR 512
extern const syscall_fn linux_syscalls[LINUX_SYS_NR];

#endif
