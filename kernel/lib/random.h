/*
 * The kernel's random source: a ChaCha20-based generator seeded at boot
 * from the CPU's RDRAND (where the CPU model has it), the RTC and the
 * TSC. It feeds AT_RANDOM and getrandom(2).
 */
#ifndef KERNEL_LIB_RANDOM_H
#define KERNEL_LIB_RANDOM_H

#include <lib/types.h>

/* Boot: seeds the generator. Needs time_init done (it mixes the RTC). */
void random_init(void);
/* Stirs n bytes into the state; nothing of the old state is lost. */
void random_mix(const void *buf, size_t n);
/*
 * Fills out with n random bytes. Its cost is linear in n with the lock
 * held and no preemption point: callers with big n ask in pieces
 * (RANDOM_CHUNK) and call sched_preempt_point() in between.
 */
void random_bytes(void *out, size_t n);
#define RANDOM_CHUNK 4096

#endif
