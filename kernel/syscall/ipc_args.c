/* Copying IPC arguments in once (ipc_args.h). */
#include <mm/uaccess.h>
#include <syscall/ipc_args.h>
#include <uapi/ferry/errno.h>

long ipc_copy_msg(u64 msg, u64 shm, u64 size, struct ipc_msg *hdr)
{
	u64 off, data, caps;

	/* Offsets from the shm start; every sum stays far below 2^64. */
	if (msg < shm || msg - shm > size || size - (msg - shm) < sizeof(*hdr))
		return -EINVAL;
	off = msg - shm;
	if (copy_from_user(hdr, (void __user *)msg, sizeof(*hdr)))
		return -EFAULT;
	data = off + hdr->data_offset;
	if (data > size || hdr->data_len > size - data)
		return -EINVAL;
	caps = off + hdr->cap_offset;
	if (caps > size || (u64)hdr->cap_slots * sizeof(cap_t) > size - caps)
		return -EINVAL;
	return 0;
}

long ipc_copy_slots(u64 msg, const struct ipc_msg *hdr, u64 ncaps, cap_t *slots)
{
	if (ncaps > IPC_MAX_CAPS || ncaps > hdr->cap_slots)
		return -EINVAL;
	if (copy_from_user(slots, (const void __user *)(msg + hdr->cap_offset),
			   ncaps * sizeof(cap_t)))
		return -EFAULT;
	return 0;
}
