/*
 * A console server for tests/console_fwd (uapi/ferry/proto/console.h):
 * it keeps what is written instead of printing it, answers reads with
 * "line\n" and TIOCGWINSZ with 30 rows of 100 columns. The test's own
 * connection asks, with the ops below, what it saw and how to behave.
 */
#include <string.h>

#include <ferry/ipc.h>
#include <uapi/ferry/proto/console.h>

#include "../con_proto.h"

static long total, chunks, take_max = -1, die_next, last_pid, slow;
static char seen[CON_SEEN];

static long handler(struct ipc_msg *m, uint64_t badge)
{
	struct console_req *q = (struct console_req *)m;
	char *data = (char *)m + CONSOLE_DATA_OFF;
	uint64_t room = CONSOLE_SHM_MIN - CONSOLE_DATA_OFF;
	long n;

	(void)badge;
	if (!m)
		return -EINVAL;
	switch (q->op) {
	case CONSOLE_WRITE:
		if (die_next)
			fy_proc_exit(3); /* dies in the middle of the call */
		if (q->len > room)
			return -EINVAL;
		for (long t0 = fy_kstat(KSTAT_TICKS);
		     fy_kstat(KSTAT_TICKS) - t0 < slow;)
			; /* preemptible: other writers run meanwhile */
		n = take_max >= 0 && (long)q->len > take_max ? take_max
							     : (long)q->len;
		if (total < CON_SEEN)
			memcpy(seen + total, data,
			       (size_t)(n < CON_SEEN - total
						? n
						: CON_SEEN - total));
		total += n;
		chunks++;
		last_pid = q->pid;
		return n;
	case CONSOLE_READ:
		n = q->len < 5 ? (long)q->len : 5;
		memcpy(data, "line\n", (size_t)n);
		return n;
	case CONSOLE_WINSZ:
		return 30 << 16 | 100;
	case CON_OP_TOTAL:
		return total;
	case CON_OP_CHUNKS:
		return chunks;
	case CON_OP_PID:
		return last_pid;
	case CON_OP_SEEN:
		if (q->len > room || q->pid > CON_SEEN ||
		    q->len > CON_SEEN - q->pid)
			return -EINVAL;
		memcpy(data, seen + q->pid, q->len);
		return 0;
	case CON_OP_TAKE_MAX:
		take_max = (long)q->len;
		return 0;
	case CON_OP_DIE_NEXT:
		die_next = 1;
		return 0;
	case CON_OP_SLOW:
		slow = (long)q->len;
		return 0;
	case CON_OP_RESET:
		total = chunks = slow = 0;
		take_max = -1;
		memset(seen, 0, sizeof(seen));
		return 0;
	}
	return -EINVAL;
}

int main(void)
{
	if (ipc_serve(handler, NULL) < 0)
		return 1;
	fy_thread_exit();
}
