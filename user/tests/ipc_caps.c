/*
 * Capabilities through IPC, both ways: the client sends PMO caps that
 * the handler maps, the handler returns PMO caps that the client maps;
 * 16 in one call; and every refusal (17 caps, a cap without GRANT, a bad
 * slot part way through, a handler returning caps wrongly) leaves both
 * tables as they were and the connection working.
 */
#include <string.h>

#include "ipc_test.h"
#include "tap.h"
#include "util.h"

/* OP_MAPCAPS writes 32 result words into the payload. */
#define MAP_PAYLOAD (32 * sizeof(int64_t))

static struct srv s;
static struct ipc_conn c;

static struct ipc_msg *caps_msg(int64_t op, int64_t a, uint32_t slots)
{
	struct ipc_msg *m = ipc_msg_init(&c, SRV_PAYLOAD + MAP_PAYLOAD, slots);
	struct srv_hdr *h = ipc_msg_data(m);

	memset(h, 0, SRV_PAYLOAD + MAP_PAYLOAD);
	h->op = op;
	h->a = a;
	return m;
}

static int64_t *out_words(struct ipc_msg *m)
{
	return (int64_t *)((char *)ipc_msg_data(m) + SRV_PAYLOAD);
}

static cap_t pmo_with(uint64_t value)
{
	long pmo = fy_pmo_create(4096, PMO_DATA);

	if (pmo >= 0)
		fy_pmo_write((cap_t)pmo, 0, &value, sizeof(value));
	return (cap_t)pmo;
}

static uint64_t pmo_word(cap_t pmo, size_t off)
{
	uint64_t v = 0;

	fy_pmo_read(pmo, off, &v, sizeof(v));
	return v;
}

static long server_caps(void)
{
	return req(&c, OP_NCAPS, 0);
}

static long live(void)
{
	return fy_kstat(KSTAT_LIVE_OBJECTS);
}

static void good_call_works(const char *after)
{
	tap_eq(req(&c, OP_NOP, 0), SRV_NOP_RET, "a call after %s works", after);
}

static void test_send_one(void)
{
	long n0 = server_caps(), r;
	cap_t pmo = pmo_with(0x1234), ro;
	struct ipc_msg *m = caps_msg(OP_MAPCAPS, 1, 1);
	int64_t *out = out_words(m);

	ipc_msg_caps(m)[0] = pmo;
	r = ipc_call(&c, m, 1);
	tap_eq(r, 1, "send a PMO cap: the handler mapped it");
	tap_eq(out[0], 0x1234, "and read what the client wrote");
	tap_eq(out[16], CAP_RIGHT_ALL, "it arrived with the sender's rights");
	tap_eq(pmo_word(pmo, 8), ~0x1234ul, "the handler's write is seen");
	tap_eq(FY_CAP_INFO_TYPE(fy_cap_info(pmo)), OBJ_TYPE_PMO,
	       "the client keeps its own cap");
	tap_eq(server_caps(), n0, "the handler's copy is gone once deleted");

	ro = (cap_t)fy_cap_copy(pmo, CAP_RIGHT_READ | CAP_RIGHT_MAP |
					     CAP_RIGHT_GRANT);
	fy_pmo_write(pmo, 8, &(uint64_t){5}, 8);
	m = caps_msg(OP_MAPCAPS, 1, 1);
	ipc_msg_caps(m)[0] = ro;
	r = ipc_call(&c, m, 1);
	tap_eq(r, 1, "send a read-only copy: mapped");
	tap_eq(out[16], CAP_RIGHT_READ | CAP_RIGHT_MAP | CAP_RIGHT_GRANT,
	       "it arrived with no more rights than it had");
	tap_eq(out[0], 0x1234, "the handler read it");
	tap_eq(pmo_word(pmo, 8), 5, "and could not write it");
	fy_cap_delete(ro);

	/* Any type moves: a thread cap (ours has GRANT) arrives as one. */
	m = caps_msg(OP_MAPCAPS, 1, 1);
	ipc_msg_caps(m)[0] = s.thread;
	r = ipc_call(&c, m, 1);
	tap_eq(r, 0, "send a thread cap: nothing to map");
	tap_eq(out[0], -ECAPBILITY, "the handler saw it was not a PMO");
	tap_eq(out[16], CAP_RIGHT_CALL | CAP_RIGHT_GRANT,
	       "it arrived with its rights");
	tap_eq(server_caps(), n0, "the server's table is back as it was");
	fy_cap_delete(pmo);
}

static void test_sixteen(void)
{
	long n0 = server_caps(), live0 = live(), r, bad = 0;
	struct ipc_msg *m = caps_msg(OP_MAPCAPS, 16, 16);
	int64_t *out = out_words(m);
	cap_t pmos[16];

	for (int i = 0; i < 16; i++)
		ipc_msg_caps(m)[i] = pmos[i] = pmo_with(100 + i);
	r = ipc_call(&c, m, 16);
	tap_eq(r, 16, "16 caps in one call: all mapped");
	for (int i = 0; i < 16; i++)
		bad += out[i] != 100 + i ||
		       pmo_word(pmos[i], 8) != ~(100ul + i);
	tap_eq(bad, 0, "each carried its own PMO, read and written");
	tap_eq(server_caps(), n0, "the handler deleted all 16");
	for (int i = 0; i < 16; i++)
		fy_cap_delete(pmos[i]);
	tap_eq(live(), live0, "no object is left once the client deletes its");
}

/* Sends caps[] (n of them in n slots); the call must fail with `want`. */
static void send_refused(const cap_t *caps, unsigned n, long want,
			 const char *what)
{
	long n0 = server_caps(), mine0 = count_caps(), live0 = live();
	struct ipc_msg *m = caps_msg(OP_MAPCAPS, n, n);
	int same = 1;

	memcpy(ipc_msg_caps(m), caps, n * sizeof(cap_t));
	tap_eq(ipc_call(&c, m, n), want, "%s: refused", what);
	for (unsigned i = 0; i < n; i++)
		same &= ipc_msg_caps(m)[i] == caps[i];
	tap_ok(same, "%s: the message's slots are untouched", what);
	tap_eq(server_caps(), n0, "%s: the server's table is unchanged", what);
	tap_eq(count_caps(), mine0, "%s: ours too", what);
	tap_eq(live(), live0, "%s: no object made or lost", what);
	good_call_works(what);
}

static void test_refusals(void)
{
	cap_t good[3] = {pmo_with(1), pmo_with(2), pmo_with(3)};
	cap_t nog =
		(cap_t)fy_cap_copy(good[0], CAP_RIGHT_ALL & ~CAP_RIGHT_GRANT);
	cap_t gone = pmo_with(4), caps[17];
	struct ipc_msg *m;

	fy_cap_delete(gone);
	caps[0] = nog;
	send_refused(caps, 1, -ECAPBILITY, "a cap without GRANT");
	caps[0] = c.cap;
	send_refused(caps, 1, -ECAPBILITY, "our connection cap (CALL only)");
	memcpy(caps, good, sizeof(good));
	caps[3] = nog;
	send_refused(caps, 4, -ECAPBILITY,
		     "3 good caps then one without GRANT");
	caps[3] = -1;
	send_refused(caps, 4, -ECAPBILITY, "3 good caps then slot -1");
	caps[3] = 99999;
	send_refused(caps, 4, -ECAPBILITY, "3 good caps then slot 99999");
	caps[3] = gone;
	send_refused(caps, 4, -ECAPBILITY, "3 good caps then a deleted one");
	for (int i = 0; i < 17; i++)
		caps[i] = good[i % 3];
	send_refused(caps, 17, -EINVAL, "17 caps");

	m = caps_msg(OP_MAPCAPS, 1, 0);
	tap_eq(ipc_call(&c, m, 1), -EINVAL, "1 cap in a message with 0 slots");
	good_call_works("ncaps > cap_slots");
	tap_eq(fy_ipc_call(c.cap, NULL, 1, 0), -EINVAL,
	       "caps without a message");
	good_call_works("caps without a message");

	fy_cap_delete(nog);
	for (int i = 0; i < 3; i++)
		fy_cap_delete(good[i]);
}

static void test_return(void)
{
	struct ipc_msg *m = caps_msg(OP_RETCAPS, 1, 1);
	long mine0 = count_caps(), r, bad = 0;
	cap_t got;

	r = ipc_call(&c, m, 0);
	tap_eq(r, SRV_RETCAPS_RET, "the handler returns a PMO cap");
	got = ipc_msg_caps(m)[0];
	tap_eq(fy_cap_info(got),
	       OBJ_TYPE_PMO | CAP_RIGHT_ALL << 8 |
		       (long)PMO_DATA << CAP_INFO_PMO_SHIFT,
	       "its slot names a PMO of ours (PMO_DATA), all rights");
	tap_eq(count_caps(), mine0 + 1, "one cap more in our table");
	tap_eq(fy_pmo_map(CAP_SELF_GROUP, got, SCRATCH_VA, VM_READ | VM_WRITE),
	       0, "the client maps it");
	tap_eq(*(volatile uint64_t *)SCRATCH_VA, SRV_PMO_MAGIC,
	       "and reads what the handler wrote");
	fy_pmo_unmap(CAP_SELF_GROUP, SCRATCH_VA);
	fy_cap_delete(got);

	m = caps_msg(OP_RETCAPS, 16, 16);
	r = ipc_call(&c, m, 0);
	tap_eq(r, SRV_RETCAPS_RET, "the handler returns 16 caps");
	tap_eq(count_caps(), mine0 + 16, "16 caps more in our table");
	for (int i = 0; i < 16; i++) {
		got = ipc_msg_caps(m)[i];
		bad += pmo_word(got, 0) != SRV_PMO_MAGIC + i;
		fy_cap_delete(got);
	}
	tap_eq(bad, 0, "each is the PMO the handler made");
	tap_eq(count_caps(), mine0, "deleted again");
}

/* The handler returns caps wrongly: it is told, and returns normally. */
static void return_refused(int how, long want, const char *what)
{
	long mine0, live0, r;
	struct ipc_msg *m;

	good_call_works("the last test"); /* the server drops old copies */
	mine0 = count_caps();
	live0 = live();
	m = caps_msg(OP_RETBAD, how, 4);
	r = ipc_call(&c, m, 0);
	tap_eq(r, SRV_RETFAIL, "handler returning %s: it returned normally",
	       what);
	tap_eq(req_hdr(m)->b, want, "handler returning %s: refused to it",
	       what);
	tap_eq(count_caps(), mine0, "handler returning %s: our table unchanged",
	       what);
	tap_eq(live(), live0, "handler returning %s: no object left behind",
	       what);
	good_call_works(what);
}

static void test_return_refused(void)
{
	return_refused(RETBAD_NOT_OURS, -ECAPBILITY, "slot 99999");
	return_refused(RETBAD_MINUS_ONE, -ECAPBILITY, "slot -1");
	return_refused(RETBAD_NO_GRANT, -ECAPBILITY, "a cap without GRANT");
	return_refused(RETBAD_17, -EINVAL, "17 caps");
	return_refused(RETBAD_PAST_SLOTS, -EINVAL, "more caps than slots");
	return_refused(RETBAD_BAD_HDR, -EINVAL, "a header it broke");
	return_refused(RETBAD_PARTIAL, -ECAPBILITY, "3 good caps, then 99999");
}

int main(void)
{
	s = srv_spawn();
	tap_ok(s.thread >= 0, "spawn the server (%d)", s.thread);
	tap_eq(ipc_connect(s.thread, 4096, &c), 0, "connect");
	test_send_one();
	test_sixteen();
	test_refusals();
	test_return();
	test_return_refused();
	tap_eq(ipc_close(&c), 0, "close");
	tap_eq(srv_stop(&s), PROC_STATUS_KILLED(PROC_SIG_KILL),
	       "server killed");
	return tap_done();
}
