/*
 * The pending-flag protocol of libferry's services (docs/services.md),
 * pure: no system calls, so the hosted unit tests run it
 * (tests/unit/test_svc_pending.c) with threads standing in for the
 * processes and an atomic word for the notification object.
 *
 *   sender:   svc_flag_raise(flag); notify(peer, bit)
 *   receiver: bits = wait(); for each bit: svc_flag_take(flag) -> run
 *
 * Raising before notifying, and taking the bits before the flags, means a
 * raise the receiver's take missed comes with a bit its next wait sees:
 * nothing is lost, and raises between two takes run one callback.
 */
#ifndef LIBFERRY_SVC_PENDING_H
#define LIBFERRY_SVC_PENDING_H

#include <stdint.h>

#include <ferry/service.h>

static inline void svc_flag_raise(uint32_t *flag)
{
	__atomic_store_n(flag, 1, __ATOMIC_SEQ_CST);
}

/* 1 if the flag was raised since the last take (it is lowered now). */
static inline int svc_flag_take(uint32_t *flag)
{
	return __atomic_exchange_n(flag, 0, __ATOMIC_SEQ_CST) != 0;
}

static inline int svc_flag_peek(uint32_t *flag)
{
	return __atomic_load_n(flag, __ATOMIC_SEQ_CST) != 0;
}

/*
 * What a client's callback is to be told for one connection whose bit
 * came: FY_SVC_NOTIFIED if its flag was raised, FY_SVC_DEAD the first
 * time the service is seen dead (*dead_told then set). Without a
 * callback nothing is taken: the flag stays raised and the death untold
 * until one is set.
 */
static inline unsigned svc_client_events(uint32_t *flag, int has_fn, int dead,
					 int *dead_told)
{
	unsigned ev = 0;

	if (!has_fn)
		return 0;
	if (svc_flag_take(flag))
		ev |= FY_SVC_NOTIFIED;
	if (dead && !*dead_told) {
		*dead_told = 1;
		ev |= FY_SVC_DEAD;
	}
	return ev;
}

/* Whether setting a callback finds something already due. */
static inline int svc_client_due(uint32_t *flag, int dead, int dead_told)
{
	return svc_flag_peek(flag) || (dead && !dead_told);
}

#endif
