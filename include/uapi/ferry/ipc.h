/*
 * Connection-based IPC: the message layout and limits shared by the
 * kernel and libferry. docs/ipc.md has the protocol.
 *
 * A message lives wholly inside its connection's shared memory: the
 * header, then (at offsets the sender chooses) the data and an array of
 * capability slots. The kernel never copies the data: it only checks that
 * every part lies inside the shm and moves capabilities.
 */
#ifndef FERRY_UAPI_IPC_H
#define FERRY_UAPI_IPC_H

#include <stdint.h>

struct ipc_msg {
	uint32_t data_len;
	uint32_t data_offset; /* from the start of this header */
	uint32_t cap_offset;  /* from the start of this header: cap_t[] */
	uint32_t cap_slots;   /* capacity of the cap_t array */
};

/* The fast path (kernel/ipc/fastpath.c) and libferry rely on this layout. */
_Static_assert(sizeof(struct ipc_msg) == 16, "ipc_msg is 16 bytes");
_Static_assert(__builtin_offsetof(struct ipc_msg, data_len) == 0 &&
		       __builtin_offsetof(struct ipc_msg, data_offset) == 4 &&
		       __builtin_offsetof(struct ipc_msg, cap_offset) == 8 &&
		       __builtin_offsetof(struct ipc_msg, cap_slots) == 12,
	       "ipc_msg field offsets");

/* What the client passes to register_client. */
struct ipc_shm_config {
	int32_t shm_cap; /* a PMO the client made: the connection's shm */
	uint32_t pad;
	uint64_t shm_addr; /* where the kernel maps it in the client */
};

_Static_assert(sizeof(struct ipc_shm_config) == 16 &&
		       __builtin_offsetof(struct ipc_shm_config, shm_addr) == 8,
	       "ipc_shm_config layout");

#define IPC_MAX_CAPS 16 /* per call or return */
/*
 * SYS_ipc_return's ncaps | this: the caps move to the caller, leaving
 * the handler's table (also when the caller has gone meanwhile).
 */
#define IPC_RETURN_MOVE (1u << 31)
/*
 * SYS_ipc_return's ncaps | this: the slots of the caps to return are read
 * from its third argument (cap_t[ncaps] in the handler's own memory),
 * not from the message: the shm is the client's to rewrite while the
 * handler runs, to name another of the server's slots, which the server
 * would then hand over (and lose, with IPC_RETURN_MOVE).
 */
#define IPC_RETURN_SLOTS (1u << 30)

/*
 * The handler_cap a register callback passes to ipc_register_cb_return
 * to refuse the client (a server at its limit of connections): the
 * client's register_client fails with -ECONNREFUSED, and the callback
 * serves the next registration as usual.
 */
#define IPC_REGISTER_REFUSE (-1)

#endif
