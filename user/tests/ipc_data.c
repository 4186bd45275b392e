/*
 * IPC data through the shared memory: the client writes, the handler
 * reads and writes back, both ways in one call; shms of one and of
 * several pages; messages and their data at many offsets, aligned or
 * not, up to the last byte of the shm.
 */
#include <string.h>

#include "ipc_test.h"
#include "tap.h"

#define GUARD 0xaa

/*
 * Fills the shm with GUARD, lays a message at msg_off with its data at
 * data_off from the header, runs OP_XFORM over `payload` bytes, and
 * checks the answer, the data and that nothing else in the shm changed.
 */
static void xform_at(struct ipc_conn *c, size_t msg_off, uint32_t data_off,
		     uint32_t payload, const char *what)
{
	unsigned char *shm = c->shm, *p;
	struct ipc_msg *m = (struct ipc_msg *)(shm + msg_off);
	size_t data_start = msg_off + data_off;
	size_t data_end = data_start + SRV_PAYLOAD + payload;
	struct srv_hdr h = {.op = OP_XFORM};
	long sum = 0, r, bad_data = 0, bad_guard = 0;

	memset(shm, GUARD, c->shm_size);
	m->data_len = SRV_PAYLOAD + payload;
	m->data_offset = data_off;
	m->cap_offset = sizeof(*m);
	m->cap_slots = 0;
	memcpy(shm + data_start, &h, sizeof(h));
	p = shm + data_start + SRV_PAYLOAD;
	for (uint32_t i = 0; i < payload; i++) {
		p[i] = (unsigned char)(i * 7 + msg_off);
		sum += p[i];
	}
	r = ipc_call(c, m, 0);
	tap_eq(r, sum, "%s: the handler read every byte (sum)", what);
	for (uint32_t i = 0; i < payload; i++)
		bad_data += p[i] != (unsigned char)(i * 7 + msg_off + 1);
	for (size_t i = 0; i < c->shm_size; i++) {
		int in_hdr = i >= msg_off && i < msg_off + sizeof(*m);
		int in_data = i >= data_start && i < data_end;

		if (!in_hdr && !in_data)
			bad_guard += shm[i] != GUARD;
	}
	tap_ok(!bad_data && !bad_guard,
	       "%s: its writes came back, nothing else changed (%ld bad data, "
	       "%ld bad guard bytes)",
	       what, bad_data, bad_guard);
}

static void test_one_page(cap_t server)
{
	struct ipc_conn c;
	struct ipc_msg *m;

	tap_eq(ipc_connect(server, 4096, &c), 0, "connect with a 1-page shm");
	tap_eq(c.shm_size, 4096, "the shm is one page");
	tap_ok(ipc_msg_init(&c, 4096 - 16, 0) != NULL,
	       "a message filling the page fits");
	tap_ok(ipc_msg_init(&c, 4096 - 15, 0) == NULL,
	       "one byte more does not fit");
	tap_ok(ipc_msg_init(&c, 4096 - 16, 1) == NULL,
	       "nor does a cap slot after a full page of data");
	xform_at(&c, 0, 16, 4096 - 16 - SRV_PAYLOAD, "a full page");
	xform_at(&c, 0, 16, 0, "no payload");
	xform_at(&c, 0, 3000, 100, "data far after its header");
	xform_at(&c, 100, 200, 300, "header at 100, data 200 after it");
	xform_at(&c, 1, 17, 77, "unaligned header and data");
	xform_at(&c, 4096 - 16 - SRV_PAYLOAD - 1, 16, 1,
		 "the data ends at the last byte of the shm");

	m = (struct ipc_msg *)((char *)c.shm + 4096 - 16);
	*m = (struct ipc_msg){.data_offset = 16, .cap_offset = 16};
	tap_ok(ipc_call(&c, m, 0) > 0,
	       "a header in the last 16 bytes with no data is an empty call");
	m = ipc_msg_init(&c, 0, 0);
	tap_ok(ipc_call(&c, m, 0) > 0,
	       "a header-only message is an empty call (the badge)");
	tap_ok(ipc_call(&c, NULL, 0) > 0, "so is no message at all");
	tap_eq(ipc_close(&c), 0, "close");
	tap_ok(fy_cap_info(c.cap) < 0, "the connection cap is gone");
}

static void test_pages(cap_t server)
{
	struct ipc_conn c;
	size_t sz;

	tap_eq(ipc_connect(server, 3 * 4096 + 1, &c), 0,
	       "connect asking for 3 pages and a byte");
	sz = c.shm_size;
	tap_eq(sz, 4 * 4096, "the shm is rounded up to 4 pages");
	xform_at(&c, 0, 16, sz - 16 - SRV_PAYLOAD, "all 4 pages of data");
	xform_at(&c, 2 * 4096 + 8, 4096 - 100, 300,
		 "data across the page 3/4 boundary");
	xform_at(&c, 4096 - 8, 16, 4096, "header across a page boundary");
	xform_at(&c, 3 * 4096, 16, 4096 - 16 - SRV_PAYLOAD,
		 "the whole last page");
	tap_eq(ipc_close(&c), 0, "close the 4-page connection");
}

/* Two connections of one client keep their data apart. */
static void test_two_conns(cap_t server)
{
	struct ipc_conn a, b;
	unsigned char *pa, *pb;
	long bad = 0, ra, rb;

	tap_eq(ipc_connect(server, 4096, &a), 0, "connect a");
	tap_eq(ipc_connect(server, 8192, &b), 0, "connect b");
	tap_ok(a.shm != b.shm, "their shms are apart");
	for (int round = 0; round < 20; round++) {
		struct ipc_msg *ma = req_init(&a, OP_XFORM, 0, 1000);
		struct ipc_msg *mb = req_init(&b, OP_XFORM, 0, 5000);

		pa = (unsigned char *)req_hdr(ma) + SRV_PAYLOAD;
		pb = (unsigned char *)req_hdr(mb) + SRV_PAYLOAD;
		memset(pa, 1, 1000);
		memset(pb, 2, 5000);
		ra = ipc_call(&a, ma, 0);
		rb = ipc_call(&b, mb, 0);
		bad += ra != 1000 || rb != 10000;
		for (int i = 0; i < 1000; i++)
			bad += pa[i] != 2;
		for (int i = 0; i < 5000; i++)
			bad += pb[i] != 3;
	}
	tap_eq(bad, 0, "20 interleaved rounds on two connections");
	tap_eq(ipc_close(&a), 0, "close a");
	tap_eq(ipc_close(&b), 0, "close b");
}

/* Many calls of changing sizes: every answer right. */
static void test_many(cap_t server)
{
	struct ipc_conn c;
	long bad = 0;

	tap_eq(ipc_connect(server, 4096, &c), 0, "connect");
	for (uint32_t i = 0; i < 1000; i++) {
		uint32_t len = i * 13 % (4096 - 16 - SRV_PAYLOAD);
		struct ipc_msg *m = req_init(&c, OP_XFORM, 0, len);
		unsigned char *p = (unsigned char *)req_hdr(m) + SRV_PAYLOAD;
		long sum = 0;

		for (uint32_t j = 0; j < len; j++)
			sum += p[j] = (unsigned char)(i ^ j);
		bad += ipc_call(&c, m, 0) != sum;
		for (uint32_t j = 0; j < len; j++)
			bad += p[j] != (unsigned char)((i ^ j) + 1);
	}
	tap_eq(bad, 0, "1000 calls of 0..4047 bytes, all answers right");
	tap_eq(ipc_close(&c), 0, "close");
}

int main(void)
{
	struct srv s = srv_spawn();

	tap_ok(s.thread >= 0, "spawn the server (%d)", s.thread);
	test_one_page(s.thread);
	test_pages(s.thread);
	test_two_conns(s.thread);
	test_many(s.thread);
	tap_eq(srv_stop(&s), PROC_STATUS_KILLED(PROC_SIG_KILL),
	       "server killed");
	return tap_done();
}
