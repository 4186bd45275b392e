/*
 * IPC arguments from user memory, copied once and checked (STYLE lesson
 * 4, as Zircon's channel syscalls do above the dispatcher): the IPC core
 * and the fast path work on these kernel copies only, so a message
 * another thread rewrites meanwhile cannot change what was checked.
 */
#ifndef KERNEL_SYSCALL_IPC_ARGS_H
#define KERNEL_SYSCALL_IPC_ARGS_H

#include <lib/types.h>
#include <uapi/ferry/cap.h>
#include <uapi/ferry/ipc.h>

/*
 * Copies the header of the message at user address msg into *hdr and
 * checks, on that copy, that the header, its data and its cap slots lie
 * in the shm [shm, shm + size). 0, -EINVAL (outside), -EFAULT.
 */
long ipc_copy_msg(u64 msg, u64 shm, u64 size, struct ipc_msg *hdr);
/*
 * ipc_copy_msg's checks, for a caller that copies the header itself (the
 * fast path): whether a header of 16 bytes fits at offset off of a shm
 * of size bytes, and whether the copy's data and cap slots do.
 */
static inline bool ipc_msg_fits(u64 off, u64 size)
{
	return off <= size && size - off >= sizeof(struct ipc_msg);
}

static inline bool ipc_msg_hdr_ok(u64 off, u64 size, const struct ipc_msg *hdr)
{
	u64 data = off + hdr->data_offset, caps = off + hdr->cap_offset;

	/* Offsets from the shm start; every sum stays far below 2^64. */
	return data <= size && hdr->data_len <= size - data && caps <= size &&
	       (u64)hdr->cap_slots * sizeof(cap_t) <= size - caps;
}
/*
 * Copies the first ncaps cap slots of the checked message (hdr, at user
 * address msg) into slots[]. 0, -EINVAL (more than IPC_MAX_CAPS or than
 * the message has slots), -EFAULT.
 */
long ipc_copy_slots(u64 msg, const struct ipc_msg *hdr, u64 ncaps,
		    cap_t *slots);

#endif
