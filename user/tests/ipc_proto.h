/*
 * The request protocol between the ipc_* system tests and their helper
 * programs (helpers/ipc_srv, helpers/ipc_client). Header-only: the
 * helpers are built without the test library.
 *
 * A request is the message data: a struct srv_hdr, then a payload. The
 * handler answers through its return value and by writing the header's
 * a/b/c words and the payload. An empty call (no message, or data
 * shorter than the header) returns the caller's badge.
 */
#ifndef TESTS_IPC_PROTO_H
#define TESTS_IPC_PROTO_H

#include <stdint.h>

#include <ferry/ferry.h>
#include <ferry/initcaps.h>
#include <ferry/ipc.h>

struct srv_hdr {
	int64_t op;
	int64_t a, b, c; /* arguments in, results out */
};

#define SRV_PAYLOAD ((uint32_t)sizeof(struct srv_hdr))

enum srv_op {
	/* Returns SRV_NOP_RET. */
	OP_NOP = 1,
	/* Returns the badge the kernel gave; a = badge, b = old a. */
	OP_BADGE,
	/* Adds 1 to every payload byte; returns the sum of the old bytes. */
	OP_XFORM,
	/* Spins for a ticks, then returns a. */
	OP_SPIN,
	/* Returns how many OP_SPIN calls have finished their spin. */
	OP_SPINS,
	/* Writes to address 0: the server process dies of SEGV. */
	OP_FAULT,
	/* The handler thread exits in the middle of the call. */
	OP_THREAD_EXIT,
	/* a = destructor runs, b = calls finished, c = distinct badges. */
	OP_STATS,
	/* Returns how many of our slots [0, SRV_CAP_SCAN) hold a cap. */
	OP_NCAPS,
	/*
	 * The client sent a caps (a = ncaps). For each: payload word i =
	 * the u64 at offset 0 of the PMO (or a negative errno), payload
	 * word 16 + i = the cap's rights; writes ~value at offset 8 when
	 * the cap allows. Unmaps and deletes them. Returns how many mapped.
	 */
	OP_MAPCAPS,
	/*
	 * Returns a fresh one-page PMOs holding SRV_PMO_MAGIC + i at
	 * offset 0, with ret SRV_RETCAPS_RET. If fy_ipc_return refuses,
	 * returns SRV_RETFAIL with b = its error.
	 */
	OP_RETCAPS,
	/*
	 * Returns caps the wrong way (a = enum retbad); fy_ipc_return must
	 * refuse, and the handler returns SRV_RETFAIL with b = its error.
	 */
	OP_RETBAD,
	/*
	 * System calls that are not the handler's to make: a, b, c = the
	 * results of fy_ipc_exit_routine_return, fy_ipc_register_cb_return
	 * and fy_register_server from inside the handler.
	 */
	OP_MISUSE,
	/* Returns what a second register_server in main() gave. */
	OP_REREG,
	/* caps[0] (a = 1) is the next server: connect to it; returns 0. */
	OP_SETNEXT,
	/*
	 * Forwards (op a, argument b, same payload) to the next server;
	 * c = its result. After an OP_XFORM adds 1 more to every payload
	 * byte. Returns SRV_CHAIN_RET.
	 */
	OP_CHAIN,
	/*
	 * Long preemptible system calls on the caller's scheduling context:
	 * maps a MiB, fills it with getrandom, unmaps it. Returns the bytes
	 * getrandom gave; counts as a finished spin for OP_SPINS.
	 */
	OP_LONGCALL,
};

enum retbad {
	RETBAD_NOT_OURS,   /* slot 99999 */
	RETBAD_MINUS_ONE,  /* slot -1 */
	RETBAD_NO_GRANT,   /* our PMO copied without GRANT */
	RETBAD_17,	   /* ncaps 17 */
	RETBAD_PAST_SLOTS, /* ncaps > cap_slots */
	RETBAD_BAD_HDR,	   /* cap_offset rewritten past the shm */
	RETBAD_PARTIAL,	   /* three good caps, then slot 99999 */
};

#define SRV_NOP_RET 0x600d
#define SRV_RETCAPS_RET 0x77
#define SRV_RETFAIL 0x4e7
#define SRV_CHAIN_RET 0xb
#define SRV_PMO_MAGIC 0xc0de0000ul
#define SRV_CAP_SCAN 256
/* Where the server maps PMOs it is sent; far from the lib's shm range. */
#define SRV_SCRATCH 0x210000000000ul

/*
 * OP_XFORM's work, shared by the servers that answer it (ipc_srv,
 * ipc_multi): adds 1 to every payload byte of m; returns the sum of the
 * old bytes. m->data_len is at least SRV_PAYLOAD (the callers check).
 */
static inline long srv_xform(struct ipc_msg *m)
{
	unsigned char *p = (unsigned char *)ipc_msg_data(m) + SRV_PAYLOAD;
	long sum = 0;

	for (uint32_t i = 0; i < m->data_len - SRV_PAYLOAD; i++) {
		sum += p[i];
		p[i]++;
	}
	return sum;
}

static inline int64_t srv_ticks(void)
{
	return fy_kstat(KSTAT_TICKS);
}

/*
 * The first thread cap we may call other than our own main thread: the
 * server cap a test transferred to us, waited for up to 500 ticks.
 */
/* Is slot c one of our initial capabilities ("fs", "procmgr", ...)? */
static inline int srv_initial(cap_t c)
{
	const struct initcap_table *t = fy_initcaps();
	const struct initcap_entry *e;

	for (unsigned i = 0; (e = fy_initcap_at(t, i)); i++)
		if (e->cap == c)
			return 1;
	return 0;
}

static inline cap_t srv_find_server(void)
{
	int64_t give_up = srv_ticks() + 500;

	while (srv_ticks() < give_up) {
		for (cap_t c = 3; c < SRV_CAP_SCAN; c++) {
			long info = srv_initial(c) ? -1 : fy_cap_info(c);

			if (info >= 0 &&
			    FY_CAP_INFO_TYPE(info) == OBJ_TYPE_THREAD &&
			    (FY_CAP_INFO_RIGHTS(info) & CAP_RIGHT_CALL))
				return c;
		}
		fy_yield();
	}
	return -1;
}

#endif
