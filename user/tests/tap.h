/*
 * A tiny TAP producer for the programs under user/tests/. Every line goes
 * out in one write(1), unbuffered, so nothing is lost if the program dies
 * and lines do not interleave with other output. The plan "1..N" is
 * printed at the end by tap_done(), which TAP allows.
 */
#ifndef TESTS_TAP_H
#define TESTS_TAP_H

/* Prints "ok N - desc" or "not ok N - desc"; returns cond. */
int tap_ok(int cond, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* As tap_ok(got == want), adding both values to a failure line. */
int tap_eq(long got, long want, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* A "# ..." line. */
void tap_diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Prints the plan; returns the exit status: 0 if every check passed. */
int tap_done(void);

#endif
