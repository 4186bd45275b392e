/*
 * The console protocol: what the kernel sends a process's console server
 * when a Linux read, write, writev or ioctl on fds 0-2 is forwarded
 * (kernel/syscall/linux/forward.c, a kernel-made call: docs/ipc.md).
 *
 * The kernel writes one struct console_req at offset 0 of the
 * connection's shm, the data after it, and calls the handler, which
 * receives the request at its own address of the shm. The handler
 * returns, per op:
 *   CONSOLE_WRITE  bytes taken, 0..len (the data: len bytes at
 *                  CONSOLE_DATA_OFF), or a negative errno;
 *   CONSOLE_READ   bytes placed at CONSOLE_DATA_OFF, 0..len (0: end of
 *                  file), or a negative errno;
 *   CONSOLE_WINSZ  rows << 16 | columns, or a negative errno;
 *   CONSOLE_SETFG  0; `len` is a slot in the server's table holding a
 *                  process cap (CONTROL) the kernel copied there from the
 *                  caller's ioctl(fd, CONSOLE_IOCTL_SETFG, cap): the
 *                  foreground process, which Ctrl-C kills; or -1: none.
 * A CONSOLE_READ with no line ready answers -EAGAIN: the kernel then
 * waits until the server calls SYS_console_wake (a line or an end of
 * file is ready) and asks again.
 * The kernel trusts none of it beyond those bounds.
 */
#ifndef FERRY_UAPI_PROTO_CONSOLE_H
#define FERRY_UAPI_PROTO_CONSOLE_H

#include <uapi/ferry/ipc.h>

#define CONSOLE_WRITE 1
#define CONSOLE_READ 2
#define CONSOLE_WINSZ 3
#define CONSOLE_SETFG 4

/* ioctl on fds 0-2 (Ferry's own request number): the foreground process. */
#define CONSOLE_IOCTL_SETFG 0x46e0
/* SYS_console_set's flags: the system's default console (MCP PRIO_MAX). */
#define CONSOLE_SET_SYSTEM 1

struct console_req {
	struct ipc_msg hdr; /* data_offset 16, data_len 16 + len */
	uint32_t op;
	uint32_t pid; /* the calling process, set by the kernel */
	uint64_t len; /* write: bytes of data; read: room for them */
};

#define CONSOLE_DATA_OFF 32u /* data, from the shm start */
/* A write is forwarded in chunks of this many bytes, as Linux's tty. */
#define CONSOLE_CHUNK 2048u
/* The least shm a console connection needs: a request and a chunk. */
#define CONSOLE_SHM_MIN 4096u

_Static_assert(sizeof(struct console_req) == CONSOLE_DATA_OFF,
	       "console_req is 32 bytes");

#endif
