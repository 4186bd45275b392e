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
 * Copies the first ncaps cap slots of the checked message (hdr, at user
 * address msg) into slots[]. 0, -EINVAL (more than IPC_MAX_CAPS or than
 * the message has slots), -EFAULT.
 */
long ipc_copy_slots(u64 msg, const struct ipc_msg *hdr, u64 ncaps,
		    cap_t *slots);

#endif
