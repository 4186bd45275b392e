/*
 * Syscall glue: sys_* functions copy user arguments in, look capabilities
 * up with the rights they need, and call object code that never touches
 * user memory.
 *
 * Dispatch: a table entry has one type, syscall_fn, and takes the user
 * frame; SYSCALL_ENTRYn() writes for each call a small wrapper that reads
 * its n arguments from the frame with their declared types and calls the
 * typed sys_X/linux_X. No function pointer is ever cast, so a call always
 * goes through the type it was defined with (CFI-clean), and a table entry
 * that does not match its function does not compile.
 */
#ifndef KERNEL_SYSCALL_SYSCALL_H
#define KERNEL_SYSCALL_SYSCALL_H

#include <arch_defs.h>
#include <lib/types.h>

typedef long (*syscall_fn)(const struct arch_regs *r);

#define SYSCALL_ARG(r, i, T) ((T)arch_sysarg##i(r))
#define SYSCALL_ENTRY0(fn)                                                     \
	static long call_##fn(const struct arch_regs *r)                       \
	{                                                                      \
		(void)r;                                                       \
		return fn();                                                   \
	}
#define SYSCALL_ENTRY1(fn, T0)                                                 \
	static long call_##fn(const struct arch_regs *r)                       \
	{                                                                      \
		return fn(SYSCALL_ARG(r, 0, T0));                              \
	}
#define SYSCALL_ENTRY2(fn, T0, T1)                                             \
	static long call_##fn(const struct arch_regs *r)                       \
	{                                                                      \
		return fn(SYSCALL_ARG(r, 0, T0), SYSCALL_ARG(r, 1, T1));       \
	}
#define SYSCALL_ENTRY3(fn, T0, T1, T2)                                         \
	static long call_##fn(const struct arch_regs *r)                       \
	{                                                                      \
		return fn(SYSCALL_ARG(r, 0, T0), SYSCALL_ARG(r, 1, T1),        \
			  SYSCALL_ARG(r, 2, T2));                              \
	}
#define SYSCALL_ENTRY4(fn, T0, T1, T2, T3)                                     \
	static long call_##fn(const struct arch_regs *r)                       \
	{                                                                      \
		return fn(SYSCALL_ARG(r, 0, T0), SYSCALL_ARG(r, 1, T1),        \
			  SYSCALL_ARG(r, 2, T2), SYSCALL_ARG(r, 3, T3));       \
	}
#define SYSCALL_ENTRY5(fn, T0, T1, T2, T3, T4)                                 \
	static long call_##fn(const struct arch_regs *r)                       \
	{                                                                      \
		return fn(SYSCALL_ARG(r, 0, T0), SYSCALL_ARG(r, 1, T1),        \
			  SYSCALL_ARG(r, 2, T2), SYSCALL_ARG(r, 3, T3),        \
			  SYSCALL_ARG(r, 4, T4));                              \
	}
#define SYSCALL_ENTRY6(fn, T0, T1, T2, T3, T4, T5)                             \
	static long call_##fn(const struct arch_regs *r)                       \
	{                                                                      \
		return fn(SYSCALL_ARG(r, 0, T0), SYSCALL_ARG(r, 1, T1),        \
			  SYSCALL_ARG(r, 2, T2), SYSCALL_ARG(r, 3, T3),        \
			  SYSCALL_ARG(r, 4, T4), SYSCALL_ARG(r, 5, T5));       \
	}

/*
 * Entry from arch code with the user frame; returns the result, which
 * the arch entry stores in the frame's return register (fewer
 * instructions than a store here, which would keep the frame live
 * across the call).
 */
u64 syscall_dispatch(struct arch_regs *regs);

/*
 * The Linux x86_64 table (kernel/syscall/linux/table.c): Linux numbers
 * 0..LINUX_SYS_NR-1, NULL where Ferry has no such call.
 */
#define LINUX_SYS_NR 512
extern const syscall_fn linux_syscalls[LINUX_SYS_NR];
/* A number no table has: reports it once per process, then -ENOSYS. */
long linux_unsupported(u32 nr);

#endif
