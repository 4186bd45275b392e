#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

#include "tap.h"

static int tap_count, tap_failed;

static void put_line(const char *prefix, const char *fmt, va_list ap,
		     const char *suffix)
{
	char line[512];
	int n = snprintf(line, sizeof(line), "%s", prefix);

	if (n < (int)sizeof(line))
		n += vsnprintf(line + n, sizeof(line) - n, fmt, ap);
	if (n < (int)sizeof(line))
		n += snprintf(line + n, sizeof(line) - n, "%s\n", suffix);
	if (n >= (int)sizeof(line)) {
		n = sizeof(line) - 1;
		line[n - 1] = '\n';
	}
	write(1, line, n);
}

static int report(int cond, const char *fmt, va_list ap, const char *suffix)
{
	char prefix[32];

	tap_count++;
	if (!cond)
		tap_failed++;
	snprintf(prefix, sizeof(prefix), "%s %d - ", cond ? "ok" : "not ok",
		 tap_count);
	put_line(prefix, fmt, ap, suffix);
	return cond;
}

int tap_ok(int cond, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report(cond, fmt, ap, "");
	va_end(ap);
	return cond;
}

int tap_eq(long got, long want, const char *fmt, ...)
{
	char suffix[80] = "";
	va_list ap;

	if (got != want)
		snprintf(suffix, sizeof(suffix), " # got %ld (0x%lx) want %ld",
			 got, got, want);
	va_start(ap, fmt);
	report(got == want, fmt, ap, suffix);
	va_end(ap);
	return got == want;
}

void tap_diag(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	put_line("# ", fmt, ap, "");
	va_end(ap);
}

int tap_done(void)
{
	char line[32];
	int n = snprintf(line, sizeof(line), "1..%d\n", tap_count);

	write(1, line, n);
	return tap_failed ? 1 : 0;
}
