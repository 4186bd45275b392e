/*
 * Linux calls forwarded to a server by a kernel-made call (ipc/kcall.h).
 * Today: the console fds 0-2 of a process that has a console connection
 * (sys_console_set; a new process inherits its creator's). Without one
 * they are served in the kernel on the serial port (io.c).
 *
 * Each forwarded call runs in rounds: a round finishes what the last
 * kcall returned (kcall_resume), then either ends the syscall with a
 * result or leaves the next request in the shm and asks its caller to
 * make the call (struct fwd_round), once the caller has freed what it
 * holds: a kcall does not return, and the syscall restarts from its
 * beginning. A round that asks for the call has reserved the connection
 * (kcall_prepare) and must not block before fwd_call(); one that ends
 * the syscall has released it. One that found the handler busy
 * (rd->wait) returns the syscall's own number, and fwd_call() waits.
 */
#ifndef KERNEL_SYSCALL_LINUX_FORWARD_H
#define KERNEL_SYSCALL_LINUX_FORWARD_H

#include <lib/types.h>

struct connection;
struct linux_proc;

/* Linux's struct iovec, as user space lays it out. */
struct iovec_user {
	u64 base, len;
};
_Static_assert(sizeof(struct iovec_user) == 16, "Linux iovec is 16 bytes");

struct fwd_round {
	bool call;	/* a request waits in the shm: call fwd_call() */
	bool wait;	/* or fwd_call() waits for the busy handler */
	u64 progress;	/* kept across the restart (kcall_resume) */
	long partial;	/* the result if the call fails: bytes done, or 0 */
	int undo_slot;	/* a cap given to the server for the call, */
	void *undo_obj; /* taken back if it fails (undo_obj != NULL) */
};

/* The running process's console connection, or NULL (serve locally). */
struct connection *fwd_console(void);
/*
 * One round of a console write of the checked iovecs (`total` bytes in
 * all, access_ok done): returns the syscall's result (bytes written, or
 * -EFAULT if nothing was, or -EIO if the server died before any was), or
 * sets rd->call with the next chunk of up to CONSOLE_CHUNK bytes in the
 * shm. Chunks follow Linux's tty rules (io.c).
 */
long fwd_write(const struct iovec_user *iov, u64 cnt, u64 total,
	       struct fwd_round *rd);
/*
 * One round of a console read of up to len bytes into buf (checked,
 * writable, len > 0): the bytes read (0: end of file), -EFAULT, -EIO if
 * the server is gone, or rd->call with the request in the shm.
 */
long fwd_read(void __user *buf, u64 len, struct fwd_round *rd);
/*
 * One round of TIOCGWINSZ: the server's rows << 16 | columns (>= 0),
 * -EIO if the server is gone, or rd->call.
 */
long fwd_winsz(struct fwd_round *rd);
/*
 * One round of ioctl(fd, CONSOLE_IOCTL_SETFG, proc_cap): copies the
 * process cap (CONTROL needed, -EINVAL otherwise) into the server's
 * table, or passes -1 for none. 0, -EINVAL, -EIO, -EINTR, or rd->call.
 */
long fwd_setfg(u64 proc_cap, struct fwd_round *rd);
/*
 * Makes the call a round asked for: the connection is reserved and the
 * request is in its shm (kcall.h). Does not return: the syscall
 * restarts when the server answers. Or (rd->wait: the handler was busy,
 * and the round returned the syscall's own number) waits on the
 * handler's queue (kcall_wait): returns only if the thread was killed
 * or the frame was rewound for the syscall to be issued again; the
 * syscall then returns what the round returned.
 */
void fwd_call(const struct fwd_round *rd);
struct cap_group;
/* g is exiting: its console connection and its raw-input claim go. */
void fwd_proc_exit(struct cap_group *g);
/* A new process starts with its creator's console connection. */
void fwd_proc_inherit(struct linux_proc *child,
		      const struct linux_proc *parent);

#endif
