/*
 * Forwarded Linux calls (forward.h): the console protocol's kernel side
 * (uapi/ferry/proto/console.h) and the console connection's life.
 *
 * The shm belongs to the connection's client too, so it may change
 * under us at any time: the kernel writes a request and then reads back
 * only the handler's return value, and copies out no more than it asked
 * for, from offsets it chose.
 */
#include <ipc/connection.h>
#include <ipc/kcall.h>
#include <object/cap_group.h>
#include <object/thread.h>
#include <sched/sched.h>
#include <syscall/linux/forward.h>
#include <syscall/native.h>
#include <uapi/ferry/errno.h>
#include <uapi/ferry/proto/console.h>

struct connection *fwd_console(void)
{
	return current->group->lx.console;
}

/* The request header for op with len bytes of data, at shm offset 0. */
static long put_req(struct connection *conn, u32 op, u64 len)
{
	struct console_req req = {
		.hdr = {.data_len = (u32)(sizeof(req) - sizeof(req.hdr) + len),
			.data_offset = sizeof(req.hdr)},
		.op = op,
		.pid = current->group->pid,
		.len = len,
	};

	return kcall_shm_write(conn, 0, &req, sizeof(req));
}

/* Copies [from, from + n) of the iovecs' bytes into the shm's data. */
static long gather(struct connection *conn, const struct iovec_user *iov,
		   u64 cnt, u64 from, u64 n)
{
	u64 pos = 0, got = 0;

	for (u64 i = 0; i < cnt && got < n; i++) {
		u64 len = iov[i].len, skip, take;

		if (pos + len <= from) {
			pos += len;
			continue;
		}
		skip = from > pos ? from - pos : 0;
		take = MIN(len - skip, n - got);
		if (kcall_shm_write_user(
			    conn, CONSOLE_DATA_OFF + got,
			    (const char __user *)iov[i].base + skip, take))
			return -EFAULT;
		got += take;
		pos += len;
	}
	return 0;
}

long fwd_write(const struct iovec_user *iov, u64 cnt, u64 total,
	       struct fwd_round *rd)
{
	struct connection *conn = fwd_console();
	u64 done, n;
	long res;

	rd->call = false;
	if (kcall_resume(&res, &done)) {
		u64 sent = MIN(total - MIN(done, total), (u64)CONSOLE_CHUNK);

		if (res < 0)
			return done ? (long)done : res;
		done += MIN((u64)res, sent);
		if ((u64)res < sent)
			return (long)done; /* the server took less: stop */
	}
	if (done >= total)
		return (long)done;
	n = MIN(total - done, (u64)CONSOLE_CHUNK);
	/* The whole chunk is in before any of it goes out (io.c). */
	if (gather(conn, iov, cnt, done, n) || put_req(conn, CONSOLE_WRITE, n))
		return done ? (long)done : -EFAULT;
	rd->call = true;
	rd->progress = done;
	return 0;
}

long fwd_read(void __user *buf, u64 len, struct fwd_round *rd)
{
	struct connection *conn = fwd_console();
	u64 room = MIN(len, conn->shm_size - CONSOLE_DATA_OFF), unused;
	long res;

	rd->call = false;
	if (kcall_resume(&res, &unused)) {
		if (res <= 0)
			return res;
		res = (long)MIN((u64)res, room);
		if (kcall_shm_read_user(conn, CONSOLE_DATA_OFF, buf, (u64)res))
			return -EFAULT;
		return res;
	}
	if (put_req(conn, CONSOLE_READ, room))
		return -EIO;
	rd->call = true;
	rd->progress = 0;
	return 0;
}

long fwd_winsz(struct fwd_round *rd)
{
	struct connection *conn = fwd_console();
	u64 unused;
	long res;

	rd->call = false;
	if (kcall_resume(&res, &unused))
		return res;
	if (put_req(conn, CONSOLE_WINSZ, 0))
		return -EIO;
	rd->call = true;
	rd->progress = 0;
	return 0;
}

long fwd_call(const struct fwd_round *rd)
{
	long ret = kcall_call(fwd_console(), rd->progress);

	if (rd->progress)
		return (long)rd->progress;
	return ret == -EINTR ? -EINTR : -EIO;
}

void fwd_proc_exit(struct linux_proc *lp)
{
	struct connection *conn = lp->console;

	lp->console = NULL;
	if (conn)
		obj_put(conn);
}

void fwd_proc_inherit(struct linux_proc *child, const struct linux_proc *parent)
{
	if (parent && parent->console) {
		obj_get(parent->console);
		child->console = parent->console;
	}
}

/*
 * Sets the calling process's console connection, which fds 0-2 of its
 * Linux calls then reach, and which processes it creates later inherit:
 * conn_cap needs CALL and a connection whose shm has at least
 * CONSOLE_SHM_MIN bytes; -1 goes back to the kernel's serial console.
 * Affects only the caller and its future children, so it needs no
 * privilege. 0, -ECAPBILITY, -EINVAL (shm too small, or the connection
 * not valid).
 */
long sys_console_set(u64 conn_cap)
{
	struct linux_proc *lp = &current->group->lx;
	struct connection *conn = NULL;
	long ret;

	if (conn_cap != (u64)-1) {
		ret = cap_get(current->group, cap_arg(conn_cap),
			      OBJ_TYPE_CONNECTION, CAP_RIGHT_CALL,
			      (void **)&conn);
		if (ret)
			return ret;
		if (conn->state != CONN_VALID ||
		    conn->shm_size < CONSOLE_SHM_MIN) {
			obj_put(conn);
			return -EINVAL;
		}
	}
	fwd_proc_exit(lp);
	lp->console = conn; /* cap_get's reference moves here */
	return 0;
}
