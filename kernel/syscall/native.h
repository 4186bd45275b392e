/* Native Ferry syscalls; contracts in docs/syscalls.md. */
#ifndef KERNEL_SYSCALL_NATIVE_H
#define KERNEL_SYSCALL_NATIVE_H

#include <lib/types.h>

/*
 * Does nothing: the round-trip cost of a syscall. Inline, so that the
 * table's entry is the whole call (bench null_syscall).
 */
static inline long sys_null(void)
{
	return 0;
}
long sys_debug_putc(u64 c);
long sys_yield(void);
long sys_thread_exit(void);
long sys_proc_exit(u64 code);
long sys_cap_copy(u64 cap, u64 mask);
long sys_cap_delete(u64 cap);
long sys_cap_transfer(u64 group_cap, u64 cap, u64 mask, u64 slot);
long sys_cap_info(u64 cap);
long sys_pmo_create(u64 size, u64 type);
long sys_pmo_map(u64 group_cap, u64 pmo_cap, u64 addr, u64 perm);
struct vm_map_args;
long sys_pmo_map_region(u64 group_cap, const struct vm_map_args __user *a);
long sys_pmo_unmap(u64 group_cap, u64 addr);
long sys_pmo_write(u64 pmo_cap, u64 off, const void __user *buf, u64 len);
long sys_pmo_read(u64 pmo_cap, u64 off, void __user *buf, u64 len);
long sys_thread_create(u64 group_cap, u64 entry, u64 stack, u64 arg, u64 flags);
long sys_thread_set_prio(u64 thread_cap, u64 prio);
long sys_thread_set_mcp(u64 thread_cap, u64 mcp);
long sys_proc_wait(u64 proc_cap);
long sys_proc_kill(u64 proc_cap);
long sys_proc_set_budget(u64 group_cap, u64 pages);
long sys_proc_budget(u64 group_cap, void __user *out);
long sys_kstat(u64 platform_cap, u64 id);
long sys_poweroff(u64 platform_cap, u64 code);
long sys_cap_fetch(u64 group_cap, u64 cap, u64 mask);
long sys_register_server(u64 ipc_routine, u64 register_cb_cap, u64 destructor);
long sys_register_client(u64 server_cap, const void __user *config);
long sys_ipc_register_cb_return(u64 handler_cap, u64 exit_routine,
				u64 server_shm_addr);
long sys_ipc_call(u64 conn_cap, u64 msg, u64 ncaps, u64 timeout_us);
long sys_ipc_return(u64 ret, u64 ncaps, const cap_t __user *slots);
long sys_ipc_exit_routine_return(void);
long sys_ipc_close(u64 conn_cap);
long sys_ipc_received_caps(cap_t __user *out);
long sys_console_set(u64 conn_cap, u64 flags);
long sys_console_input(void __user *buf, u64 len);
long sys_console_output(const void __user *buf, u64 len);
long sys_console_wake(void);
long sys_pmo_create_for(u64 group_cap, u64 size, u64 type);
long sys_notification_create(void);
long sys_notify(u64 cap, u64 bits);
long sys_notification_wait(u64 cap, u64 timeout_us, u64 __user *bits_out);
long sys_death_watch(u64 target_cap, u64 notif_cap, u64 bits);
long sys_cap_same(u64 a, u64 b);
long sys_proc_create(const char __user *name, u64 flags);
long sys_proc_start(u64 group_cap);
long sys_proc_info(u64 group_cap, void __user *out);

struct cap_group;
/* A process the caller holds with CONTROL: 0 and a reference, or -ECAPBILITY.
 */
long get_controlled_group(u64 group_cap, struct cap_group **g);

/* Turns a user cap argument into an int slot, rejecting junk high bits. */
static inline int cap_arg(u64 v)
{
	return v > 0x7fffffff ? -1 : (int)v;
}

#endif
