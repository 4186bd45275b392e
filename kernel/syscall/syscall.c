/*
 * The native dispatch table and the entry that picks a table.
 *
 * Personality: a process loaded from a program carrying the Ferry ELF
 * note (every program linked by user/build.mk) is native and reaches both
 * ranges; any other program is a Linux program and sees Linux's table
 * only, so a number Linux does not have is -ENOSYS for it, as on Linux
 * (docs/linux-abi.md).
 */
#include <arch/arch.h>
#include <mm/pager.h>
#include <object/cap_group.h>
#include <object/thread.h>
#include <sched/sched.h>
#include <syscall/native.h>
#include <syscall/syscall.h>
#include <uapi/ferry/errno.h>
#include <uapi/ferry/syscall_num.h>

#define UPTR const void __user *
SYSCALL_ENTRY0(sys_null)
SYSCALL_ENTRY1(sys_debug_putc, u64)
SYSCALL_ENTRY0(sys_yield)
SYSCALL_ENTRY0(sys_thread_exit)
SYSCALL_ENTRY1(sys_proc_exit, u64)
SYSCALL_ENTRY2(sys_cap_copy, u64, u64)
SYSCALL_ENTRY1(sys_cap_delete, u64)
SYSCALL_ENTRY4(sys_cap_transfer, u64, u64, u64, u64)
SYSCALL_ENTRY1(sys_cap_info, u64)
SYSCALL_ENTRY2(sys_pmo_create, u64, u64)
SYSCALL_ENTRY4(sys_pmo_map, u64, u64, u64, u64)
SYSCALL_ENTRY2(sys_pmo_unmap, u64, u64)
SYSCALL_ENTRY2(sys_pmo_map_region, u64, const struct vm_map_args __user *)
SYSCALL_ENTRY4(sys_pmo_write, u64, u64, UPTR, u64)
SYSCALL_ENTRY4(sys_pmo_read, u64, u64, void __user *, u64)
SYSCALL_ENTRY5(sys_thread_create, u64, u64, u64, u64, u64)
SYSCALL_ENTRY2(sys_thread_set_prio, u64, u64)
SYSCALL_ENTRY2(sys_thread_set_mcp, u64, u64)
SYSCALL_ENTRY1(sys_proc_wait, u64)
SYSCALL_ENTRY1(sys_proc_kill, u64)
SYSCALL_ENTRY2(sys_proc_set_budget, u64, u64)
SYSCALL_ENTRY2(sys_proc_budget, u64, void __user *)
SYSCALL_ENTRY2(sys_kstat, u64, u64)
SYSCALL_ENTRY2(sys_poweroff, u64, u64)
SYSCALL_ENTRY3(sys_cap_fetch, u64, u64, u64)
SYSCALL_ENTRY3(sys_register_server, u64, u64, u64)
SYSCALL_ENTRY2(sys_register_client, u64, UPTR)
SYSCALL_ENTRY3(sys_ipc_register_cb_return, u64, u64, u64)
SYSCALL_ENTRY4(sys_ipc_call, u64, u64, u64, u64)
SYSCALL_ENTRY3(sys_ipc_return, u64, u64, const cap_t __user *)
SYSCALL_ENTRY0(sys_ipc_exit_routine_return)
SYSCALL_ENTRY1(sys_ipc_close, u64)
SYSCALL_ENTRY1(sys_ipc_received_caps, cap_t __user *)
SYSCALL_ENTRY2(sys_console_set, u64, u64)
SYSCALL_ENTRY2(sys_console_input, void __user *, u64)
SYSCALL_ENTRY2(sys_console_output, UPTR, u64)
SYSCALL_ENTRY0(sys_console_wake)
SYSCALL_ENTRY2(sys_proc_create, const char __user *, u64)
SYSCALL_ENTRY1(sys_proc_start, u64)
SYSCALL_ENTRY3(sys_pmo_create_for, u64, u64, u64)
SYSCALL_ENTRY2(sys_proc_info, u64, void __user *)
SYSCALL_ENTRY0(sys_notification_create)
SYSCALL_ENTRY2(sys_notify, u64, u64)
SYSCALL_ENTRY3(sys_notification_wait, u64, u64, u64 __user *)
SYSCALL_ENTRY3(sys_death_watch, u64, u64, u64)
SYSCALL_ENTRY2(sys_cap_same, u64, u64)

/* A number no table has (linux_unsupported says so once, -ENOSYS). */
static long call_unknown(const struct arch_regs *r)
{
	return linux_unsupported((u32)arch_syscall_nr(r));
}

#define NATIVE(name) [SYS_##name - FERRY_SYS_BASE] = call_sys_##name

/*
 * Every entry set, holes to call_unknown, so that the common dispatch
 * tests no NULL: the range first, then the named calls over it.
 */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Woverride-init"
static const syscall_fn native_syscalls[FERRY_SYS_NR] = {
	[0 ... FERRY_SYS_NR - 1] = call_unknown,
	NATIVE(null),
	NATIVE(debug_putc),
	NATIVE(yield),
	NATIVE(thread_exit),
	NATIVE(proc_exit),
	NATIVE(cap_copy),
	NATIVE(cap_delete),
	NATIVE(cap_transfer),
	NATIVE(cap_info),
	NATIVE(pmo_create),
	NATIVE(pmo_map),
	NATIVE(pmo_unmap),
	NATIVE(pmo_write),
	NATIVE(pmo_read),
	NATIVE(thread_create),
	NATIVE(thread_set_prio),
	NATIVE(proc_wait),
	NATIVE(proc_kill),
	NATIVE(kstat),
	NATIVE(poweroff),
	NATIVE(cap_fetch),
	NATIVE(register_server),
	NATIVE(register_client),
	NATIVE(ipc_register_cb_return),
	NATIVE(ipc_call),
	NATIVE(ipc_return),
	NATIVE(ipc_exit_routine_return),
	NATIVE(ipc_close),
	NATIVE(thread_set_mcp),
	NATIVE(console_set),
	NATIVE(console_input),
	NATIVE(console_output),
	NATIVE(console_wake),
	NATIVE(proc_create),
	NATIVE(proc_start),
	NATIVE(proc_info),
	NATIVE(proc_set_budget),
	NATIVE(proc_budget),
	NATIVE(pmo_map_region),
	NATIVE(pmo_create_for),
	NATIVE(ipc_received_caps),
	NATIVE(notification_create),
	NATIVE(notify),
	NATIVE(notification_wait),
	NATIVE(death_watch),
	NATIVE(cap_same),
};
#pragma GCC diagnostic pop

/*
 * The work a return to user mode may owe: a switch the scheduler asked
 * for, then an exit if the thread was killed meanwhile. Apart, so that
 * the common return pays two tests and no call; takes and gives back
 * the result so that the dispatch keeps nothing live across a call.
 */
static __attribute__((noinline)) u64 syscall_exit_work(u64 ret)
{
	if (sched_need_resched())
		sched_preempt_user();
	thread_exit_if_killed();
	return ret;
}

u64 syscall_dispatch(struct arch_regs *r)
{
	/* The number is an int, as Linux reads it (do_syscall_64). */
	u32 nr = (u32)arch_syscall_nr(r);
	syscall_fn fn;
	long ret;

	if (likely(nr - FERRY_SYS_BASE < FERRY_SYS_NR &&
		   current->group->native))
		fn = native_syscalls[nr - FERRY_SYS_BASE];
	else if (nr < LINUX_SYS_NR && linux_syscalls[nr])
		fn = linux_syscalls[nr];
	else
		fn = call_unknown; /* a Linux program's native number too */
	ret = fn(r);
	/*
	 * A copy met a page its pager must supply first (mm/pager.h). The
	 * frame is found again from the thread, not kept live across the
	 * call.
	 */
	if (unlikely(ret == -EFAULT) && current->pager_pending)
		ret = pager_syscall_fault(thread_regs(current));
	if (unlikely(sched_need_resched() || current->killed))
		return syscall_exit_work((u64)ret);
	return (u64)ret;
}
