/*
 * Chains A -> B -> C: this test (A) calls a middle server B whose handler
 * calls a third server C and returns the combined answer, all on A's
 * scheduling context. Then deaths along the chain: C dies during the
 * call (B is told -ESRCH and still answers A), and B dies while waiting
 * on C (A is told -ESRCH, C finishes and its destructor runs for B's
 * closed connection).
 */
#include <string.h>

#include "ipc_test.h"
#include "tap.h"

#define STACK_SIZE 16384

struct chain {
	struct srv b, c;
	struct ipc_conn ab, ac; /* ours to B and to C */
};

static _Alignas(16) char stack[STACK_SIZE];
static struct chain ch;

static int chain_up(struct chain *k)
{
	struct ipc_msg *m;
	long r;

	k->c = srv_spawn();
	k->b = srv_spawn();
	if (k->b.thread < 0 || k->c.thread < 0)
		return 0;
	if (ipc_connect(k->b.thread, 4096, &k->ab) ||
	    ipc_connect(k->c.thread, 4096, &k->ac))
		return 0;
	/* B gets a cap to C in a call and connects to it from its handler. */
	m = ipc_msg_init(&k->ab, SRV_PAYLOAD, 1);
	req_hdr(m)->op = OP_SETNEXT;
	req_hdr(m)->a = 1;
	ipc_msg_caps(m)[0] = k->c.thread;
	r = ipc_call(&k->ab, m, 1);
	return r == 0;
}

static void chain_down(struct chain *k)
{
	ipc_close(&k->ab);
	ipc_close(&k->ac);
	srv_stop(&k->b);
	srv_stop(&k->c);
}

/* OP_CHAIN(inner op, inner arg) with `payload` bytes; ret and c out. */
static struct ipc_msg *chain_msg(struct ipc_conn *ab, int64_t op, int64_t arg,
				 uint32_t payload)
{
	struct ipc_msg *m = req_init(ab, OP_CHAIN, op, payload);

	req_hdr(m)->b = arg;
	return m;
}

static void test_chain(void)
{
	struct ipc_msg *m;
	unsigned char *p;
	long r, sum = 0, bad = 0, b_badge, my_badge;

	tap_ok(chain_up(&ch), "B and C up; B connected to C in a call");
	m = chain_msg(&ch.ab, OP_XFORM, 0, 500);
	p = (unsigned char *)req_hdr(m) + SRV_PAYLOAD;
	for (int i = 0; i < 500; i++)
		sum += p[i] = (unsigned char)(i * 3);
	r = ipc_call(&ch.ab, m, 0);
	tap_eq(r, SRV_CHAIN_RET, "A gets B's answer");
	tap_eq(req_hdr(m)->c, sum, "which holds C's answer");
	for (int i = 0; i < 500; i++)
		bad += p[i] != (unsigned char)(i * 3 + 2);
	tap_eq(bad, 0, "both C and B transformed the data");

	my_badge = req(&ch.ac, OP_BADGE, 0);
	m = chain_msg(&ch.ab, OP_BADGE, 0, 0);
	tap_eq(ipc_call(&ch.ab, m, 0), SRV_CHAIN_RET, "a chained badge query");
	b_badge = req_hdr(m)->c;
	tap_ok(b_badge > 0 && b_badge != my_badge,
	       "C sees B's badge, not ours (%#lx, ours %#lx)", b_badge,
	       my_badge);

	bad = 0;
	for (int n = 0; n < 200; n++) {
		m = chain_msg(&ch.ab, OP_XFORM, 0, n);
		p = (unsigned char *)req_hdr(m) + SRV_PAYLOAD;
		sum = 0;
		for (int i = 0; i < n; i++)
			sum += p[i] = (unsigned char)(n + i);
		bad += ipc_call(&ch.ab, m, 0) != SRV_CHAIN_RET ||
		       req_hdr(m)->c != sum;
		for (int i = 0; i < n; i++)
			bad += p[i] != (unsigned char)(n + i + 2);
	}
	tap_eq(bad, 0, "200 chained calls, all right");
	m = req_init(&ch.ac, OP_STATS, 0, 0);
	ipc_call(&ch.ac, m, 0);
	tap_eq(req_hdr(m)->c, 2, "C was called by two processes (A and B)");
}

/* C faults inside the chained call. */
static void test_c_dies(void)
{
	struct ipc_msg *m = chain_msg(&ch.ab, OP_FAULT, 0, 0);

	tap_eq(ipc_call(&ch.ab, m, 0), SRV_CHAIN_RET,
	       "C dies in a chained call: A still gets B's answer");
	tap_eq(req_hdr(m)->c, -ESRCH, "B was told -ESRCH");
	tap_eq(fy_proc_wait(ch.c.proc), PROC_STATUS_KILLED(PROC_SIG_SEGV),
	       "C died of its fault");
	m = chain_msg(&ch.ab, OP_NOP, 0, 0);
	tap_eq(ipc_call(&ch.ab, m, 0), SRV_CHAIN_RET, "the next chained call");
	tap_eq(req_hdr(m)->c, -EDEADSRV, "finds C dead (-EDEADSRV)");
	tap_eq(req(&ch.ac, OP_NOP, 0), -EDEADSRV, "so does our own connection");
	tap_eq(req(&ch.ab, OP_NOP, 0), SRV_NOP_RET, "B itself works on");
	chain_down(&ch);
}

/* B dies while its handler waits on C. */
static struct chain ch2;
static long kill_result = 1;

static void kill_b_job(void)
{
	/* C's handler busy: B's call (on our context) is in C. */
	if (wait_busy(&ch2.ac, 300))
		kill_result = fy_proc_kill(ch2.b.proc);
}

static void test_b_dies(void)
{
	struct side killer;
	struct ipc_msg *m;
	long r, spins0;

	tap_ok(chain_up(&ch2), "a new chain up");
	spins0 = req(&ch2.ac, OP_SPINS, 0);
	tap_ok(side_start(&killer, kill_b_job, stack + STACK_SIZE) >= 0,
	       "a thread that kills B once C is busy");
	m = chain_msg(&ch2.ab, OP_SPIN, 30, 0);
	r = ipc_call(&ch2.ab, m, 0);
	tap_eq(r, -ESRCH, "B dies while waiting on C: A gets -ESRCH");
	tap_ok(side_wait(&killer, 500), "the killer finished");
	tap_eq(kill_result, 0, "it killed B");
	tap_eq(fy_proc_wait(ch2.b.proc), PROC_STATUS_KILLED(PROC_SIG_KILL),
	       "B is gone");
	tap_eq(req(&ch2.ac, OP_SPINS, 0), spins0 + 1,
	       "C finished the spin for nobody");
	tap_eq(srv_dtors(&ch2.ac), 1,
	       "and ran its destructor for B's connection");
	tap_eq(req(&ch2.ab, OP_NOP, 0), -EDEADSRV, "B is dead to us");
	tap_eq(req(&ch2.ac, OP_NOP, 0), SRV_NOP_RET, "C works on");
	chain_down(&ch2);
}

int main(void)
{
	test_chain();
	test_c_dies();
	test_b_dies();
	return tap_done();
}
