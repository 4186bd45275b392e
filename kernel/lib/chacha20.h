/*
 * The ChaCha20 block function of RFC 8439 (section 2.3): 20 rounds over
 * a 256-bit key, a 32-bit block counter and a 96-bit nonce, giving 64
 * bytes of key stream. The kernel's random generator is built on it.
 */
#ifndef KERNEL_LIB_CHACHA20_H
#define KERNEL_LIB_CHACHA20_H

#include <lib/types.h>

#define CHACHA20_KEY_WORDS 8
#define CHACHA20_NONCE_WORDS 3
#define CHACHA20_BLOCK 64

/* Writes block `counter` of the key stream for (key, nonce) to out. */
void chacha20_block(const u32 key[CHACHA20_KEY_WORDS], u32 counter,
		    const u32 nonce[CHACHA20_NONCE_WORDS],
		    u8 out[CHACHA20_BLOCK]);

#endif
