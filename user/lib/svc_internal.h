/*
 * What the three parts of libferry's service library share (not an API):
 * the event loop (svc_loop.c), the service side (svc_server.c) and the
 * client side with its shared buffers (svc_client.c). docs/services.md.
 *
 * One notification object per process carries every event: bits 0..31
 * name the service side's client slots (slot i, bit i), bits 32..62 the
 * client side's services (svc i, bit 32 + i), bit 63 is left unused.
 */
#ifndef LIBFERRY_SVC_INTERNAL_H
#define LIBFERRY_SVC_INTERNAL_H

#include <stdatomic.h>

#include <ferry/service.h>
#include <uapi/ferry/proto/service.h>

#define SVC_SERVER_BITS 0xffffffffull
#define SVC_CLIENT_BIT0 32u

/*
 * Our notification object (all rights), made on first use; a negative
 * errno if it cannot be made. Any thread may ask.
 */
long svc_events(void);

/*
 * The service side's part of a wake, set by fy_service_serve: runs the
 * callbacks of the client slots whose bits are in `bits`, returns how
 * many ran. NULL while this process serves nothing.
 */
extern int (*svc_server_run)(uint64_t bits);
/* The client side's part of a wake (bits 32..62). */
int svc_client_run(uint64_t bits);

/*
 * A lock between the loop thread and the passive handler threads, which
 * run without TLS: a compare-exchange, and a 1 ms sleep (raw syscall)
 * when taken, since the holder may run at a lower priority than we do
 * and a plain yield would never let it go on.
 */
void svc_lock(atomic_int *l);
void svc_unlock(atomic_int *l);
void svc_sleep_ms(long ms);

#endif
