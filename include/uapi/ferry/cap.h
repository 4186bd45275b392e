/*
 * Capabilities as user space sees them: a cap_t is a slot index in the
 * calling process's table. Rights are checked on every use.
 */
#ifndef FERRY_UAPI_CAP_H
#define FERRY_UAPI_CAP_H

#include <stdint.h>

typedef int32_t cap_t;

/* The slots every process starts with. */
#define CAP_SELF_GROUP 0 /* the process itself (cap_group) */
#define CAP_SELF_VMSPACE 1
#define CAP_SELF_MAIN_THREAD 2 /* a process's first thread (spawn) */
/*
 * init's alone: the initial RAM disk (a newc cpio) as one PMO of its
 * size rounded up to pages, rights READ|MAP|GRANT (never WRITE), made by
 * the kernel before init runs. init hands it to the file server.
 */
#define CAP_INIT_INITRD 3
/*
 * init's alone: the platform capability (SYS_poweroff with CONTROL,
 * SYS_kstat with READ), which init passes on to whom it chooses under
 * the initial-capability name "platform" (docs/process.md).
 */
#define CAP_INIT_PLATFORM 4

#define CAP_RIGHT_READ (1u << 0)
#define CAP_RIGHT_WRITE (1u << 1)
#define CAP_RIGHT_EXEC (1u << 2)
#define CAP_RIGHT_MAP (1u << 3)	    /* map a pmo into a vmspace */
#define CAP_RIGHT_GRANT (1u << 4)   /* copy or transfer the capability */
#define CAP_RIGHT_CONTROL (1u << 5) /* kill, wait, create threads, set prio */
#define CAP_RIGHT_CALL (1u << 6)    /* ipc call / register client */
#define CAP_RIGHT_ALL 0x7fu

/* Object types, as reported by SYS_cap_info. */
#define OBJ_TYPE_NONE 0
#define OBJ_TYPE_CAP_GROUP 1
#define OBJ_TYPE_THREAD 2
#define OBJ_TYPE_PMO 3
#define OBJ_TYPE_VMSPACE 4
#define OBJ_TYPE_SC 5
#define OBJ_TYPE_CONNECTION 6
#define OBJ_TYPE_NOTIFICATION 7 /* ipc/notification.h */
#define OBJ_TYPE_PLATFORM 8 /* the platform capability (CAP_INIT_PLATFORM) */
#define OBJ_TYPE_SHM                                                           \
	9 /* a System V shm segment (Linux ABI; no cap names one) */
#define OBJ_TYPE_NR 10

/*
 * SYS_cap_info's value is type | rights << 8 | these flags. DEAD: the
 * process behind the cap has begun to exit or has exited: a process
 * cap's own, a thread cap's process, a connection's peer (the server's
 * process seen from the client's cap, the client's from the server's).
 */
#define CAP_INFO_DEAD (1l << 16)
/*
 * For a PMO cap, its type (PMO_ANONYMOUS, PMO_DATA, PMO_PAGED) sits at
 * bits 20..23: a process handed a PMO can tell whether touching it may
 * fault (a PMO_PAGED page comes only from its creator's pager) before it
 * maps it (docs/services.md, shared buffers).
 */
#define CAP_INFO_PMO_SHIFT 20

/*
 * SYS_death_watch: how many watches one process may have set and not
 * yet seen fire or cancelled (-ENOSPC beyond).
 */
#define DEATH_WATCH_MAX 256

/* pmo_create types */
#define PMO_ANONYMOUS 0 /* frames allocated, zeroed, on first touch */
#define PMO_DATA 1	/* frames allocated and zeroed at creation */
/*
 * Pages only its pager supplies (SYS_pmo_write); the kernel never fills
 * one. A fault on an absent page is sent to the region's pager
 * (SYS_pmo_map_region, proto/pager.h); reading an absent page with
 * SYS_pmo_read gives zeros and supplies nothing.
 */
#define PMO_PAGED 2

/* pmo_map permissions (a subset of the cap's rights) */
#define VM_READ (1u << 0)
#define VM_WRITE (1u << 1)
#define VM_EXEC (1u << 2)

/* SYS_pmo_map_region's flags */
#define VM_MAP_COW (1u << 0) /* private: writes go to a copy (MAP_PRIVATE) */

/*
 * SYS_pmo_map_region's argument: maps [pmo_off, pmo_off + size) of the
 * PMO at addr (all in bytes, page-aligned). pager: a connection (CALL)
 * that serves the region's faults on absent pages of a PMO_PAGED, or
 * -1; key: any value the pager chooses, sent back in each of them.
 */
struct vm_map_args {
	cap_t pmo;
	uint32_t perm; /* VM_* */
	uint64_t pmo_off;
	uint64_t addr;
	uint64_t size;
	uint32_t flags; /* VM_MAP_* */
	cap_t pager;
	uint64_t key;
};

_Static_assert(sizeof(struct vm_map_args) == 48 &&
		       __builtin_offsetof(struct vm_map_args, pmo_off) == 8 &&
		       __builtin_offsetof(struct vm_map_args, flags) == 32 &&
		       __builtin_offsetof(struct vm_map_args, key) == 40,
	       "vm_map_args layout");

/* thread_create flags */
#define THREAD_PASSIVE (1u << 0) /* no scheduling context: only IPC runs it */

#define PRIO_MIN 0
#define PRIO_DEFAULT 16
#define PRIO_MAX 31

/*
 * Maximum controlled priorities (MCP, after seL4): no thread may set a
 * priority or an MCP above its own MCP (-EPERM). The scheme init keeps
 * (docs/architecture.md, "Scheduling"): init runs at PRIO_MAX, the shell
 * at PRIO_SHELL, and every program they start gets MCP PRIO_USER_MCP, so
 * a program that raises itself as high as it may and spins never
 * starves the shell or init.
 */
#define PRIO_SHELL 30
#define PRIO_USER_MCP 29

/* SYS_kstat ids: counters tests use to prove nothing leaked. */
#define KSTAT_FREE_FRAMES 0
#define KSTAT_TOTAL_FRAMES 1
#define KSTAT_LIVE_OBJECTS 2 /* all types */
#define KSTAT_KMALLOC_BYTES 3
#define KSTAT_TICKS 4
#define KSTAT_LIVE_BY_TYPE 16 /* + OBJ_TYPE_* */

/* The limit on one process's capability table. */
#define CAP_TABLE_MAX 1024

#endif
