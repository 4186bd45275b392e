/*
 * Console line discipline. Bytes typed so far sit in `line` until Enter;
 * then the line moves to the ring `ready`, from which readers take
 * bytes. Readers block on `readers` while `ready` is empty.
 *
 * Raw mode: once a console server claims the input
 * (console_raw_read_user), received bytes go unchanged to its ring
 * `raw` instead, and the line discipline is the server's
 * (user/servers/console). When the claiming process exits the claim
 * ends (console_raw_release) and the kernel's discipline takes over
 * again, so the keyboard is never lost.
 *
 * Owner: interrupts are off in the kernel, so the serial interrupt and
 * readers never run at once on one CPU; SMP adds console_lock.
 */
#include <arch/arch.h>
#include <lib/console.h>
#include <mm/uaccess.h>
#include <object/cap_group.h>
#include <object/thread.h>
#include <sched/sched.h>
#include <uapi/ferry/errno.h>

#define LINE_MAX_LEN 256
#define RING_SIZE 1024

static char line[LINE_MAX_LEN];
static size_t line_len;
static char ring[RING_SIZE];
static size_t ring_head, ring_tail; /* head: next to read */
static struct waitq readers = {{&readers.threads, &readers.threads}};

/* Raw mode: the claiming process (weak: cleared at its exit), its ring. */
static struct cap_group *raw_owner;
static char raw[RING_SIZE];
static size_t raw_head, raw_tail;
static struct waitq raw_readers = {
	{&raw_readers.threads, &raw_readers.threads}};

static void ring_put(char c)
{
	if (ring_tail - ring_head < RING_SIZE)
		ring[ring_tail++ % RING_SIZE] = c;
}

void console_input(char c)
{
	if (raw_owner) {
		if (raw_tail - raw_head < RING_SIZE)
			raw[raw_tail++ % RING_SIZE] = c;
		waitq_wake_all(&raw_readers, 0);
		return;
	}
	if (c == '\r')
		c = '\n';
	if (c == 0x7f || c == '\b') {
		if (line_len) {
			line_len--;
			console_write("\b \b", 3);
		}
		return;
	}
	if (c == 0x04 && line_len == 0) { /* ^D on an empty line: EOF */
		waitq_wake_all(&readers, 1);
		return;
	}
	if (line_len < LINE_MAX_LEN - 1 || c == '\n') {
		line[line_len++] = c;
		arch_console_putc(c);
	}
	if (c == '\n') {
		for (size_t i = 0; i < line_len; i++)
			ring_put(line[i]);
		line_len = 0;
		waitq_wake_all(&readers, 0);
	}
}

void console_write(const char *buf, size_t n)
{
	for (size_t i = 0; i < n; i++)
		arch_console_putc(buf[i]);
}

int console_write_preemptible(const char *buf, size_t n, size_t *done)
{
	for (*done = 0; *done < n;) {
		size_t piece = MIN(n - *done, (size_t)128);

		console_write(buf + *done, piece);
		*done += piece;
		if (*done < n && sched_preempt_point())
			return -EINTR;
	}
	return 0;
}

long console_read_user(char __user *ubuf, size_t n)
{
	char tmp[128];
	size_t got = 0;

	if (n == 0)
		return 0;
	while (ring_head == ring_tail) {
		long r = sched_block(&readers);

		if (r < 0)
			return r;
		if (r == 1 && ring_head == ring_tail)
			return 0; /* end of file */
	}
	while (got < n && ring_head != ring_tail) {
		size_t k = 0;
		bool eol = false;

		while (k < sizeof(tmp) && got + k < n &&
		       ring_head != ring_tail && !eol) {
			tmp[k] = ring[ring_head++ % RING_SIZE];
			eol = tmp[k++] == '\n';
		}
		if (copy_to_user(ubuf + got, tmp, k))
			return got ? (long)got : -EFAULT;
		got += k;
		if (eol)
			break; /* one line per read, as a terminal does */
	}
	return (long)got;
}

long console_raw_read_user(char __user *ubuf, size_t n)
{
	char tmp[128];
	size_t k = 0;

	if (raw_owner && raw_owner != current->group)
		return -EBUSY;
	raw_owner = current->group;
	if (n == 0)
		return 0;
	while (raw_head == raw_tail) {
		long r = sched_block(&raw_readers);

		if (r < 0)
			return r;
	}
	while (k < sizeof(tmp) && k < n && raw_head != raw_tail)
		tmp[k++] = raw[raw_head++ % RING_SIZE];
	if (copy_to_user(ubuf, tmp, k))
		return -EFAULT; /* the bytes are lost, as a bad read loses them
				 */
	return (long)k;
}

void console_raw_release(struct cap_group *g)
{
	if (raw_owner == g) {
		raw_owner = NULL;
		raw_head = raw_tail = 0;
	}
}
