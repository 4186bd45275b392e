/* Process-level ABI: exit statuses, spawn limits, proc_create/info. */
#ifndef FERRY_UAPI_PROC_H
#define FERRY_UAPI_PROC_H

#include <stdint.h>

/*
 * SYS_proc_wait returns the status encoded as Linux's wait status does:
 * exit code << 8 for a normal exit, the signal number for a kill.
 */
#define PROC_STATUS_EXITED(code) (((code)&0xff) << 8)
#define PROC_STATUS_KILLED(sig) ((sig)&0x7f)
#define PROC_SIG_SEGV 11 /* the process faulted */
#define PROC_SIG_KILL 9	 /* SYS_proc_kill */
#define PROC_SIG_ILL 4	 /* invalid opcode */
#define PROC_SIG_FPE 8	 /* divide error, FP exception */
#define PROC_SIG_TRAP 5	 /* single-step trap (TF), int3, icebp */
#define PROC_SIG_BUS 7	 /* alignment check (RFLAGS.AC with CR0.AM) */

#define SPAWN_MAX_ARGS 64      /* argv + envp entries */
#define SPAWN_MAX_STRINGS 4096 /* bytes of argv + envp strings */
#define PATH_MAX_FERRY 256

/*
 * A spawn's prio and mcp (procmgr, fy_spawn_sched): this value asks for the
 * default, PRIO_DEFAULT capped at the new MCP for prio, the caller's MCP for
 * mcp.
 */
#define SPAWN_SCHED_DEFAULT (-1L)

/* SYS_proc_create: flags, and the name's limit (31 bytes and the NUL). */
/* Both syscall ranges, not Linux's only. */
#define PROC_CREATE_NATIVE (1u << 0)
#define PROC_NAME_MAX 32

/* SYS_proc_info: what a process is doing. */
#define PROC_STATE_NEW 0     /* made by SYS_proc_create, not started */
#define PROC_STATE_RUNNING 1 /* started, not exited */
#define PROC_STATE_EXITED 2  /* exiting or dead: exit_status is final */

struct proc_info {
	uint32_t pid;
	uint32_t state;		 /* PROC_STATE_* */
	int32_t exit_status;	 /* wait status (above), if PROC_STATE_EXITED */
	uint32_t nthreads;	 /* threads alive now */
	uint64_t cpu_time_ns;	 /* CPU time of its threads, living and gone */
	uint64_t mem_used_pages; /* as SYS_proc_budget's used_pages */
	uint64_t mem_budget_pages; /* as SYS_proc_budget's limit_pages */
	char name[PROC_NAME_MAX];  /* NUL-terminated */
};
_Static_assert(sizeof(struct proc_info) == 72, "struct proc_info layout");
/*
 * SYS_proc_budget's answer: a process's memory budget in pages (4 KiB
 * frames). used counts everything allocated for it (its PMOs' frames,
 * page tables, kernel objects, kernel heap rounded up to its size
 * classes), rounded up to whole pages; limit is the most it may use.
 */
struct proc_budget {
	unsigned long long used_pages;
	unsigned long long limit_pages;
};

#endif
