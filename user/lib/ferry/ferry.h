/*
 * libferry: one typed wrapper per native Ferry system call. Each returns
 * what the kernel returned: a value >= 0 on success (a capability slot, a
 * count, a status) or a negative errno from <uapi/ferry/errno.h>. The
 * contracts themselves are in docs/syscalls.md.
 */
#ifndef FERRY_FERRY_H
#define FERRY_FERRY_H

#include <errno.h> /* before the uapi list, which then keeps libc's values */
#include <stddef.h>
#include <stdint.h>

#include <ferry/syscall.h>
#include <uapi/ferry/cap.h>
#include <uapi/ferry/errno.h>
#include <uapi/ferry/ipc.h>
#include <uapi/ferry/proc.h>
#include <uapi/ferry/syscall_num.h>

/*
 * SYS_cap_info packs the object type, the rights and flags (CAP_INFO_DEAD)
 * into one value.
 */
#define FY_CAP_INFO_TYPE(info) ((int)((info)&0xff))
#define FY_CAP_INFO_RIGHTS(info) ((unsigned)(((info) >> 8) & 0xff))
/* A PMO cap's type (PMO_ANONYMOUS, PMO_DATA, PMO_PAGED). */
#define FY_CAP_INFO_PMO_TYPE(info) ((int)(((info) >> CAP_INFO_PMO_SHIFT) & 0xf))

typedef void (*fy_thread_entry_t)(void *arg);

static inline long fy_null(void)
{
	return fy_syscall0(SYS_null);
}

static inline long fy_debug_putc(int c)
{
	return fy_syscall1(SYS_debug_putc, c);
}

static inline long fy_yield(void)
{
	return fy_syscall0(SYS_yield);
}

/*
 * The two exits do not return; should a broken kernel return anyway, trap
 * at once (SIGILL) instead of running on with a dead thread's state.
 */
static inline _Noreturn void fy_thread_exit(void)
{
	fy_syscall0(SYS_thread_exit);
	__builtin_trap();
}

static inline _Noreturn void fy_proc_exit(int code)
{
	fy_syscall1(SYS_proc_exit, code);
	__builtin_trap();
}

static inline long fy_cap_copy(cap_t cap, unsigned rights_mask)
{
	return fy_syscall2(SYS_cap_copy, cap, rights_mask);
}

static inline long fy_cap_delete(cap_t cap)
{
	return fy_syscall1(SYS_cap_delete, cap);
}

/* Into the process's slot `slot`, or its lowest free one for -1. */
static inline long fy_cap_transfer(cap_t group, cap_t cap, unsigned rights_mask,
				   cap_t slot)
{
	return fy_syscall4(SYS_cap_transfer, group, cap, rights_mask, slot);
}

static inline long fy_cap_info(cap_t cap)
{
	return fy_syscall1(SYS_cap_info, cap);
}

/*
 * 1 if slots a and b hold the same kernel object (whatever their
 * rights), 0 if not; -ECAPBILITY if either is empty.
 */
static inline long fy_cap_same(cap_t a, cap_t b)
{
	return fy_syscall2(SYS_cap_same, a, b);
}

/*
 * 1 if the process behind cap (a process, a thread's process, a
 * connection's peer) has begun to exit or has exited, 0 if not (or cap
 * is no such object); -ECAPBILITY for an empty slot.
 */
static inline long fy_cap_dead(cap_t cap)
{
	long info = fy_cap_info(cap);

	return info < 0 ? info : !!(info & CAP_INFO_DEAD);
}

static inline long fy_pmo_create(size_t size, int type)
{
	return fy_syscall2(SYS_pmo_create, (long)size, type);
}

/*
 * As fy_pmo_create, with the memory charged to process `group`
 * (CONTROL): a loader's stack and bss for a process it builds.
 */
static inline long fy_pmo_create_for(cap_t group, size_t size, int type)
{
	return fy_syscall3(SYS_pmo_create_for, group, (long)size, type);
}

static inline long fy_pmo_map(cap_t group, cap_t pmo, uintptr_t addr,
			      unsigned perm)
{
	return fy_syscall4(SYS_pmo_map, group, pmo, (long)addr, perm);
}

/* A window of a PMO, with a pager and copy-on-write (struct vm_map_args). */
static inline long fy_pmo_map_region(cap_t group, const struct vm_map_args *a)
{
	return fy_syscall2(SYS_pmo_map_region, group, (long)a);
}

static inline long fy_pmo_unmap(cap_t group, uintptr_t addr)
{
	return fy_syscall2(SYS_pmo_unmap, group, (long)addr);
}

static inline long fy_pmo_write(cap_t pmo, size_t offset, const void *buf,
				size_t len)
{
	return fy_syscall4(SYS_pmo_write, pmo, (long)offset, (long)buf,
			   (long)len);
}

static inline long fy_pmo_read(cap_t pmo, size_t offset, void *buf, size_t len)
{
	return fy_syscall4(SYS_pmo_read, pmo, (long)offset, (long)buf,
			   (long)len);
}

/*
 * The new thread starts in entry(arg); entry must end in fy_thread_exit(),
 * as there is nothing to return to. stack_top must be 16-byte aligned.
 * The kernel starts the thread with rsp exactly at the value it is given,
 * but a C function expects rsp = 8 (mod 16) on entry, as if a call had
 * just pushed a return address, so the wrapper hands over stack_top - 8:
 * the slot that return address would have taken.
 */
static inline long fy_thread_create(cap_t group, fy_thread_entry_t entry,
				    void *stack_top, void *arg, unsigned flags)
{
	return fy_syscall5(SYS_thread_create, group, (long)entry,
			   (long)stack_top - 8, (long)arg, flags);
}

static inline long fy_thread_set_prio(cap_t thread, int prio)
{
	return fy_syscall2(SYS_thread_set_prio, thread, prio);
}

/*
 * A thread may set priorities and MCPs up to its own MCP only (-EPERM
 * above it); a new thread gets its creator's MCP.
 */
static inline long fy_thread_set_mcp(cap_t thread, int mcp)
{
	return fy_syscall2(SYS_thread_set_mcp, thread, mcp);
}

/*
 * Starting programs: through procmgr (user/lib/spawn.c, proto/procmgr.h,
 * docs/process.md), found as our initial capability "procmgr" (init
 * names it with fy_procmgr_use). Each returns our capability to the new
 * process (every right: fy_proc_wait, fy_proc_kill, fy_cap_fetch of its
 * main thread in slot CAP_SELF_MAIN_THREAD) or a negative errno: those
 * of PROCMGR_SPAWN, -EFAULT for a bad path, vector or string pointer,
 * -ENOSYS with no procmgr to ask.
 */
struct fy_spawn_attr {
	long prio;		  /* 0..PRIO_USER_MCP, or SPAWN_SCHED_DEFAULT */
	long mcp;		  /* 0..PRIO_USER_MCP, or SPAWN_SCHED_DEFAULT */
	uint64_t budget_pages;	  /* 0: our own limit, as the kernel's spawn */
	unsigned flags;		  /* PROCMGR_SPAWN_* */
	unsigned ncaps;		  /* <= PROCMGR_MAX_CAPS */
	const char *const *names; /* the child finds caps[i] as names[i] */
	const cap_t *caps;	  /* ours, each with GRANT */
};

long fy_spawn_caps(const char *path, const char *const *argv,
		   const char *const *envp, const struct fy_spawn_attr *attr);
/*
 * Starts a program with its main thread at `prio` and MCP `mcp`, either
 * SPAWN_SCHED_DEFAULT (PRIO_DEFAULT capped at the MCP; PRIO_USER_MCP).
 */
long fy_spawn_sched(const char *path, const char *const *argv,
		    const char *const *envp, long prio, long mcp);
/* At PRIO_DEFAULT with MCP PRIO_USER_MCP. */
long fy_spawn(const char *path, const char *const *argv,
	      const char *const *envp);

struct procmgr_proc_info;
/*
 * The live processes procmgr made: up to max written to out, their
 * number returned (may be more than max), or a negative errno.
 */
long fy_proc_list(struct procmgr_proc_info *out, size_t max);
/* The procmgr to spawn through (init, which has no initial caps). */
void fy_procmgr_use(cap_t server_thread);
/* init's first call to procmgr: hands it the file server. */
long fy_procmgr_init(cap_t fs_server);
/* The same, with the name server's thread too (ns_server -1: none). */
long fy_procmgr_init_with(cap_t fs_server, cap_t ns_server);

static inline long fy_proc_wait(cap_t proc)
{
	return fy_syscall1(SYS_proc_wait, proc);
}

static inline long fy_proc_kill(cap_t proc)
{
	return fy_syscall1(SYS_proc_kill, proc);
}

/*
 * An empty process that runs nothing until fy_proc_start: map its
 * memory (fy_pmo_map), place its capabilities (fy_cap_transfer), make
 * its threads (fy_thread_create), then start it. flags:
 * PROC_CREATE_NATIVE. Dropping the last cap to it before then ends it.
 */
static inline long fy_proc_create(const char *name, unsigned flags)
{
	return fy_syscall2(SYS_proc_create, (long)name, flags);
}

static inline long fy_proc_start(cap_t proc)
{
	return fy_syscall1(SYS_proc_start, proc);
}

static inline long fy_proc_info(cap_t proc, struct proc_info *out)
{
	return fy_syscall2(SYS_proc_info, proc, (long)out);
}

/* Sets a process's memory limit in pages (docs/syscalls.md). */
static inline long fy_proc_set_budget(cap_t proc, unsigned long pages)
{
	return fy_syscall2(SYS_proc_set_budget, proc, (long)pages);
}

/* A process's memory use and limit in pages. */
static inline long fy_proc_budget(cap_t proc, struct proc_budget *out)
{
	return fy_syscall2(SYS_proc_budget, proc, (long)out);
}

static inline long fy_cap_fetch(cap_t group, cap_t cap, unsigned rights_mask)
{
	return fy_syscall3(SYS_cap_fetch, group, cap, rights_mask);
}

static inline long fy_register_server(void *ipc_routine, cap_t register_cb,
				      void *destructor)
{
	return fy_syscall3(SYS_register_server, (long)ipc_routine, register_cb,
			   (long)destructor);
}

static inline long fy_register_client(cap_t server,
				      const struct ipc_shm_config *config)
{
	return fy_syscall2(SYS_register_client, server, (long)config);
}

static inline long fy_ipc_register_cb_return(cap_t handler, void *exit_routine,
					     uintptr_t server_shm_addr)
{
	return fy_syscall3(SYS_ipc_register_cb_return, handler,
			   (long)exit_routine, (long)server_shm_addr);
}

static inline long fy_ipc_call(cap_t conn, struct ipc_msg *msg, unsigned ncaps,
			       uint64_t timeout_us)
{
	return fy_syscall4(SYS_ipc_call, conn, (long)msg, ncaps,
			   (long)timeout_us);
}

/* Returns only on error (the caller resumes on success). */
static inline long fy_ipc_return(long ret, unsigned ncaps)
{
	return fy_syscall2(SYS_ipc_return, ret, ncaps);
}

/*
 * In a handler told of ncaps > 0 caps: the slots they are in, from the
 * kernel (out: IPC_MAX_CAPS of room); returns the count. Read these,
 * never the message's cap area: the client can rewrite the shm while
 * the handler runs, and name a slot that holds someone else's cap.
 */
static inline long fy_ipc_received_caps(cap_t *out)
{
	return fy_syscall1(SYS_ipc_received_caps, (long)out);
}

/*
 * fy_ipc_return with the slots of the caps to return read from `slots`
 * (our own memory), not from the message in the shm, which the client
 * may rewrite to name another of our slots (IPC_RETURN_SLOTS). ncaps may
 * carry IPC_RETURN_MOVE. Returns only on error.
 */
static inline long fy_ipc_return_slots(long ret, unsigned ncaps,
				       const cap_t *slots)
{
	return fy_syscall3(SYS_ipc_return, ret, ncaps | IPC_RETURN_SLOTS,
			   (long)slots);
}

static inline long fy_ipc_close(cap_t conn)
{
	return fy_syscall1(SYS_ipc_close, conn);
}

/*
 * Sends this process's Linux read/write/writev/ioctl on fds 0-2 to the
 * console server behind `conn` (proto/console.h; shm of at least
 * CONSOLE_SHM_MIN bytes), and so those of the processes it creates from
 * now on; -1 goes back to the system's console. flags
 * CONSOLE_SET_SYSTEM sets the system's console instead (MCP PRIO_MAX).
 */
static inline long fy_console_set(cap_t conn, unsigned flags)
{
	return fy_syscall2(SYS_console_set, conn, flags);
}

/* The console server's side: raw serial input (blocks), raw output. */
static inline long fy_console_input(void *buf, size_t len)
{
	return fy_syscall2(SYS_console_input, (long)buf, (long)len);
}

static inline long fy_console_output(const void *buf, size_t len)
{
	return fy_syscall2(SYS_console_output, (long)buf, (long)len);
}

/* A line or an end of file is ready: readers waiting for one ask again. */
static inline long fy_console_wake(void)
{
	return fy_syscall0(SYS_console_wake);
}

static inline long fy_ipc_exit_routine_return(void)
{
	return fy_syscall0(SYS_ipc_exit_routine_return);
}

/*
 * The platform capability (docs/syscalls.md): the initial capability
 * "platform", or init's CAP_INIT_PLATFORM; -1 when this process has
 * neither (user/lib/platform.c).
 */
cap_t fy_platform_cap(void);

/* A kernel counter (KSTAT_*): needs the platform capability's READ. */
static inline long fy_kstat(int id)
{
	return fy_syscall2(SYS_kstat, fy_platform_cap(), id);
}

/*
 * Powers the machine off (QEMU exits with code): needs the platform
 * capability's CONTROL. Returns only on refusal (-ECAPBILITY).
 */
static inline long fy_poweroff(int code)
{
	return fy_syscall2(SYS_poweroff, fy_platform_cap(), code);
}

/*
 * Notifications (docs/ipc.md "Notifications"): a word of pending bits.
 * fy_notification_create: a new one, charged to our budget; its cap
 * (all rights) or -ENOMEM. Copy it with a mask (fy_cap_copy) to make a
 * notify-only (WRITE) or wait-only (READ) cap.
 */
static inline long fy_notification_create(void)
{
	return fy_syscall0(SYS_notification_create);
}

/* ORs bits (non-zero) in; never blocks. 0, -EINVAL, -ECAPBILITY. */
static inline long fy_notify(cap_t n, uint64_t bits)
{
	return fy_syscall2(SYS_notify, n, (long)bits);
}

/*
 * Waits (timeout_us 0: for ever) until bits are pending, then takes and
 * clears them all into *bits. 0, -ETIMEDOUT, -EINTR, -ECAPBILITY, -EFAULT.
 */
static inline long fy_notification_wait(cap_t n, uint64_t timeout_us,
					uint64_t *bits)
{
	return fy_syscall3(SYS_notification_wait, n, (long)timeout_us,
			   (long)bits);
}

/*
 * Death signals (docs/ipc.md "Death signals"): ORs bits into notification
 * n (WRITE) once, when the process behind target dies: a process cap, a
 * thread cap (its process), a connection cap (its peer). Already dead:
 * at once. bits 0 cancels our watches on that process with n. 0 (or the
 * count cancelled); -ECAPBILITY, -EAGAIN, -ENOSPC, -ENOMEM, -ENOENT.
 */
static inline long fy_death_watch(cap_t target, cap_t n, uint64_t bits)
{
	return fy_syscall3(SYS_death_watch, target, n, (long)bits);
}

#endif
