/*
 * The pager protocol: what the kernel sends a region's pager when a
 * thread touches an absent page of a PMO_PAGED mapped with
 * SYS_pmo_map_region (kernel/mm/pager.c, a kernel-made call on the
 * faulting thread's own scheduling context: docs/memory.md).
 *
 * The kernel writes one struct pager_req at offset 0 of the connection's
 * shm and calls the handler. The handler supplies the page (SYS_pmo_write
 * of the whole page at `offset` into the PMO, which it holds with WRITE)
 * and returns 0: the thread then executes the faulting instruction
 * again. Any other answer is a refusal. A refusal, a return of 0 without
 * the page, the pager's death during the call, a dead connection or a
 * region without a pager kill the faulting process with
 * PROC_SIG_BUS (Linux's SIGBUS for a file mapping it cannot read) and a
 * console report naming the process, the address and the reason.
 */
#ifndef FERRY_UAPI_PROTO_PAGER_H
#define FERRY_UAPI_PROTO_PAGER_H

#include <uapi/ferry/ipc.h>

#define PAGER_ACCESS_WRITE (1u << 0)
#define PAGER_ACCESS_EXEC (1u << 1)

struct pager_req {
	struct ipc_msg hdr; /* data_offset 16, data_len 40 */
	uint64_t key;	    /* the region's, from SYS_pmo_map_region */
	uint64_t offset;    /* bytes into the PMO, page-aligned */
	uint64_t addr;	    /* the faulting address (not aligned) */
	uint32_t access;    /* PAGER_ACCESS_* */
	uint32_t pid;	    /* the faulting process */
	uint64_t tid;	    /* the faulting thread */
};

/* The least shm a pager connection needs. */
#define PAGER_SHM_MIN 4096u

_Static_assert(sizeof(struct pager_req) == 56, "pager_req is 56 bytes");

#endif
