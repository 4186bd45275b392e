/*
 * The kernel's random generator. Its whole secret is one ChaCha20 key.
 *
 * Output is "fast key erasure" (D. J. Bernstein, 2017; Linux's crng
 * works this way since 5.17): a request runs ChaCha20 under the key with
 * a fresh nonce; block 0's first 32 bytes become the next key and the
 * rest of the stream is the output. The old key is gone before the
 * caller sees a byte, so whoever learns the state later cannot recompute
 * what was handed out before.
 *
 * Input is folded into the key 44 bytes at a time: the piece is XORed
 * into the key and supplies the nonce, and the first 32 bytes of the
 * resulting block are the new key. The block adds its input back, so
 * the step cannot be undone, and a key that was secret stays secret
 * whatever the input (a ChaCha20 compression, not a hash with
 * proofs; the hardware seed carries the weight, as on Linux).
 *
 * Seeding (random_init): 64 RDRAND words if the CPU has RDRAND, the RTC
 * registers, the wall clock, and TSC readings taken around each step.
 * Every boot therefore starts from a different state: by RDRAND alone
 * where it exists, and otherwise by the RTC second and the TSC count
 * at boot, which differ run to run (weak, and logged as such).
 *
 * `make bench` keeps no fixed seed: no code path depends on the values
 * drawn (only AT_RANDOM and getrandom's buffers hold them), so the
 * instruction counts repeat anyway.
 *
 * Locking: random_lock guards key and nonce. Not used from interrupts.
 */
#include <arch/arch.h>
#include <lib/chacha20.h>
#include <lib/lock.h>
#include <lib/printk.h>
#include <lib/random.h>
#include <lib/string.h>
#include <lib/time.h>

#define MIX_PIECE 44 /* 32 key bytes + 12 nonce bytes */

static struct spinlock random_lock = SPINLOCK_INIT;
static u32 key[CHACHA20_KEY_WORDS];
static u32 nonce[CHACHA20_NONCE_WORDS];

static void wipe(void *p, size_t n)
{
	volatile u8 *b = p;

	while (n--)
		*b++ = 0;
}

static u32 le32(const u8 *b)
{
	return b[0] | (u32)b[1] << 8 | (u32)b[2] << 16 | (u32)b[3] << 24;
}

static void mix_piece_locked(const u8 piece[MIX_PIECE])
{
	u32 k[CHACHA20_KEY_WORDS], n[CHACHA20_NONCE_WORDS];
	u8 blk[CHACHA20_BLOCK];

	for (int i = 0; i < CHACHA20_KEY_WORDS; i++)
		k[i] = key[i] ^ le32(piece + 4 * i);
	for (int i = 0; i < CHACHA20_NONCE_WORDS; i++)
		n[i] = le32(piece + 32 + 4 * i);
	chacha20_block(k, 0, n, blk);
	for (int i = 0; i < CHACHA20_KEY_WORDS; i++)
		key[i] = le32(blk + 4 * i);
	wipe(k, sizeof(k));
	wipe(blk, sizeof(blk));
}

void random_mix(const void *buf, size_t n)
{
	const u8 *p = buf;
	u8 piece[MIX_PIECE];

	lock(&random_lock);
	while (n) {
		size_t k = MIN(n, MIX_PIECE);

		memset(piece, 0, sizeof(piece));
		memcpy(piece, p, k);
		mix_piece_locked(piece);
		p += k;
		n -= k;
	}
	unlock(&random_lock);
	wipe(piece, sizeof(piece));
}

void random_bytes(void *out, size_t n)
{
	u8 blk[CHACHA20_BLOCK], *o = out;
	u32 old[CHACHA20_KEY_WORDS];

	lock(&random_lock);
	memcpy(old, key, sizeof(old));
	if (++nonce[0] == 0 && ++nonce[1] == 0) /* never reuse a nonce */
		nonce[2]++;
	chacha20_block(old, 0, nonce, blk);
	for (int i = 0; i < CHACHA20_KEY_WORDS; i++)
		key[i] = le32(blk + 4 * i);
	for (u32 ctr = 0; n; ctr++) {
		size_t from = ctr == 0 ? 32 : 0;
		size_t k = MIN(n, CHACHA20_BLOCK - from);

		if (ctr)
			chacha20_block(old, ctr, nonce, blk);
		memcpy(o, blk + from, k);
		o += k;
		n -= k;
	}
	unlock(&random_lock);
	wipe(old, sizeof(old));
	wipe(blk, sizeof(blk));
}

void random_init(void)
{
	struct {
		u64 tsc0;
		u64 hw[64];
		struct rtc_raw rtc;
		s64 real;
		u64 tsc1;
	} seed;
	int hw = 0;

	memset(&seed, 0, sizeof(seed));
	seed.tsc0 = arch_tsc();
	for (int i = 0; i < 64; i++)
		hw += arch_hw_random(&seed.hw[i]);
	if (arch_rtc_read(&seed.rtc))
		memset(&seed.rtc, 0, sizeof(seed.rtc));
	seed.real = time_real_ns();
	seed.tsc1 = arch_tsc();
	random_mix(&seed, sizeof(seed));
	wipe(&seed, sizeof(seed));
	if (hw < 64)
		printk("[ferry] random: %s; seeded from the RTC and TSC only\n",
		       hw ? "RDRAND failed" : "no RDRAND");
}
