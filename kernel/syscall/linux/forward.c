/*
 * Forwarded Linux calls (forward.h): the console protocol's kernel side
 * (uapi/ferry/proto/console.h) and the console connection's life.
 *
 * The shm belongs to the connection's client too, so it may change
 * under us at any time: the kernel writes a request and then reads back
 * only the handler's return value, and copies out no more than it asked
 * for, from offsets it chose.
 */
#include <arch/arch.h>
#include <ipc/connection.h>
#include <ipc/kcall.h>
#include <lib/console.h>
#include <mm/uaccess.h>
#include <object/cap_group.h>
#include <object/thread.h>
#include <sched/sched.h>
#include <syscall/linux/forward.h>
#include <syscall/native.h>
#include <uapi/ferry/errno.h>
#include <uapi/ferry/proto/console.h>

/*
 * The system's console (SYS_console_set with CONSOLE_SET_SYSTEM; holds a
 * reference): fds 0-2 of a process without a console of its own. Readers
 * that found no line wait on line_waiters until the server's
 * SYS_console_wake bumps line_gen.
 */
static struct connection *system_console;
static u64 line_gen;
static struct waitq line_waiters = {
	{&line_waiters.threads, &line_waiters.threads}};

struct connection *fwd_console(void)
{
	struct connection *own = current->group->lx.console;

	return own ? own : system_console;
}

/*
 * The request header for op with argument len, at shm offset 0; `data`
 * bytes follow it (written, or room for the answer).
 */
static long put_req(struct connection *conn, u32 op, u64 len, u64 data)
{
	struct console_req req = {
		.hdr = {.data_len = (u32)(sizeof(req) - sizeof(req.hdr) + data),
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

/* The syscall ends with ret: the connection is free for others. */
static long finish(long ret)
{
	kcall_release();
	return ret;
}

/*
 * The handler is busy: the syscall returns its own number (the frame is
 * rewound for the restart) after fwd_call() has waited (kcall_wait).
 */
static long wait_round(struct fwd_round *rd)
{
	rd->call = true;
	rd->wait = true;
	return (long)arch_syscall_nr(thread_regs(current));
}

/* What a forwarded call answers when the server cannot be asked. */
static long unreachable(long ret)
{
	return ret == -EINTR ? -EINTR : -EIO;
}

long fwd_write(const struct iovec_user *iov, u64 cnt, u64 total,
	       struct fwd_round *rd)
{
	struct connection *conn = fwd_console();
	u64 done, n;
	long res;

	rd->call = false;
	rd->wait = false;
	if (kcall_resume(&res, &done)) {
		u64 sent = MIN(total - MIN(done, total), (u64)CONSOLE_CHUNK);

		if (res < 0)
			return finish(done ? (long)done : res);
		done += MIN((u64)res, sent);
		if ((u64)res < sent)
			return finish((long)done); /* the server took less */
	}
	if (done >= total)
		return finish((long)done);
	res = kcall_prepare(conn);
	if (res == KCALL_WAIT)
		return wait_round(rd);
	if (res)
		return done ? (long)done : unreachable(res);
	n = MIN(total - done, (u64)CONSOLE_CHUNK);
	/* The whole chunk is in before any of it goes out (io.c). */
	if (gather(conn, iov, cnt, done, n) ||
	    put_req(conn, CONSOLE_WRITE, n, n))
		return finish(done ? (long)done : -EFAULT);
	rd->call = true;
	rd->progress = done;
	return 0;
}

long fwd_read(void __user *buf, u64 len, struct fwd_round *rd)
{
	struct connection *conn = fwd_console();
	u64 room, gen;
	long res;

	rd->call = false;
	rd->wait = false;
	if (kcall_resume(&res, &gen)) {
		if (res != -EAGAIN) {
			/* The answer is in the connection we reserved. */
			conn = current->ipc.kcall.conn;
			if (res <= 0 || !conn)
				return finish(res <= 0 ? res : -EIO);
			room = MIN(len, conn->shm_size - CONSOLE_DATA_OFF);
			res = (long)MIN((u64)res, room);
			if (kcall_shm_read_user(conn, CONSOLE_DATA_OFF, buf,
						(u64)res))
				return finish(-EFAULT);
			return finish(res);
		}
		/*
		 * No line yet: wait, holding nothing. `gen` is line_gen from
		 * before the call: a line completed since then has bumped
		 * it, so its wake-up cannot be missed.
		 */
		kcall_release();
		if (gen == line_gen) {
			long r = sched_block(&line_waiters);

			if (r < 0)
				return r;
		}
		conn = fwd_console(); /* it may have been replaced meanwhile */
		if (!conn)
			return -EIO;
	}
	res = kcall_prepare(conn);
	if (res == KCALL_WAIT)
		return wait_round(rd);
	if (res)
		return unreachable(res);
	room = MIN(len, conn->shm_size - CONSOLE_DATA_OFF);
	if (put_req(conn, CONSOLE_READ, room, room))
		return finish(-EIO);
	rd->call = true;
	rd->progress = line_gen; /* nothing blocks from here to the call */
	return 0;
}

long fwd_winsz(struct fwd_round *rd)
{
	struct connection *conn = fwd_console();
	u64 unused;
	long res;

	rd->call = false;
	rd->wait = false;
	if (kcall_resume(&res, &unused))
		return finish(res);
	res = kcall_prepare(conn);
	if (res == KCALL_WAIT)
		return wait_round(rd);
	if (res)
		return unreachable(res);
	if (put_req(conn, CONSOLE_WINSZ, 0, 0))
		return finish(-EIO);
	rd->call = true;
	rd->progress = 0;
	return 0;
}

long fwd_setfg(u64 proc_cap, struct fwd_round *rd)
{
	struct connection *conn = fwd_console();
	struct cap_group *srv, *g = NULL;
	u64 unused;
	long res, slot = -1;

	rd->call = false;
	rd->wait = false;
	if (kcall_resume(&res, &unused))
		return finish(res);
	if ((int)proc_cap != -1) {
		res = cap_get(current->group, cap_arg(proc_cap),
			      OBJ_TYPE_CAP_GROUP, CAP_RIGHT_CONTROL,
			      (void **)&g);
		if (res)
			return -EINVAL;
	}
	res = kcall_prepare(conn);
	if (res == KCALL_WAIT) {
		if (g)
			obj_put(g);
		return wait_round(rd);
	}
	if (res)
		goto out_put;
	/* Reserved and idle: nothing below blocks, so the call happens. */
	srv = conn->handler->group;
	if (g) {
		slot = cap_alloc(srv, g, CAP_RIGHT_CONTROL);
		if (slot < 0) {
			res = -EIO; /* the server's table is gone or full */
			goto out_release;
		}
	}
	if (put_req(conn, CONSOLE_SETFG, (u64)slot, 0)) {
		if (g)
			cap_remove_if(srv, (int)slot, g);
		res = -EIO;
		goto out_release;
	}
	if (g)
		obj_put(g); /* the server's slot holds its own reference */
	rd->call = true;
	rd->progress = 0;
	return 0;
out_release:
	kcall_release();
out_put:
	if (g)
		obj_put(g);
	return unreachable(res);
}

void fwd_call(const struct fwd_round *rd)
{
	if (rd->wait) {
		kcall_wait();
		return;
	}
	kcall_commit(rd->progress);
}

static void put_console(struct connection **slot, struct connection *conn)
{
	struct connection *old = *slot;

	*slot = conn;
	if (old)
		obj_put(old);
}

void fwd_proc_exit(struct cap_group *g)
{
	put_console(&g->lx.console, NULL);
	console_raw_release(g);
}

void fwd_proc_inherit(struct linux_proc *child, const struct linux_proc *parent)
{
	if (parent && parent->console) {
		obj_get(parent->console);
		child->console = parent->console;
	}
}

/*
 * Sets a console connection: fds 0-2 of this process's Linux calls, and
 * of the processes it creates from now on, reach the server behind
 * conn_cap (CALL, a valid connection whose shm has at least
 * CONSOLE_SHM_MIN bytes); -1 clears it. With CONSOLE_SET_SYSTEM it sets
 * the system's console instead, used by every process without one of
 * its own: only a thread whose MCP is PRIO_MAX (init) may. 0,
 * -ECAPBILITY, -EINVAL (shm too small, connection not valid, unknown
 * flags), -EPERM.
 */
long sys_console_set(u64 conn_cap, u64 flags)
{
	struct connection *conn = NULL;
	long ret;

	if (flags & ~(u64)CONSOLE_SET_SYSTEM)
		return -EINVAL;
	if ((flags & CONSOLE_SET_SYSTEM) && current->mcp < PRIO_MAX)
		return -EPERM;
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
	/* cap_get's reference moves into the slot. */
	put_console(flags & CONSOLE_SET_SYSTEM ? &system_console
					       : &current->group->lx.console,
		    conn);
	return 0;
}

/*
 * The console server's input: up to len raw bytes typed on the serial
 * console, blocking until one comes. The first caller claims the input
 * until its process exits. Bytes read, -EBUSY (another process holds
 * it), -EFAULT, -EINTR.
 */
long sys_console_input(void __user *buf, u64 len)
{
	if (!user_range_ok(buf, len))
		return -EFAULT;
	return console_raw_read_user(buf, len);
}

/*
 * Writes len bytes to the serial console as they are (the console
 * server's output; the kernel adds CR before LF). Returns len, or the
 * bytes written if killed part way; -EFAULT.
 */
long sys_console_output(const void __user *buf, u64 len)
{
	char tmp[128];
	size_t out;

	if (!user_range_ok(buf, len))
		return -EFAULT;
	for (u64 done = 0; done < len; done += out) {
		u64 n = MIN(len - done, (u64)sizeof(tmp));

		if (copy_from_user(tmp, (const char __user *)buf + done, n))
			return done ? (long)done : -EFAULT;
		if (console_write_preemptible(tmp, n, &out))
			return (long)(done + out);
	}
	return (long)len;
}

/*
 * The console server has a line (or an end of file) ready: readers that
 * found none ask again. Any process may call it; a needless wake-up
 * costs the readers one more request. Returns 0.
 */
long sys_console_wake(void)
{
	line_gen++;
	waitq_wake_all(&line_waiters, 0);
	return 0;
}
