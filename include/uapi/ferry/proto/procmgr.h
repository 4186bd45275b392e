/*
 * The process manager's protocol (user/servers/procmgr; docs/process.md).
 * A client connects to procmgr's server thread (its initial capability
 * "procmgr"; init holds procmgr's process and fetches its main thread)
 * with a shm of at least PROCMGR_SHM_MIN bytes and calls it with one
 * request at offset 0 of the shm, as any libferry client does
 * (struct ipc_msg header, then the data, then the capability slots).
 *
 * PROCMGR_SPAWN  data: struct procmgr_spawn_req, then the string area:
 *                the path, argc argv strings, envc envp strings and ncaps
 *                capability names, each NUL-terminated, back to back
 *                (strings_len bytes in all). The message's first ncaps
 *                capability slots hold the capabilities (each with GRANT)
 *                that the child finds under those names in its
 *                initial-capability table. Returns the child's pid (> 0)
 *                with one capability in the message's slot 0: the
 *                process (cap_group, every right: wait, kill, fetch from
 *                it); or a negative errno:
 *                  ENOENT        no such file (or an empty path)
 *                  ENAMETOOLONG  path of PATH_MAX_FERRY bytes or more, or
 *                                a capability name of INITCAP_NAME_MAX
 *                                bytes or more
 *                  E2BIG         more than SPAWN_MAX_ARGS argv + envp
 *                                strings or SPAWN_MAX_STRINGS bytes of
 *                                them, more than PROCMGR_MAX_CAPS caps
 *                  EINVAL        a malformed request (lengths that do not
 *                                add up, no argv, a name given twice or
 *                                reserved, unknown flags, prio > mcp)
 *                  EPERM         prio or mcp above PRIO_USER_MCP (above
 *                                PRIO_MAX for PROCMGR_SPAWN_PRIVILEGED)
 *                  ENOEXEC       not an ELF procmgr can run (fy_elf_parse)
 *                  ENOMEM        out of memory, the budget asked above
 *                                procmgr's limit, or no room for a child
 *                  EIO           the file server failed or died, or the
 *                                file changed under us
 *                  EAGAIN        no process id free
 * PROCMGR_LIST   data: struct procmgr_list_req. Writes up to `max`
 *                struct procmgr_proc_info at PROCMGR_LIST_OFF of the shm
 *                (no more than fit) and returns how many live processes
 *                procmgr made, which may be more than it wrote.
 *
 * PROCMGR_INIT   init's first call, with one capability: the file server's
 *                main thread (CALL|GRANT), which procmgr opens programs
 *                through and names "fs" in every child; and optionally a
 *                second, the name server's thread: "nameserver" in every
 *                child (a later PROCMGR_INIT keeps the first one's). The
 *                connection it came on is init's from then on: the only
 *                one whose spawns may ask for PROCMGR_SPAWN_PRIVILEGED.
 *                Again on that connection: a restarted file server
 *                replaces the old one. 0; -EPERM from any other
 *                connection once done;
 *                -EINVAL without the capability.
 *
 * The child: slots 0 (itself), 1 (its vmspace), 2 (its main thread),
 * then its initial capabilities, named "fs" (the file server), "procmgr"
 * (this server, so it can spawn), "nameserver" (if init gave one) and the
 * caller's, reached by name with
 * libferry's fy_initial_cap(). Its program is paged in from the file by
 * procmgr's pager (include/uapi/ferry/proto/pager.h).
 */
#ifndef FERRY_UAPI_PROTO_PROCMGR_H
#define FERRY_UAPI_PROTO_PROCMGR_H

#include <stdint.h>

#include <uapi/ferry/ipc.h>

#define PROCMGR_SPAWN 1
#define PROCMGR_LIST 2
#define PROCMGR_INIT 3

/* The shm a client needs: a request with its strings and caps. */
#define PROCMGR_SHM_MIN 16384u

/* Capabilities a caller may pass, and the length of their names. */
#define PROCMGR_MAX_CAPS 12
#define PROCMGR_NAME_MAX 32 /* a process name, with the NUL */
/* A capability's name: INITCAP_NAME_MAX (uapi/ferry/initcaps.h), 24. */

/* Spawn flags. */
/*
 * Only for init's connection: priorities up to PRIO_MAX (the shell,
 * the console server). Others asking get -EPERM.
 */
#define PROCMGR_SPAWN_PRIVILEGED (1u << 0)
#define PROCMGR_SPAWN_FLAGS PROCMGR_SPAWN_PRIVILEGED

/* Default memory budget of a child, in pages (64 MiB). */
#define PROCMGR_BUDGET_DEFAULT (64ul * 1024 * 1024 / 4096)

struct procmgr_spawn_req {
	uint32_t op;	/* PROCMGR_SPAWN */
	uint32_t flags; /* PROCMGR_SPAWN_* */
	int32_t prio;	/* 0..PRIO_USER_MCP, or SPAWN_SCHED_DEFAULT (-1) */
	int32_t mcp;	/* 0..PRIO_USER_MCP, or SPAWN_SCHED_DEFAULT (-1) */
	uint64_t budget_pages; /* 0: PROCMGR_BUDGET_DEFAULT */
	uint32_t argc;
	uint32_t envc;
	uint32_t ncaps;	      /* caps in the message's slots 0.. */
	uint32_t strings_len; /* bytes of the string area that follows */
};

_Static_assert(sizeof(struct procmgr_spawn_req) == 40,
	       "procmgr_spawn_req is 40 bytes");

struct procmgr_list_req {
	uint32_t op; /* PROCMGR_LIST */
	uint32_t max;
};

#define PROCMGR_STATE_RUNNING 1
#define PROCMGR_STATE_EXITED 2 /* ended, procmgr still reaping it */

struct procmgr_proc_info {
	int32_t pid;
	uint32_t state;	       /* PROCMGR_STATE_* */
	uint64_t mem_pages;    /* pages it uses now (SYS_proc_info) */
	uint64_t budget_pages; /* its budget */
	char name[PROCMGR_NAME_MAX];
};

_Static_assert(sizeof(struct procmgr_proc_info) == 56,
	       "procmgr_proc_info is 56 bytes");

/* Where LIST's answer starts in the shm (after the request). */
#define PROCMGR_LIST_OFF 64u

#endif
