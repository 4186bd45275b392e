/*
 * console: the serial console's line discipline as a server
 * (docs/ipc.md, "Kernel-made calls"; protocol in proto/console.h).
 *
 * The kernel keeps only the UART: this server reads the raw bytes typed
 * (SYS_console_input, which blocks) and writes raw bytes
 * (SYS_console_output). Linux read/write/writev/ioctl on fds 0-2 of
 * every process reach its handler as kernel-made calls.
 *
 * Two threads share the state below, on one CPU but preemptible in user
 * mode at any point: the main thread, at PRIO_MAX, turns keystrokes into
 * lines (echo, backspace, Ctrl-D, Ctrl-C) and is the only writer of
 * `tail`, `line` and `eofs` increments; the passive handler, on the
 * caller's priority, is the only reader of the ring (`head`). A handler
 * with no line to give answers -EAGAIN, and the kernel holds the reader
 * until SYS_console_wake says a line or an end of file is ready.
 *
 * Ctrl-C kills the foreground process, which the shell names with
 * ioctl(0, CONSOLE_IOCTL_SETFG, proc): the kernel copies the process
 * cap into our table for the call. The main thread runs above every
 * program (their MCP is PRIO_USER_MCP), so Ctrl-C is served even while
 * a program spins at its highest priority.
 *
 * When another console server holds the keyboard (-EBUSY), this one
 * serves output only.
 */
#include <stdatomic.h>
#include <string.h>

#include <ferry/ipc.h>
#include <uapi/ferry/proto/console.h>

#define LINE_MAX_LEN 256
#define RING_SIZE 4096
#define ROWS 24
#define COLS 80

static char line[LINE_MAX_LEN]; /* being typed: the main thread's */
static size_t line_len;
static char ring[RING_SIZE]; /* completed lines */
static _Atomic size_t head, tail;
static atomic_int eofs;	   /* Ctrl-D on an empty line, not read yet */
static atomic_int fg = -1; /* our cap to the foreground process */

static void out(const char *s, size_t n)
{
	fy_console_output(s, n);
}

static void ring_put(char c)
{
	size_t t = atomic_load(&tail);

	if (t - atomic_load(&head) < RING_SIZE) {
		ring[t % RING_SIZE] = c;
		atomic_store(&tail, t + 1);
	}
}

/* One typed byte, as the kernel's discipline did before. */
static void input(char c)
{
	int p;

	if (c == '\r')
		c = '\n';
	if (c == 0x03) { /* Ctrl-C: the line goes, the foreground dies */
		line_len = 0;
		out("^C\n", 3);
		p = atomic_load(&fg);
		if (p >= 0)
			fy_proc_kill((cap_t)p);
		return;
	}
	if (c == 0x7f || c == '\b') {
		if (line_len) {
			line_len--;
			out("\b \b", 3);
		}
		return;
	}
	if (c == 0x04 && line_len == 0) { /* Ctrl-D on an empty line: EOF */
		atomic_fetch_add(&eofs, 1);
		fy_console_wake();
		return;
	}
	if (line_len < LINE_MAX_LEN - 1 || c == '\n') {
		line[line_len++] = c;
		out(&c, 1);
	}
	if (c == '\n') {
		for (size_t i = 0; i < line_len; i++)
			ring_put(line[i]);
		line_len = 0;
		fy_console_wake();
	}
}

/* Up to len bytes of the next line; 0 at an end of file; -EAGAIN. */
static long read_line(char *data, uint64_t len)
{
	size_t h = atomic_load(&head), n = 0;
	int e;

	if (h == atomic_load(&tail)) {
		e = atomic_load(&eofs);
		while (e > 0 && !atomic_compare_exchange_weak(&eofs, &e, e - 1))
			;
		return e > 0 ? 0 : -EAGAIN;
	}
	while (n < len && h != atomic_load(&tail)) {
		char c = ring[h % RING_SIZE];

		data[n++] = c;
		h++;
		if (c == '\n')
			break; /* one line per read, as a terminal does */
	}
	atomic_store(&head, h);
	return (long)n;
}

static long handler(struct ipc_msg *m, uint64_t badge)
{
	struct console_req *q = (struct console_req *)m;
	char *data = (char *)m + CONSOLE_DATA_OFF;
	const uint64_t room = CONSOLE_SHM_MIN - CONSOLE_DATA_OFF;
	int old;

	(void)badge;
	if (!m || m->data_len < sizeof(*q) - sizeof(q->hdr))
		return -EINVAL;
	switch (q->op) {
	case CONSOLE_WRITE:
		if (q->len > room)
			return -EINVAL;
		out(data, q->len);
		return (long)q->len;
	case CONSOLE_READ:
		return read_line(data, q->len < room ? q->len : room);
	case CONSOLE_WINSZ:
		return ROWS << 16 | COLS;
	case CONSOLE_SETFG:
		old = atomic_exchange(&fg, (int)(int64_t)q->len);
		if (old >= 0)
			fy_cap_delete((cap_t)old);
		return 0;
	}
	return -EINVAL;
}

int main(void)
{
	char buf[64];

	if (ipc_serve(handler, NULL) < 0)
		return 1;
	for (;;) {
		long n = fy_console_input(buf, sizeof(buf));

		if (n == -EBUSY)
			break; /* another server has the keyboard */
		for (long i = 0; i < n; i++)
			input(buf[i]);
	}
	/* The handler serves on; this thread is not needed. */
	fy_thread_exit();
}
