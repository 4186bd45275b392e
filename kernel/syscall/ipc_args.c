/* Copying IPC arguments in once (ipc_args.h). */
#include <mm/uaccess.h>
#include <syscall/ipc_args.h>
#include <uapi/ferry/errno.h>

long ipc_copy_msg(u64 msg, u64 shm, u64 size, struct ipc_msg *hdr)
{
	if (msg < shm || !ipc_msg_fits(msg - shm, size))
		return -EINVAL;
	if (copy_from_user(hdr, (void __user *)msg, sizeof(*hdr)))
		return -EFAULT;
	return ipc_msg_hdr_ok(msg - shm, size, hdr) ? 0 : -EINVAL;
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
