/*
 * Entropy: getrandom(2) and AT_RANDOM. The getrandom results were
 * measured under Linux 6.1 with linux-ref. AT_RANDOM must differ between
 * processes, even two of the same binary with arguments of the same
 * length (once it depended on nothing else). That it differs between
 * boots follows from the seed (RDRAND, the RTC, the TSC; see
 * kernel/lib/random.c), which one boot cannot test.
 */
#include <stdio.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <ferry/ferry.h>

#include "tap.h"
#include "util.h"

#define GRND_NONBLOCK 1
#define GRND_RANDOM 2
#define GRND_INSECURE 4

static long grnd(void *buf, long len, long flags)
{
	return fy_syscall3(SYS_getrandom, (long)buf, len, flags);
}

static int all_zero(const unsigned char *p, size_t n)
{
	while (n--)
		if (*p++)
			return 0;
	return 1;
}

static void test_flags(void)
{
	unsigned char buf[16];

	/* getrandom(2): EINVAL "an invalid flag was specified in flags";
	 * GRND_INSECURE with GRND_RANDOM is invalid too (6 and 7). */
	for (long f = 0; f < 16; f++)
		tap_eq(grnd(buf, 16, f), f < 6 ? 16 : -EINVAL,
		       "getrandom(buf, 16, %ld)", f);
	tap_eq(grnd(buf, 16, 1l << 32), 16,
	       "flags is an unsigned int: 1 << 32 is 0");
	tap_eq(grnd(buf, 16, 0x80000000l), -EINVAL, "flag bit 31: -EINVAL");
	tap_eq(grnd(0, 16, 8), -EINVAL, "flags are checked before the buffer");
}

static void test_buffers(void)
{
	unsigned char a[64], b[64];
	char *m;

	memset(a, 0, sizeof(a));
	memset(b, 0, sizeof(b));
	tap_eq(grnd(a, 64, 0), 64, "getrandom(64 bytes)");
	tap_eq(grnd(b, 64, GRND_NONBLOCK), 64, "again, GRND_NONBLOCK");
	tap_ok(!all_zero(a, 64) && memcmp(a, b, 64) != 0,
	       "the bytes are not zero and differ call to call");
	tap_eq(grnd(0, 0, 0), 0, "getrandom(NULL, 0) is 0");
	/* access_ok lets an empty range end at TASK_SIZE_MAX (linux-ref: 0,
	 * and -EFAULT one byte above). */
	tap_eq(grnd((void *)0x7ffffffff000ul, 0, 0), 0,
	       "getrandom(TASK_SIZE_MAX, 0) is 0");
	tap_eq(grnd((void *)0x7ffffffff001ul, 0, 0), -EFAULT,
	       "getrandom(TASK_SIZE_MAX + 1, 0) is -EFAULT");
	/* EFAULT "the address referred to by buf is outside the
	 * accessible address space". */
	tap_eq(grnd(0, 16, 0), -EFAULT, "getrandom(NULL, 16) is -EFAULT");
	tap_eq(grnd(KERNEL_PTR, 16, 0), -EFAULT, "a kernel buffer: -EFAULT");
	tap_eq(grnd(unmapped_ptr(), 16, 0), -EFAULT,
	       "an unmapped buffer: -EFAULT");
	tap_eq(grnd((void *)"read-only", 4, 0), -EFAULT,
	       "a read-only buffer: -EFAULT");
	/* Three pages, the third unmapped: Linux fills up to the hole and
	 * returns the count; a huge length is capped (MAX_RW_COUNT) and
	 * stops at the hole the same way. */
	m = mmap(0, 3 * 4096, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	tap_ok(m != MAP_FAILED, "mmap three pages");
	munmap(m + 8192, 4096);
	tap_eq(grnd(m + 100, 20000, 0), 8092,
	       "a buffer running into a hole: the bytes before it");
	tap_eq(grnd(m, 1l << 40, 0), 8192, "length 1 << 40: up to the hole");
	tap_eq(grnd(m, -1, 0), 8192, "length -1: up to the hole");
	munmap(m, 8192);
}

static void test_at_random(void)
{
	const unsigned char *mine = (const void *)getauxval(AT_RANDOM);
	unsigned char kids[2][16];
	long pmo, st;

	tap_ok(mine != 0, "AT_RANDOM is in the auxiliary vector");
	if (!mine)
		return;
	tap_ok(!all_zero(mine, 16), "and is not zero");
	/*
	 * make test boots twice (IPC fast path on and off): the collector
	 * fails unless each boot printed a different value.
	 */
	char line[64];
	int n = snprintf(line, sizeof(line), "# boot-unique: at_random ");

	for (int i = 0; i < 16; i++)
		n += snprintf(line + n, sizeof(line) - n, "%02x", mine[i]);
	line[n++] = '\n';
	write(1, line, n); /* one write: a line is never split */
	pmo = fy_pmo_create(4096, PMO_ANONYMOUS);
	tap_ok(pmo >= 0, "a PMO for the children's AT_RANDOM");
	for (int i = 0; i < 2; i++) {
		/* Same binary, same argument lengths. */
		const char *const argv[] = {"helpers/at_random", i ? "1" : "0",
					    NULL};
		static const char *const envp[] = {NULL};
		long proc = fy_spawn(argv[0], argv, envp);

		tap_ok(proc >= 0, "spawn at_random %d", i);
		if (proc < 0)
			continue;
		tap_ok(fy_cap_transfer((cap_t)proc, (cap_t)pmo,
				       CAP_RIGHT_READ | CAP_RIGHT_WRITE,
				       -1) >= 0,
		       "hand it the PMO");
		st = fy_proc_wait((cap_t)proc);
		tap_eq(st, 0, "it wrote its AT_RANDOM and exited 0");
		fy_cap_delete((cap_t)proc);
	}
	tap_eq(fy_pmo_read((cap_t)pmo, 0, kids, sizeof(kids)), 0,
	       "read the children's bytes");
	tap_ok(memcmp(kids[0], kids[1], 16) != 0,
	       "two processes of one binary get different AT_RANDOM");
	tap_ok(memcmp(kids[0], mine, 16) != 0 && memcmp(kids[1], mine, 16),
	       "and both differ from ours");
	fy_cap_delete((cap_t)pmo);
}

int main(void)
{
	test_flags();
	test_buffers();
	test_at_random();
	return tap_done();
}
