/*
 * Native Ferry system-call numbers. They live at FERRY_SYS_BASE and up so
 * that every number below it is free for the Linux x86_64 ABI.
 * docs/syscalls.md gives each one's contract and errors.
 */
#ifndef FERRY_UAPI_SYSCALL_NUM_H
#define FERRY_UAPI_SYSCALL_NUM_H

#define FERRY_SYS_BASE 0x1000

#define SYS_null (FERRY_SYS_BASE + 0)
#define SYS_debug_putc (FERRY_SYS_BASE + 1)
#define SYS_yield (FERRY_SYS_BASE + 2)
#define SYS_thread_exit (FERRY_SYS_BASE + 3)
#define SYS_proc_exit (FERRY_SYS_BASE + 4)
#define SYS_cap_copy (FERRY_SYS_BASE + 5)
#define SYS_cap_delete (FERRY_SYS_BASE + 6)
#define SYS_cap_transfer (FERRY_SYS_BASE + 7)
#define SYS_pmo_create (FERRY_SYS_BASE + 8)
#define SYS_pmo_map (FERRY_SYS_BASE + 9)
#define SYS_pmo_unmap (FERRY_SYS_BASE + 10)
#define SYS_pmo_write (FERRY_SYS_BASE + 11)
#define SYS_pmo_read (FERRY_SYS_BASE + 12)
#define SYS_thread_create (FERRY_SYS_BASE + 13)
#define SYS_thread_set_prio (FERRY_SYS_BASE + 14)
/* 15: was SYS_spawn, the kernel's loader (gone: procmgr, init's loader) */
#define SYS_proc_wait (FERRY_SYS_BASE + 16)
#define SYS_proc_kill (FERRY_SYS_BASE + 17)
/* 18: was SYS_initrd_list (gone: the file server lists the initrd) */
#define SYS_kstat (FERRY_SYS_BASE + 19)
#define SYS_poweroff (FERRY_SYS_BASE + 20)
#define SYS_cap_info (FERRY_SYS_BASE + 21)
#define SYS_cap_fetch (FERRY_SYS_BASE + 22)
#define SYS_register_server (FERRY_SYS_BASE + 23)
#define SYS_register_client (FERRY_SYS_BASE + 24)
#define SYS_ipc_register_cb_return (FERRY_SYS_BASE + 25)
#define SYS_ipc_call (FERRY_SYS_BASE + 26)
#define SYS_ipc_return (FERRY_SYS_BASE + 27)
#define SYS_ipc_exit_routine_return (FERRY_SYS_BASE + 28)
#define SYS_ipc_close (FERRY_SYS_BASE + 29)
#define SYS_thread_set_mcp (FERRY_SYS_BASE + 30)
#define SYS_console_set (FERRY_SYS_BASE + 31)
#define SYS_console_input (FERRY_SYS_BASE + 32)
#define SYS_console_output (FERRY_SYS_BASE + 33)
#define SYS_console_wake (FERRY_SYS_BASE + 34)
#define SYS_proc_create (FERRY_SYS_BASE + 35)
#define SYS_proc_start (FERRY_SYS_BASE + 36)
#define SYS_proc_info (FERRY_SYS_BASE + 37)
#define SYS_proc_set_budget (FERRY_SYS_BASE + 38)
#define SYS_pmo_map_region (FERRY_SYS_BASE + 39)
/* 40: reserved for issue 8 (pagers). */
#define SYS_proc_budget (FERRY_SYS_BASE + 41)
#define SYS_pmo_create_for (FERRY_SYS_BASE + 42)
#define SYS_ipc_received_caps (FERRY_SYS_BASE + 43)
#define SYS_notification_create (FERRY_SYS_BASE + 44)
#define SYS_notify (FERRY_SYS_BASE + 45)
#define SYS_notification_wait (FERRY_SYS_BASE + 46)
#define SYS_death_watch (FERRY_SYS_BASE + 47)
#define SYS_cap_same (FERRY_SYS_BASE + 48)

#define FERRY_SYS_NR 49

#endif
