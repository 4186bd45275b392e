/*
 * ChaCha20's block function, written from RFC 8439 section 2: the state
 * is four constant words, the key, the counter and the nonce; twenty
 * rounds of quarter rounds (columns, then diagonals) stir it, the input
 * is added back (so the function cannot be run backwards), and the words
 * are written out little-endian.
 */
#include <lib/chacha20.h>

#define ROTL(v, n) (((v) << (n)) | ((v) >> (32 - (n))))

static inline void quarter(u32 *x, int a, int b, int c, int d)
{
	x[a] += x[b];
	x[d] = ROTL(x[d] ^ x[a], 16);
	x[c] += x[d];
	x[b] = ROTL(x[b] ^ x[c], 12);
	x[a] += x[b];
	x[d] = ROTL(x[d] ^ x[a], 8);
	x[c] += x[d];
	x[b] = ROTL(x[b] ^ x[c], 7);
}

void chacha20_block(const u32 key[CHACHA20_KEY_WORDS], u32 counter,
		    const u32 nonce[CHACHA20_NONCE_WORDS],
		    u8 out[CHACHA20_BLOCK])
{
	u32 in[16], x[16];

	in[0] = 0x61707865; /* "expand 32-byte k" */
	in[1] = 0x3320646e;
	in[2] = 0x79622d32;
	in[3] = 0x6b206574;
	for (int i = 0; i < CHACHA20_KEY_WORDS; i++)
		in[4 + i] = key[i];
	in[12] = counter;
	for (int i = 0; i < CHACHA20_NONCE_WORDS; i++)
		in[13 + i] = nonce[i];
	for (int i = 0; i < 16; i++)
		x[i] = in[i];
	for (int r = 0; r < 10; r++) {
		quarter(x, 0, 4, 8, 12);
		quarter(x, 1, 5, 9, 13);
		quarter(x, 2, 6, 10, 14);
		quarter(x, 3, 7, 11, 15);
		quarter(x, 0, 5, 10, 15);
		quarter(x, 1, 6, 11, 12);
		quarter(x, 2, 7, 8, 13);
		quarter(x, 3, 4, 9, 14);
	}
	for (int i = 0; i < 16; i++) {
		u32 v = x[i] + in[i];

		out[4 * i + 0] = (u8)v;
		out[4 * i + 1] = (u8)(v >> 8);
		out[4 * i + 2] = (u8)(v >> 16);
		out[4 * i + 3] = (u8)(v >> 24);
	}
}
