/*
 * The protocol of helpers/ipc_multi, the server process behind the
 * ipc_handlers test: two servers in one process, each connection served
 * by a handler of its own. Requests are ipc_proto.h's struct srv_hdr;
 * both servers also answer OP_NOP, OP_BADGE and OP_XFORM as
 * helpers/ipc_srv does, so helpers/ipc_client can be their client.
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
	/* Sleeps a ms (nanosleep) in the handler; returns a. */
	MOP_SLEEP,
	/*
	 * Spawns "helpers/ipc_multi sleep a" (which sleeps a ms and exits
	 * with 7) and waits for it in the handler; returns its wait status.
	 */
	MOP_CHILD,
	/*
	 * a = this server's destructor runs, b = handlers of this server
	 * inside MOP_SLEEP or MOP_CHILD now, c = calls served. Returns a.
	 */
	MOP_STATS,
	/* Server A: returns the slot of server B's thread in our table. */
	MOP_B_SLOT,
	/* Uses 48 KiB of the handler's stack; returns a checksum (> 0). */
	MOP_DEEP,
};

#endif
