/* The native dispatch table and the entry that picks a table. */
#include <arch/arch.h>
#include <object/thread.h>
#include <sched/sched.h>
#include <syscall/native.h>
#include <syscall/syscall.h>
#include <uapi/ferry/errno.h>
#include <uapi/ferry/syscall_num.h>

#define NATIVE(name)                                                           \
	[SYS_##name - FERRY_SYS_BASE] = (syscall_fn)(void (*)(void))sys_##name

static const syscall_fn native_syscalls[FERRY_SYS_NR] = {
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
	NATIVE(spawn),
	NATIVE(proc_wait),
	NATIVE(proc_kill),
	NATIVE(initrd_list),
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
};

void syscall_dispatch(struct arch_regs *r)
{
	u64 nr = arch_syscall_nr(r);
	syscall_fn fn = NULL;

	if (nr - FERRY_SYS_BASE < FERRY_SYS_NR)
		fn = native_syscalls[nr - FERRY_SYS_BASE];
	else if (nr < LINUX_SYS_NR)
		fn = linux_syscalls[nr];
	arch_regs_set_ret(r, fn ? (u64)fn(ARCH_SYSCALL_ARGS(r)) : (u64)-ENOSYS);
	if (unlikely(sched_need_resched()))
		sched_yield();
	thread_exit_if_killed();
}
