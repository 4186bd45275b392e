/*
 * The kernel's own mem* and str* functions: there is no libc below us.
 *
 * gcc may emit calls to memcpy/memset/memmove for struct copies, so these
 * are the definitions such calls land on. It can also turn a byte loop
 * into a call to memset or memcpy (-ftree-loop-distribute-patterns), which
 * inside memset itself would recurse forever. -ffreestanding prevents that
 * in current gcc; the attribute makes these functions safe whatever flags
 * they are built with (the unit tests build this file without it).
 */
#include <lib/string.h>

#define NO_LIBCALL __attribute__((optimize("no-tree-loop-distribute-patterns")))

/* Word access that may alias anything (the compiler must not assume). */
typedef uint64_t __attribute__((may_alias)) word_t;

/*
 * Aligned runs go a word at a time, four words per step: zeroing a page
 * is on the demand-fault path, and a byte loop costs eight times more.
 */
NO_LIBCALL void *memset(void *d, int c, size_t n)
{
	unsigned char *p = d;

	if (((uintptr_t)p & 7) == 0 && n >= 32) {
		word_t w = 0x0101010101010101ull * (unsigned char)c;
		word_t *wp = (word_t *)p;

		for (; n >= 32; n -= 32, wp += 4) {
			wp[0] = w;
			wp[1] = w;
			wp[2] = w;
			wp[3] = w;
		}
		for (; n >= 8; n -= 8) /* a struct's tail: words, not bytes */
			*wp++ = w;
		p = (unsigned char *)wp;
	}
	while (n--)
		*p++ = (unsigned char)c;
	return d;
}

NO_LIBCALL void *memcpy(void *d, const void *s, size_t n)
{
	unsigned char *dp = d;
	const unsigned char *sp = s;

	if ((((uintptr_t)dp | (uintptr_t)sp) & 7) == 0 && n >= 32) {
		word_t *wd = (word_t *)dp;
		const word_t *ws = (const word_t *)sp;

		for (; n >= 32; n -= 32, wd += 4, ws += 4) {
			wd[0] = ws[0];
			wd[1] = ws[1];
			wd[2] = ws[2];
			wd[3] = ws[3];
		}
		for (; n >= 8; n -= 8)
			*wd++ = *ws++;
		dp = (unsigned char *)wd;
		sp = (const unsigned char *)ws;
	}
	while (n--)
		*dp++ = *sp++;
	return d;
}

NO_LIBCALL void *memmove(void *d, const void *s, size_t n)
{
	unsigned char *dp = d;
	const unsigned char *sp = s;

	/* Copy backwards only when the destination starts inside the source. */
	if ((uintptr_t)dp - (uintptr_t)sp >= n) {
		while (n--)
			*dp++ = *sp++;
	} else {
		while (n--)
			dp[n] = sp[n];
	}
	return d;
}

NO_LIBCALL int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *pa = a, *pb = b;

	for (; n; n--, pa++, pb++) {
		if (*pa != *pb)
			return *pa < *pb ? -1 : 1;
	}
	return 0;
}

NO_LIBCALL size_t strlen(const char *s)
{
	const char *p = s;

	while (*p)
		p++;
	return (size_t)(p - s);
}

NO_LIBCALL size_t strnlen(const char *s, size_t max)
{
	size_t n = 0;

	while (n < max && s[n])
		n++;
	return n;
}

int strcmp(const char *a, const char *b)
{
	const unsigned char *pa = (const unsigned char *)a;
	const unsigned char *pb = (const unsigned char *)b;

	while (*pa && *pa == *pb) {
		pa++;
		pb++;
	}
	return (*pa > *pb) - (*pa < *pb);
}

int strncmp(const char *a, const char *b, size_t n)
{
	const unsigned char *pa = (const unsigned char *)a;
	const unsigned char *pb = (const unsigned char *)b;

	for (; n; n--, pa++, pb++) {
		if (*pa != *pb)
			return *pa < *pb ? -1 : 1;
		if (!*pa)
			break;
	}
	return 0;
}

NO_LIBCALL size_t strlcpy(char *d, const char *s, size_t n)
{
	size_t len = strlen(s);

	if (n) {
		size_t copy = len < n - 1 ? len : n - 1;

		memcpy(d, s, copy);
		d[copy] = '\0';
	}
	return len;
}
