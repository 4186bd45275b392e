/*
 * Hostile input to the raw IPC calls: messages outside or across the end
 * of the shm, headers whose offsets point past it or overflow, bad cap
 * counts and slots, bad connection caps, return calls with no call to
 * return from, bad registrations. Each must be refused with its error,
 * change nothing, and leave the connection working.
 *
 * A conn cap without CALL cannot be made (a copy needs GRANT, which conn
 * caps lack), so wrong-type caps stand in for missing rights there.
 */
#include <string.h>

#include "ipc_test.h"
#include "tap.h"
#include "util.h"

#define SHM 4096ul

static struct srv s;
static struct ipc_conn c;
static char *base;

static struct ipc_msg *hdr_at(size_t off, uint32_t data_len, uint32_t data_off,
			      uint32_t cap_off, uint32_t cap_slots)
{
	struct ipc_msg *m = (struct ipc_msg *)(base + off);

	m->data_len = data_len;
	m->data_offset = data_off;
	m->cap_offset = cap_off;
	m->cap_slots = cap_slots;
	return m;
}

static long raw(void *msg, unsigned ncaps)
{
	return fy_ipc_call(c.cap, msg, ncaps, 0);
}

/*
 * A raw call; a destructor run (after a close) keeps the handler busy
 * until the scheduler gets to it, and the call waits for it.
 */
static long call_retry(cap_t conn, void *msg)
{
	return fy_ipc_call(conn, msg, 0, 0);
}

/* A NOP request at the start of the shm. */
static void good_after(const char *what)
{
	struct ipc_msg *m = req_init(&c, OP_NOP, 0, 0);

	tap_eq(call_retry(c.cap, m), SRV_NOP_RET, "a good call after %s works",
	       what);
}

static void bad_msg(void *msg, unsigned ncaps, long want, const char *what)
{
	tap_eq(raw(msg, ncaps), want, "%s", what);
	good_after(what);
}

static void test_msg_place(void)
{
	struct ipc_msg local = {.data_offset = 16, .cap_offset = 16};

	bad_msg(&local, 0, -EINVAL, "a message on our stack, not in the shm");
	bad_msg(base - 16, 0, -EINVAL, "a message just below the shm");
	bad_msg(base + SHM, 0, -EINVAL, "a message just past the shm");
	bad_msg(base + SHM - 8, 0, -EINVAL, "a header across the shm's end");
	memset(base + SHM - 15, 0, 15);
	bad_msg(base + SHM - 15, 0, -EINVAL,
		"a header in the last 15 bytes of the shm");
	bad_msg(base + SHM - 1, 0, -EINVAL, "a message at the last byte");
	bad_msg(KERNEL_PTR, 0, -EINVAL, "a kernel address");
	bad_msg(NONCANON_PTR, 0, -EINVAL, "a non-canonical address");
	bad_msg((void *)-16l, 0, -EINVAL, "the top of the address space");

	hdr_at(SHM - 16, 0, 16, 16, 0);
	tap_ok(raw(base + SHM - 16, 0) > 0,
	       "a header in the last 16 bytes, no data: an empty call");
	hdr_at(1, 0, 16, 16, 0);
	tap_ok(raw(base + 1, 0) > 0, "an unaligned header is fine");
}

static void test_msg_bounds(void)
{
	struct ipc_msg *m;

	m = hdr_at(0, 1, SHM, 16, 0);
	bad_msg(m, 0, -EINVAL, "data starting at the shm's end");
	m = hdr_at(0, SHM - 15, 16, 16, 0);
	bad_msg(m, 0, -EINVAL, "data one byte too long");
	m = hdr_at(0, 97, 4000, 16, 0);
	bad_msg(m, 0, -EINVAL, "data at 4000 + 97 bytes");
	m = hdr_at(0, 0, 0xffffffffu, 16, 0);
	bad_msg(m, 0, -EINVAL, "data_offset 0xffffffff");
	m = hdr_at(0, 0xffffffffu, 16, 16, 0);
	bad_msg(m, 0, -EINVAL, "data_len 0xffffffff");
	m = hdr_at(0, 0x20, 0xfffffff0u, 16, 0);
	bad_msg(m, 0, -EINVAL, "data_offset + data_len wrapping in 32 bits");
	m = hdr_at(0, 0, 16, SHM, 1);
	bad_msg(m, 0, -EINVAL, "a cap slot at the shm's end");
	m = hdr_at(0, 0, 16, 0xffffffffu, 0);
	bad_msg(m, 0, -EINVAL, "cap_offset 0xffffffff, even with no slots");
	m = hdr_at(0, 0, 16, 16, 0xffffffffu);
	bad_msg(m, 0, -EINVAL, "cap_slots 0xffffffff");
	m = hdr_at(0, 0, 16, 16, 1021);
	bad_msg(m, 0, -EINVAL, "1021 slots, one past the end");
	m = hdr_at(0, 0, 16, 0xfffffffcu, 2);
	bad_msg(m, 0, -EINVAL, "cap_offset + slots wrapping in 32 bits");
	m = hdr_at(SHM - 32, 0, 16, 0xfffffff0u, 0);
	bad_msg(m, 0, -EINVAL, "an offset that wraps back into the shm");

	/* The edges that are allowed. */
	m = hdr_at(0, 96, 4000, 16, 1020);
	((struct srv_hdr *)(base + 4000))->op = OP_NOP;
	tap_eq(raw(m, 0), SRV_NOP_RET,
	       "data and 1020 slots each ending at the shm's last byte");
}

/* Messages at 2048, clear of good_after's at the start of the shm. */
static void test_ncaps(void)
{
	cap_t pmo = (cap_t)fy_pmo_create(4096, PMO_DATA);
	cap_t gone = (cap_t)fy_pmo_create(4096, PMO_DATA);
	cap_t *slots = (cap_t *)(base + 2048 + 16);
	long n0 = req(&c, OP_NCAPS, 0), live0;
	struct ipc_msg *m;

	fy_cap_delete(gone);
	live0 = fy_kstat(KSTAT_LIVE_OBJECTS);
	m = hdr_at(2048, 0, 16, 16, 17);
	for (int i = 0; i < 17; i++)
		slots[i] = pmo;
	bad_msg(m, 17, -EINVAL, "ncaps 17");
	bad_msg(m, 0xffffffffu, -EINVAL, "ncaps 0xffffffff");
	m = hdr_at(2048, 0, 16, 16, 1);
	bad_msg(m, 2, -EINVAL, "ncaps 2 with one slot");
	bad_msg(NULL, 1, -EINVAL, "ncaps 1 with no message");
	m = hdr_at(2048, 0, 16, 16, 16);
	slots[15] = -1;
	bad_msg(m, 16, -ECAPBILITY, "16 caps, the last one -1");
	m = hdr_at(2048, 0, 16, 16, 1);
	slots[0] = 99999;
	bad_msg(m, 1, -ECAPBILITY, "cap slot 99999");
	slots[0] = gone;
	bad_msg(m, 1, -ECAPBILITY, "a deleted cap");
	slots[0] = CAP_TABLE_MAX;
	bad_msg(m, 1, -ECAPBILITY, "cap slot CAP_TABLE_MAX");
	tap_eq(req(&c, OP_NCAPS, 0), n0, "the server got none of them");
	tap_eq(fy_kstat(KSTAT_LIVE_OBJECTS), live0, "no object was made");
	fy_cap_delete(pmo);
}

/* Our side of the shm unmapped: messages cannot be read there. */
static void test_shm_unmapped(void)
{
	struct ipc_msg *m = req_init(&c, OP_NOP, 0, 0);

	tap_eq(fy_pmo_unmap(CAP_SELF_GROUP, (uintptr_t)base), 0,
	       "unmap our side of the shm");
	tap_eq(raw(m, 0), -EFAULT, "a message there is -EFAULT");
	tap_ok(raw(NULL, 0) > 0, "an empty call still works");
	tap_eq(fy_pmo_map(CAP_SELF_GROUP, c.shm_cap, (uintptr_t)base,
			  VM_READ | VM_WRITE),
	       0, "map it back");
	tap_eq(req_hdr(m)->op, OP_NOP, "with its contents");
	good_after("the shm came back");
}

static void bad_conn(cap_t conn, const char *what)
{
	struct ipc_msg *m = req_init(&c, OP_NOP, 0, 0);

	tap_eq(fy_ipc_call(conn, m, 0, 0), -ECAPBILITY, "call on %s", what);
	tap_eq(fy_ipc_close(conn), -ECAPBILITY, "close of %s", what);
	good_after(what);
}

static void test_conn_caps(void)
{
	struct ipc_conn d;

	bad_conn(-1, "cap -1");
	bad_conn(99999, "cap 99999");
	bad_conn(CAP_TABLE_MAX, "cap CAP_TABLE_MAX");
	tap_eq(ipc_connect(s.thread, 4096, &d), 0, "another connection");
	tap_eq(ipc_close(&d), 0, "closed again");
	bad_conn(d.cap, "the closed connection's slot");
	bad_conn(c.shm_cap, "a PMO cap");
	bad_conn(s.thread, "the server's thread cap");
	bad_conn(CAP_SELF_GROUP, "our own process cap");
	bad_conn(CAP_SELF_VMSPACE, "our vmspace cap");
}

static void test_no_call(void)
{
	struct ipc_msg *m;

	tap_eq(fy_ipc_return(0, 0), -EINVAL, "ipc_return from a normal thread");
	tap_eq(fy_ipc_return(0, 1), -EINVAL, "with a cap too");
	tap_eq(fy_ipc_exit_routine_return(), -EINVAL,
	       "ipc_exit_routine_return from a normal thread");
	tap_eq(fy_ipc_register_cb_return(CAP_SELF_MAIN_THREAD, NULL,
					 SCRATCH_VA),
	       -EINVAL, "ipc_register_cb_return from a normal thread");
	good_after("return calls with no call");

	m = req_init(&c, OP_MISUSE, 0, 0);
	tap_eq(call_retry(c.cap, m), 0,
	       "a handler tries calls that are not its own");
	tap_eq(req_hdr(m)->a, -EINVAL, "its ipc_exit_routine_return: -EINVAL");
	tap_eq(req_hdr(m)->b, -EINVAL, "its ipc_register_cb_return: -EINVAL");
	tap_eq(req_hdr(m)->c, -EINVAL, "its register_server: -EINVAL");
	good_after("a handler's bad calls");
}

/* Nothing is left mapped at SCRATCH_VA: a map there works. */
static int scratch_free(void)
{
	long pmo = fy_pmo_create(4096, PMO_ANONYMOUS), r;

	r = fy_pmo_map(CAP_SELF_GROUP, (cap_t)pmo, SCRATCH_VA, VM_READ);
	if (r == 0)
		fy_pmo_unmap(CAP_SELF_GROUP, SCRATCH_VA);
	fy_cap_delete((cap_t)pmo);
	return r == 0;
}

static void bad_register(cap_t server, const struct ipc_shm_config *cfg,
			 long want, const char *what)
{
	long caps0 = count_caps(), live0 = fy_kstat(KSTAT_LIVE_OBJECTS);

	tap_eq(fy_register_client(server, cfg), want, "register_client: %s",
	       what);
	tap_ok(count_caps() == caps0 && fy_kstat(KSTAT_LIVE_OBJECTS) == live0 &&
		       scratch_free(),
	       "%s: no cap, object or mapping left", what);
	good_after(what);
}

static struct ipc_shm_config cfg_buf;

static const struct ipc_shm_config *cfg_of(cap_t shm, uint64_t addr)
{
	cfg_buf = (struct ipc_shm_config){.shm_cap = shm, .shm_addr = addr};
	return &cfg_buf;
}

static void test_register_client(void)
{
	cap_t pmo = (cap_t)fy_pmo_create(4096, PMO_ANONYMOUS);
	cap_t no_grant =
		(cap_t)fy_cap_copy(pmo, CAP_RIGHT_ALL & ~CAP_RIGHT_GRANT);
	cap_t no_write =
		(cap_t)fy_cap_copy(pmo, CAP_RIGHT_ALL & ~CAP_RIGHT_WRITE);
	cap_t two = (cap_t)fy_pmo_create(8192, PMO_ANONYMOUS);
	cap_t no_call = (cap_t)fy_cap_fetch(s.proc, CAP_SELF_MAIN_THREAD,
					    CAP_RIGHT_ALL & ~CAP_RIGHT_CALL);
	struct ipc_shm_config cfg = {.shm_cap = pmo, .shm_addr = SCRATCH_VA};
	long conn;

	bad_register(s.thread, NULL, -EFAULT, "config NULL");
	bad_register(s.thread, KERNEL_PTR, -EFAULT, "config in the kernel");
	bad_register(s.thread, NONCANON_PTR, -EFAULT,
		     "config at a non-canonical address");
	bad_register(s.thread, unmapped_ptr(), -EFAULT, "config unmapped");

	bad_register(s.thread, cfg_of(s.thread, SCRATCH_VA), -ECAPBILITY,
		     "a thread cap as the shm");
	bad_register(s.thread, cfg_of(c.cap, SCRATCH_VA), -ECAPBILITY,
		     "a conn cap as the shm");
	bad_register(s.thread, cfg_of(-1, SCRATCH_VA), -ECAPBILITY,
		     "shm cap -1");
	bad_register(s.thread, cfg_of(no_grant, SCRATCH_VA), -ECAPBILITY,
		     "a shm PMO without GRANT");
	bad_register(s.thread, cfg_of(no_write, SCRATCH_VA), -ECAPBILITY,
		     "a shm PMO without WRITE");

	bad_register(s.thread, cfg_of(pmo, (uintptr_t)c.shm), -EEXIST,
		     "the shm over our other shm");
	bad_register(s.thread, cfg_of(pmo, (uintptr_t)bad_register & ~4095ul),
		     -EEXIST, "the shm over our code");
	bad_register(s.thread, cfg_of(two, (uintptr_t)c.shm - 4096), -EEXIST,
		     "a 2-page shm whose second page overlaps");
	bad_register(s.thread, cfg_of(pmo, 0), -EINVAL, "the shm at address 0");
	bad_register(s.thread, cfg_of(pmo, SCRATCH_VA + 8), -EINVAL,
		     "the shm unaligned");
	bad_register(s.thread, cfg_of(pmo, (uintptr_t)KERNEL_PTR), -EINVAL,
		     "the shm in the kernel");

	bad_register(-1, &cfg, -ECAPBILITY, "server cap -1");
	bad_register(pmo, &cfg, -ECAPBILITY, "a PMO as the server");
	bad_register(s.proc, &cfg, -ECAPBILITY, "a process as the server");
	bad_register(no_call, &cfg, -ECAPBILITY,
		     "a server thread cap without CALL");
	/* Documented: a thread that has not registered may yet: retry. */
	bad_register(CAP_SELF_MAIN_THREAD, &cfg, -EIPCRETRY,
		     "a thread that is not a server");

	conn = fy_register_client(s.thread, &cfg);
	tap_ok(conn >= 0, "the good config registers (%ld)", conn);
	*(struct ipc_msg *)SCRATCH_VA =
		(struct ipc_msg){.data_offset = 16, .cap_offset = 16};
	tap_ok(call_retry((cap_t)conn, (void *)SCRATCH_VA) > 0,
	       "and its connection works");
	tap_eq(fy_ipc_close((cap_t)conn), 0, "close it");
	fy_pmo_unmap(CAP_SELF_GROUP, SCRATCH_VA);
	fy_cap_delete(pmo);
	fy_cap_delete(no_grant);
	fy_cap_delete(no_write);
	fy_cap_delete(two);
	fy_cap_delete(no_call);
}

static _Alignas(16) char stack[3][4096];
static volatile int stop_spinner;

static void idle(void *arg)
{
	(void)arg;
	for (;;)
		fy_thread_exit();
}

static void spinner(void *arg)
{
	(void)arg;
	while (!stop_spinner)
		fy_yield();
	fy_thread_exit();
}

/* We become a server here, after every client test. */
static void test_register_server(void)
{
	long p1 = fy_thread_create(CAP_SELF_GROUP, idle, stack[0] + 4096, NULL,
				   THREAD_PASSIVE);
	long p2 = fy_thread_create(CAP_SELF_GROUP, idle, stack[1] + 4096, NULL,
				   THREAD_PASSIVE);
	long run = fy_thread_create(CAP_SELF_GROUP, spinner, stack[2] + 4096,
				    NULL, 0);
	long other = fy_cap_fetch(s.proc, CAP_SELF_MAIN_THREAD, CAP_RIGHT_ALL);
	void *routine = (void *)idle;

	tap_ok(p1 >= 0 && p2 >= 0 && run >= 0 && other >= 0,
	       "two passive threads, a running one, another process's");
	tap_eq(fy_register_server(routine, -1, NULL), -ECAPBILITY,
	       "register_server with cb -1");
	tap_eq(fy_register_server(routine, c.shm_cap, NULL), -ECAPBILITY,
	       "with a PMO as cb");
	tap_eq(fy_register_server(routine, CAP_SELF_MAIN_THREAD, NULL), -EINVAL,
	       "with ourselves as cb");
	tap_eq(fy_register_server(routine, (cap_t)run, NULL), -EINVAL,
	       "with a running (non-passive) thread as cb");
	tap_eq(fy_register_server(routine, (cap_t)other, NULL), -EINVAL,
	       "with another process's thread as cb");
	tap_eq(fy_register_server(KERNEL_PTR, (cap_t)p1, NULL), -EINVAL,
	       "with a kernel ipc_routine");
	tap_eq(fy_register_server(routine, (cap_t)p1, KERNEL_PTR), -EINVAL,
	       "with a kernel destructor");
	tap_eq(fy_register_server(routine, (cap_t)p1, NULL), 0,
	       "with a fresh passive thread: registered");
	tap_eq(fy_register_server(routine, (cap_t)p2, NULL), -EINVAL,
	       "a second register_server is -EINVAL");
	tap_eq(req(&c, OP_REREG, 0), -EINVAL,
	       "and was for the server helper too");
	good_after("register_server calls");
	stop_spinner = 1;
	fy_cap_delete((cap_t)p1);
	fy_cap_delete((cap_t)p2);
	fy_cap_delete((cap_t)run);
	fy_cap_delete((cap_t)other);
}

int main(void)
{
	s = srv_spawn();
	tap_ok(s.thread >= 0, "spawn the server (%d)", s.thread);
	tap_eq(ipc_connect(s.thread, SHM, &c), 0, "connect");
	base = c.shm;
	test_msg_place();
	test_msg_bounds();
	test_ncaps();
	test_shm_unmapped();
	test_conn_caps();
	test_no_call();
	test_register_client();
	test_register_server();
	tap_eq(ipc_close(&c), 0, "close");
	tap_eq(srv_stop(&s), PROC_STATUS_KILLED(PROC_SIG_KILL),
	       "server killed");
	return tap_done();
}
