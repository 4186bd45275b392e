/*
 * Call deadlines: ipc_call_timeout gives up with -ETIMEDOUT in about the
 * time asked, while the handler goes on; the connection stays busy until
 * it finishes (a call meanwhile waits, its own deadline counting the
 * wait), then works again. A call that returns
 * in time is not disturbed by its deadline afterwards.
 *
 * A tick is 10 ms; the kernel waits at least the time asked, rounded up
 * to a tick, plus one.
 */
#include <stdint.h>

#include "ipc_test.h"
#include "tap.h"

static struct srv s;
static struct ipc_conn c;

static void test_timeout(void)
{
	long spins0 = req(&c, OP_SPINS, 0), r;
	int64_t t0 = srv_ticks(), t1, dt;

	r = ipc_call_timeout(&c, req_init(&c, OP_SPIN, 50, 0), 0, 100000);
	dt = srv_ticks() - t0;
	tap_eq(r, -ETIMEDOUT, "a 100 ms deadline on a 500 ms call");
	/*
	 * The kernel allows 11 ticks; one more if a tick fell between our
	 * reading and the call. Later means the woken caller waited for
	 * the orphaned handler (on the caller's own context) to use up its
	 * time slice.
	 */
	tap_ok(dt >= 10 && dt <= 12,
	       "it gave up after 100-120 ms, not at the end of the handler's "
	       "time slice (%ld ticks)",
	       (long)dt);
	t1 = srv_ticks();
	tap_eq(fy_ipc_call(c.cap, NULL, 0, 50000), -ETIMEDOUT,
	       "the connection is busy while the handler goes on: a call "
	       "with a 50 ms deadline waits for it, and gives up");
	dt = srv_ticks() - t1;
	tap_ok(dt >= 5 && dt <= 7, "after 50-70 ms of waiting (%ld ticks)",
	       (long)dt);
	tap_eq(req(&c, OP_SPINS, 0), spins0 + 1,
	       "a call without a deadline waits until it is done, and works");
	dt = srv_ticks() - t0;
	tap_ok(dt >= 50, "after the handler's full 500 ms (%ld ticks)",
	       (long)dt);
	tap_eq(req(&c, OP_NOP, 0), SRV_NOP_RET, "and goes on working");
}

static void test_short(void)
{
	int64_t t0 = srv_ticks(), dt;
	long r;

	r = ipc_call_timeout(&c, req_init(&c, OP_SPIN, 20, 0), 0, 1);
	dt = srv_ticks() - t0;
	tap_eq(r, -ETIMEDOUT, "a 1 us deadline");
	tap_ok(dt >= 1 && dt <= 2, "gives up after a tick or two (%ld ticks)",
	       (long)dt);
	tap_eq(req(&c, OP_NOP, 0), SRV_NOP_RET, "then the connection works");
}

static void test_in_time(void)
{
	struct ipc_msg *m;
	unsigned char *p;
	long r;

	r = ipc_call_timeout(&c, req_init(&c, OP_NOP, 0, 0), 0, 50000);
	tap_eq(r, SRV_NOP_RET, "a call that returns in time gets its answer");
	r = ipc_call_timeout(&c, req_init(&c, OP_SPIN, 3, 0), 0, 200000);
	tap_eq(r, 3, "so does a 30 ms call with a 200 ms deadline");
	/* Its deadline passes now, with no call: nothing may happen. */
	spin_ticks(25);
	r = req(&c, OP_SPIN, 5);
	tap_eq(r, 5, "a later call without a deadline is not cut short");
	r = ipc_call_timeout(&c, req_init(&c, OP_NOP, 0, 0), 0, UINT64_MAX);
	tap_eq(r, SRV_NOP_RET, "the largest deadline is no deadline");
	m = req_init(&c, OP_XFORM, 0, 3);
	p = (unsigned char *)req_hdr(m) + SRV_PAYLOAD;
	p[0] = 1, p[1] = 2, p[2] = 3;
	r = ipc_call_timeout(&c, m, 0, 100000);
	tap_ok(r == 6 && p[0] == 2 && p[1] == 3 && p[2] == 4,
	       "a deadline does not disturb the data path (%ld)", r);
}

int main(void)
{
	s = srv_spawn();
	tap_ok(s.thread >= 0, "spawn the server (%d)", s.thread);
	tap_eq(ipc_connect(s.thread, 4096, &c), 0, "connect");
	test_timeout();
	test_short();
	test_in_time();
	tap_eq(ipc_close(&c), 0, "close");
	tap_eq(srv_stop(&s), PROC_STATUS_KILLED(PROC_SIG_KILL),
	       "server killed");
	return tap_done();
}
