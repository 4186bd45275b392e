/*
 * Linux calls on fds 0-2 forwarded to a console server by kernel-made
 * calls (docs/ipc.md, "Kernel-made calls"): this process points its
 * console at helpers/con_srv for a few raw syscalls at a time (its TAP
 * lines go to the serial console in between), and checks what the
 * server saw. The chunking and -EFAULT rules are Linux's tty rules, as
 * linux_abi_io checks them on the kernel's own console; a server that
 * dies gives -EIO at once, during a call or before one.
 */
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include <ferry/ipc.h>
#include <uapi/ferry/proto/console.h>

#include "con_proto.h"
#include "tap.h"
#include "util.h"

static struct ipc_conn con, ask; /* the console, our questions */
static cap_t srv_proc = -1, srv_thread = -1;

static long sys3(long nr, long a, long b, long c)
{
	return fy_syscall3(nr, a, b, c);
}

/* One question to the server; data (len bytes) comes back into out. */
static long query_at(uint32_t op, uint64_t len, void *out, uint32_t off)
{
	struct ipc_msg *m = ipc_msg_init(&ask, 16 + 4064, 0);
	struct console_req *q = (struct console_req *)m;
	long r;

	q->op = op;
	q->len = len;
	q->pid = off;
	r = ipc_call(&ask, m, 0);
	if (out && r >= 0)
		memcpy(out, (char *)m + CONSOLE_DATA_OFF, len);
	return r;
}

static long query(uint32_t op, uint64_t len, void *out)
{
	return query_at(op, len, out, 0);
}

static int start_server(void)
{
	const char *argv[] = {"helpers/con_srv", NULL};
	long p = fy_spawn(argv[0], argv, NULL), t;

	if (p < 0)
		return 0;
	srv_proc = (cap_t)p;
	t = fy_cap_fetch(srv_proc, CAP_SELF_MAIN_THREAD, CAP_RIGHT_CALL);
	if (t < 0)
		return 0;
	srv_thread = (cap_t)t;
	return ipc_connect(srv_thread, CONSOLE_SHM_MIN, &con) == 0 &&
	       ipc_connect(srv_thread, CONSOLE_SHM_MIN, &ask) == 0;
}

static void stop_server(void)
{
	fy_proc_kill(srv_proc);
	fy_proc_wait(srv_proc);
	ipc_close(&con);
	ipc_close(&ask);
	fy_cap_delete(srv_thread);
	fy_cap_delete(srv_proc);
}

static void test_set(void)
{
	tap_eq(fy_console_set(9999, 0), -ECAPBILITY, "console_set(9999)");
	tap_eq(fy_console_set(CAP_SELF_GROUP, 0), -ECAPBILITY,
	       "console_set(a process cap)");
	tap_eq(fy_console_set(ask.shm_cap, 0), -ECAPBILITY,
	       "console_set(a PMO cap)");
	tap_eq(fy_console_set(-1, 0), 0,
	       "console_set(-1): the system's console");
	tap_eq(fy_console_set(con.cap, 2), -EINVAL,
	       "console_set, unknown flags");
	tap_eq(fy_console_set(con.cap, CONSOLE_SET_SYSTEM), -EPERM,
	       "the system's console needs MCP %d", PRIO_MAX);
	/* init runs the console server: it takes the foreground ioctl. */
	tap_eq(sys3(SYS_ioctl, 0, CONSOLE_IOCTL_SETFG, -1), 0,
	       "the system's console is a server (CONSOLE_IOCTL_SETFG)");
	tap_eq(sys3(SYS_ioctl, 0, CONSOLE_IOCTL_SETFG, 9999), -EINVAL,
	       "CONSOLE_IOCTL_SETFG with a bad cap");
}

static void test_write(void)
{
	static char big[5000];
	char seen[64] = {0};
	long r1, r2, r3, r4, r5, r6;

	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (char)('a' + i % 26);
	fy_console_set(con.cap, 0);
	r1 = sys3(SYS_write, 1, (long)"hello", 5);
	r2 = sys3(SYS_write, 2, (long)"", 0);
	r3 = sys3(SYS_write, 1, (long)KERNEL_PTR, 5);
	r4 = sys3(SYS_write, 1, (long)unmapped_ptr(), 5);
	r5 = sys3(SYS_write, 7, (long)"x", 1);
	r6 = sys3(SYS_write, 0, (long)big, sizeof(big));
	fy_console_set(-1, 0);
	tap_eq(r1, 5, "write(1, \"hello\", 5) through the server");
	tap_eq(r2, 0, "write of 0 bytes is 0");
	tap_eq(r3, -EFAULT, "write from a kernel address is -EFAULT");
	tap_eq(r4, -EFAULT, "write from an unmapped address is -EFAULT");
	tap_eq(r5, -EBADF, "write to fd 7 is -EBADF");
	tap_eq(r6, (long)sizeof(big), "a 5000-byte write on fd 0");
	tap_eq(query(CON_OP_TOTAL, 0, NULL), 5 + 5000,
	       "the server got 5005 bytes");
	tap_eq(query(CON_OP_CHUNKS, 0, NULL), 1 + 3,
	       "in 4 requests: 5, then 2048 + 2048 + 904 (the tty's chunks)");
	tap_eq(query(CON_OP_PID, 0, NULL), getpid(), "with our pid");
	query(CON_OP_SEEN, 64, seen);
	tap_ok(memcmp(seen, "hello", 5) == 0 && memcmp(seen + 5, big, 59) == 0,
	       "the bytes are ours, in order");
	query(CON_OP_RESET, 0, NULL);
}

static void test_writev_and_faults(void)
{
	struct iovec v[3] = {{"ab", 2}, {"", 0}, {"cde", 3}};
	char *p = mmap(NULL, 8192, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	long r1, r2, r3, r4;

	memset(p, 'z', 8192);
	munmap(p + 4096, 4096);
	fy_console_set(con.cap, 0);
	r1 = sys3(SYS_writev, 1, (long)v, 3);
	/* 2048 readable, then a chunk that faults at byte 2048 + 2048. */
	r2 = sys3(SYS_write, 1, (long)(p + 2048), 4096);
	/* The first chunk faults: nothing is written. */
	r3 = sys3(SYS_write, 1, (long)(p + 4000), 200);
	query(CON_OP_TAKE_MAX, 3, NULL);
	r4 = sys3(SYS_write, 1, (long)"0123456789", 10);
	fy_console_set(-1, 0);
	munmap(p, 4096);
	tap_eq(r1, 5, "writev of 2 + 0 + 3 bytes");
	tap_eq(r2, 2048, "a fault in the second chunk: the first one counts");
	tap_eq(r3, -EFAULT, "a fault in the first chunk: -EFAULT");
	tap_eq(r4, 3, "a server that takes 3 bytes: write returns 3");
	tap_eq(query(CON_OP_TOTAL, 0, NULL), 5 + 2048 + 3,
	       "the server got exactly those");
	query(CON_OP_RESET, 0, NULL);
}

static void test_read_ioctl(void)
{
	char buf[16] = {0}, two[2];
	struct winsize ws = {0};
	struct iovec v[2] = {{two, 0}, {buf, 16}};
	long r1, r2, r3, r4, r5;

	fy_console_set(con.cap, 0);
	r1 = sys3(SYS_read, 0, (long)buf, sizeof(buf));
	r2 = sys3(SYS_read, 0, (long)two, 2);
	r3 = sys3(SYS_ioctl, 1, TIOCGWINSZ, (long)&ws);
	r4 = sys3(SYS_ioctl, 1, TIOCGWINSZ, (long)KERNEL_PTR);
	r5 = sys3(SYS_readv, 0, (long)v, 2);
	fy_console_set(-1, 0);
	tap_eq(r1, 5, "read(0) gets the server's line");
	tap_ok(memcmp(buf, "line\n", 5) == 0, "its bytes");
	tap_eq(r2, 2, "a read of 2 gets 2");
	tap_ok(memcmp(two, "li", 2) == 0, "the line's start");
	tap_eq(r3, 0, "ioctl(TIOCGWINSZ)");
	tap_ok(ws.ws_row == 30 && ws.ws_col == 100, "the server's size (%ux%u)",
	       ws.ws_row, ws.ws_col);
	tap_eq(r4, -EFAULT, "ioctl(TIOCGWINSZ) to a kernel address");
	tap_eq(r5, 5, "readv fills the first non-empty iovec");
}

static char pat_a[5000], pat_b[5000];
static volatile long b_result = 1, b_started;
static _Alignas(16) char b_stack[16384];

static void writer_b(void *arg)
{
	(void)arg;
	b_started = 1;
	b_result = sys3(SYS_write, 1, (long)pat_b, sizeof(pat_b));
	fy_thread_exit();
}

static int uniform(const char *p, size_t n)
{
	for (size_t i = 1; i < n; i++)
		if (p[i] != p[0])
			return 0;
	return 1;
}

/*
 * Two threads write 5000 bytes each at once, through a server slow
 * enough that the other thread runs in the middle: each write's three
 * chunks arrive together (the connection is the writer's until its
 * write is done), never interleaved with the other's.
 */
static void test_two_writers(void)
{
	static char seen[8192];
	long a, t;
	char first;

	memset(pat_a, 'A', sizeof(pat_a));
	memset(pat_b, 'B', sizeof(pat_b));
	query(CON_OP_SLOW, 2, NULL);
	fy_console_set(con.cap, 0);
	t = fy_thread_create(CAP_SELF_GROUP, writer_b,
			     b_stack + sizeof(b_stack), NULL, 0);
	while (t >= 0 && !b_started)
		fy_yield();
	a = sys3(SYS_write, 1, (long)pat_a, sizeof(pat_a));
	while (t >= 0 && b_result == 1)
		fy_yield();
	fy_console_set(-1, 0);
	query(CON_OP_SLOW, 0, NULL);
	tap_ok(t >= 0, "a second writer thread");
	tap_eq(a, 5000, "thread A's write");
	tap_eq(b_result, 5000, "thread B's write, at the same time");
	tap_eq(query(CON_OP_CHUNKS, 0, NULL), 6, "6 chunks in all");
	for (uint32_t off = 0; off < sizeof(seen); off += 4000) {
		uint32_t n =
			sizeof(seen) - off < 4000 ? sizeof(seen) - off : 4000;

		query_at(CON_OP_SEEN, n, seen + off, off);
	}
	first = seen[0];
	tap_ok((first == 'A' || first == 'B') && uniform(seen, 5000),
	       "the first write's 5000 bytes come together (%c)", first);
	tap_ok(seen[5000] == (first == 'A' ? 'B' : 'A') &&
		       uniform(seen + 5000, sizeof(seen) - 5000),
	       "then the other's");
	if (t >= 0)
		fy_cap_delete((cap_t)t);
	query(CON_OP_RESET, 0, NULL);
}

/* The server dies inside a write, then stays dead: -EIO at once. */
static void test_death(void)
{
	long r1, r2, r3, r4, r5;
	struct winsize ws;
	char b[4];

	query(CON_OP_DIE_NEXT, 0, NULL);
	fy_console_set(con.cap, 0);
	r1 = sys3(SYS_write, 1, (long)"bye", 3);
	r2 = sys3(SYS_write, 1, (long)"bye", 3);
	r3 = sys3(SYS_read, 0, (long)b, 4);
	r4 = sys3(SYS_ioctl, 1, TIOCGWINSZ, (long)&ws);
	r5 = sys3(SYS_write, 1, (long)"", 0);
	fy_console_set(-1, 0);
	tap_eq(r1, -EIO, "the server dies during the write: -EIO");
	tap_eq(r2, -EIO, "the next write: -EIO");
	tap_eq(r3, -EIO, "a read: -EIO");
	tap_eq(r4, -EIO, "ioctl(TIOCGWINSZ): -EIO");
	tap_eq(r5, 0, "a write of nothing asks nobody");
	tap_eq(fy_proc_wait(srv_proc), PROC_STATUS_EXITED(3),
	       "the server is gone");
}

/* The console server's own calls, from a process that is not it. */
static void test_raw_calls(void)
{
	char *unmapped = mmap(0, 4096, PROT_READ | PROT_WRITE,
			      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char c;

	munmap(unmapped, 4096);
	tap_eq(fy_console_output((void *)0xffff800000000000ul, 8), -EFAULT,
	       "console_output from a kernel address");
	tap_eq(fy_console_output(unmapped, 8), -EFAULT,
	       "console_output from an unmapped page");
	tap_eq(fy_console_output("", 0), 0, "console_output of 0 bytes");
	tap_eq(fy_console_input((void *)0xffff800000000000ul, 1), -EFAULT,
	       "console_input into a kernel address");
	tap_eq(fy_console_input(&c, 1), -EBUSY,
	       "console_input: the console server holds the input");
}

int main(void)
{
	if (!tap_ok(start_server(), "start helpers/con_srv and connect twice"))
		return tap_done();
	test_set();
	test_raw_calls();
	test_write();
	test_writev_and_faults();
	test_read_ioctl();
	test_two_writers();
	test_death();
	stop_server();
	return tap_done();
}
