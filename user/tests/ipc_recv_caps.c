/*
 * SYS_ipc_received_caps: a handler learns the slots of the caps a call
 * brought from the kernel, not from the message's cap area in the shm,
 * which the client may rewrite while the handler runs. procmgr read the
 * shm: a client thread rewriting its slot numbers during a spawn could
 * name a slot procmgr held for someone else (a cached image's PMO with
 * WRITE, another client's caps in flight) and have it put into its own
 * child (a confused deputy). The race is a few hundred instructions
 * wide, so this test plays the client's other thread itself: the
 * handler rewrites the shm, as that thread would, and the kernel's
 * record must not follow. Also: -EINVAL outside a handler, -EFAULT for
 * a bad buffer, stale-free across calls.
 *
 * The way back has the same hole: procmgr wrote the new process's cap
 * into the message and SYS_ipc_return read the slot from there, so a
 * rewrite in between handed the client any cap procmgr held (the file
 * server's, a cached image's writable PMO), moved out of procmgr's
 * table. IPC_RETURN_SLOTS takes the slots from the handler's memory.
 */
#include <string.h>

#include <ferry/ipc.h>

#include "tap.h"
#include "util.h"

static struct ipc_conn conn;
static cap_t secret = -1;  /* a PMO the "server" keeps for someone else */
static volatile long seen; /* what the handler found, bit by bit */
static volatile long got_n, got_efault;
static cap_t got[IPC_MAX_CAPS];

static unsigned char pmo_byte(cap_t pmo)
{
	unsigned char b = 0;

	fy_pmo_read(pmo, 0, &b, 1);
	return b;
}

static cap_t giveaway = -1; /* what the handler means to return */
static volatile long ret_efault, ret_einval;

/* Returns giveaway, moved, after the "client" pointed the slot at ours. */
static long give(struct ipc_msg *m)
{
	cap_t *area = (cap_t *)((char *)m + m->cap_offset);

	area[0] = giveaway;
	ret_efault = fy_ipc_return_slots(0, 1 | IPC_RETURN_MOVE, KERNEL_PTR);
	ret_einval = fy_ipc_return_slots(0, 2, &giveaway); /* cap_slots 1 */
	area[0] = secret; /* the client's other thread strikes */
	return fy_ipc_return_slots(0, 1 | IPC_RETURN_MOVE, &giveaway);
}

static long handler(struct ipc_msg *m, uint64_t badge, uint32_t ncaps,
		    void *shm, size_t shm_size)
{
	cap_t *area = (cap_t *)((char *)m + m->cap_offset);
	cap_t first[IPC_MAX_CAPS];
	long n;

	(void)badge;
	(void)shm;
	(void)shm_size;
	if (m->data_len == 1)
		return give(m);
	got_efault = fy_ipc_received_caps(KERNEL_PTR);
	n = fy_ipc_received_caps(first);
	/* The client's other thread strikes: every slot now names ours. */
	for (uint32_t i = 0; i < ncaps; i++)
		area[i] = secret;
	got_n = fy_ipc_received_caps(got);
	seen = n == (long)ncaps;
	for (long i = 0; i < got_n && i < IPC_MAX_CAPS; i++)
		seen &= got[i] == first[i] && got[i] != secret;
	for (long i = 0; i < got_n && i < IPC_MAX_CAPS; i++)
		if (got[i] != secret)
			fy_cap_delete(got[i]);
	return 0;
}

static cap_t pmo_with(unsigned char b)
{
	cap_t p = (cap_t)fy_pmo_create(4096, PMO_ANONYMOUS);

	fy_pmo_write(p, 0, &b, 1);
	return p;
}

int main(void)
{
	struct ipc_serve_config cfg = {.caps_handler = handler};
	cap_t out[IPC_MAX_CAPS], mine[2];
	struct ipc_msg *m;
	long live;

	secret = pmo_with(0x5e);
	tap_eq(fy_ipc_received_caps(out), -EINVAL,
	       "outside a handler: -EINVAL");
	tap_eq(ipc_serve_with(&cfg), 0, "serve with a caps handler");
	tap_eq(ipc_connect(CAP_SELF_MAIN_THREAD, 4096, &conn), 0,
	       "connect to ourselves");
	live = fy_kstat(KSTAT_LIVE_OBJECTS);
	mine[0] = pmo_with(0x11);
	mine[1] = pmo_with(0x22);
	m = ipc_msg_init(&conn, 0, 2);
	memcpy((char *)m + m->cap_offset, mine, sizeof(mine));
	tap_eq(ipc_call(&conn, m, 2), 0, "a call with two caps");
	tap_eq(got_efault, -EFAULT, "a bad buffer: -EFAULT");
	tap_eq(got_n, 2, "the kernel's record: two slots");
	tap_ok(seen, "the same slots before and after the shm was rewritten, "
		     "none of them the server's own");
	tap_eq(pmo_byte(secret), 0x5e, "the server's PMO is still its own");
	tap_ok(fy_cap_info(secret) >= 0, "and still in its slot");
	fy_cap_delete(mine[0]);
	fy_cap_delete(mine[1]);
	tap_eq(fy_kstat(KSTAT_LIVE_OBJECTS), live,
	       "the handler deleted what it received: objects as before");
	mine[0] = pmo_with(0x33);
	m = ipc_msg_init(&conn, 0, 1);
	memcpy((char *)m + m->cap_offset, mine, sizeof(cap_t));
	tap_eq(ipc_call(&conn, m, 1), 0, "a call with one cap");
	tap_eq(got_n, 1, "one slot, nothing left of the last call's two");
	tap_ok(seen, "the true slot again");
	fy_cap_delete(mine[0]);

	/* The way back. */
	giveaway = pmo_with(0x77);
	m = ipc_msg_init(&conn, 1, 1);
	tap_eq(ipc_call(&conn, m, 0), 0, "a call answered with one cap");
	tap_eq(ret_efault, -EFAULT, "return slots from a bad pointer: -EFAULT");
	tap_eq(ret_einval, -EINVAL,
	       "more caps than the message has slots: "
	       "-EINVAL");
	out[0] = *(cap_t *)((char *)m + m->cap_offset);
	tap_ok(out[0] != secret && out[0] != giveaway,
	       "a new slot came back (%d)", out[0]);
	tap_eq(pmo_byte(out[0]), 0x77, "holding the cap the handler meant");
	tap_ok(fy_cap_info(giveaway) < 0, "moved out of the handler's slot");
	tap_ok(fy_cap_info(secret) >= 0 && pmo_byte(secret) == 0x5e,
	       "the slot the shm named is still the server's own");
	fy_cap_delete(out[0]);
	tap_eq(ipc_close(&conn), 0, "close");
	fy_cap_delete(secret);
	return tap_done();
}
