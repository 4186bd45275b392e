/*
 * The protocol of helpers/ipc_multi, the server process behind the
 * ipc_handlers test: two servers in one process, each connection served
 * by a handler of its own. Requests are ipc_proto.h's struct srv_hdr;
 * both servers also answer OP_NOP, OP_BADGE and OP_XFORM as
 * helpers/ipc_srv does, so helpers/ipc_client can be their client, and
 * OP_SPIN as a blocking op (below).
 *
 * The blocking ops (OP_SPIN, MOP_SLEEP, MOP_CHILD) last until the test
 * sends MOP_RELEASE, so no check depends on how fast the host runs; one
 * may be in progress at a time.
 */
#ifndef TESTS_IPC_MULTI_H
#define TESTS_IPC_MULTI_H

#include "ipc_proto.h"

/* Server A (the main thread) takes at most this many connections. */
#define MULTI_A_MAX 8
#define MULTI_A_ID 0xa
#define MULTI_B_ID 0xb

enum multi_op {
	/* Returns the server's id (MULTI_A_ID or MULTI_B_ID). */
	MOP_WHO = 100,
	/*
	 * Sleeps in nanosleep, 10 ms at a time, until released or a ms have
	 * passed; returns 1 if released. (OP_SPIN: spins a ticks the same
	 * way, without blocking.)
	 */
	MOP_SLEEP,
	/*
	 * Spawns "helpers/ipc_multi sleep 60000" and waits for it in the
	 * handler (proc_wait); MOP_RELEASE kills it. Returns its status.
	 */
	MOP_CHILD,
	/*
	 * a = this server's destructor runs, b = handlers of this server
	 * inside OP_SPIN, MOP_SLEEP or MOP_CHILD now, c = calls served.
	 * Returns a.
	 */
	MOP_STATS,
	/* Server A: returns the slot of server B's thread in our table. */
	MOP_B_SLOT,
	/* Uses 48 KiB of the handler's stack; returns a checksum (> 0). */
	MOP_DEEP,
	/* Ends the blocking op in progress. Returns 0. */
	MOP_RELEASE,
};

#endif
