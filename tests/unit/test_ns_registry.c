/*
 * The name server's pure logic (user/servers/nameserver/registry.c):
 * the name rules byte by byte and at every length, prefixes and the
 * system's names, the registry's bounds (in all and per process),
 * duplicates, the rights table and its revocation down the chain of
 * grants, and the waiters' bounds and matching.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "../../user/servers/nameserver/registry.h"

static int check(const char *s)
{
	return ns_name_check(s, strlen(s));
}

static void test_names_good(void **state)
{
	static const char *const good[] = {
		"a",   "Z",	    "0",	"-",	   "_",
		"a.b", "a-b_c.d-0", "ferry.fs", "x.y.z.w", "--._"};

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		assert_int_equal(check(good[i]), 0);
}

static void test_names_bad(void **state)
{
	static const char *const bad[] = {
		".",
		"..",
		".a",
		"a.",
		"a..b",
		"a b",
		"a/b",
		"a\\b",
		"a:b",
		"a*",
		"\t",
		"a\n",
		"\x7f",
		"a\x80",
		"\xff",
		"\xc3\xa9",	/* é: valid UTF-8, but not ASCII */
		"\xed\xa0\x80", /* a UTF-16 surrogate: not UTF-8 at all */
		"a@b",
		"a+b",
		"~"};

	(void)state;
	assert_int_equal(ns_name_check("", 0), -EINVAL);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(check(bad[i]), -EINVAL);
	/* A NUL inside the bytes given. */
	assert_int_equal(ns_name_check("a\0b", 3), -EINVAL);
	/* Every byte outside the set, alone and after a good one. */
	for (int c = 1; c < 256; c++) {
		char one[3] = {'a', (char)c, 0};
		int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			 (c >= '0' && c <= '9') || c == '-' || c == '_';

		if (c == '.')
			continue;
		assert_int_equal(ns_name_check(one, 2), ok ? 0 : -EINVAL);
	}
}

static void test_names_length(void **state)
{
	char buf[200];

	(void)state;
	memset(buf, 'a', sizeof(buf));
	for (size_t n = 1; n < NS_NAME_MAX; n++)
		assert_int_equal(ns_name_check(buf, n), 0);
	assert_int_equal(ns_name_check(buf, NS_NAME_MAX), -ENAMETOOLONG);
	assert_int_equal(ns_name_check(buf, sizeof(buf)), -ENAMETOOLONG);
	/* Length first: too long and bad is -ENAMETOOLONG. */
	buf[0] = ' ';
	assert_int_equal(ns_name_check(buf, NS_NAME_MAX), -ENAMETOOLONG);
	assert_int_equal(ns_name_check(buf, NS_NAME_MAX - 1), -EINVAL);
}

static void test_prefixes(void **state)
{
	(void)state;
	assert_int_equal(ns_prefix_check("", 0), 0);
	assert_int_equal(ns_prefix_check("ferry.", 6), -EINVAL);
	assert_int_equal(ns_prefix_check("ferry.test", 10), 0);
	assert_true(ns_prefix_covers("", "anything.at.all"));
	assert_true(ns_prefix_covers("ferry", "ferry"));
	assert_true(ns_prefix_covers("ferry", "ferry.fs"));
	assert_true(ns_prefix_covers("ferry.test", "ferry.test.a.b"));
	assert_false(ns_prefix_covers("ferry", "ferryx"));
	assert_false(ns_prefix_covers("ferry.test", "ferry.testx"));
	assert_false(ns_prefix_covers("ferry.test", "ferry"));
	assert_false(ns_prefix_covers("ferry.test.sub", "ferry.test.y"));
	assert_true(ns_name_reserved("ferry"));
	assert_true(ns_name_reserved("ferry.fs"));
	assert_false(ns_name_reserved("ferryman"));
	assert_false(ns_name_reserved("demo.ferry"));
}

static void test_registry(void **state)
{
	static struct ns_registry r;
	char name[32];
	int i;

	(void)state;
	memset(&r, 0, sizeof(r));
	assert_int_equal(ns_find(&r, "a"), -ENOENT);
	i = ns_add(&r, "a", 1);
	assert_true(i >= 0);
	assert_int_equal(ns_find(&r, "a"), i);
	assert_int_equal(r.names[i].owner, 1);
	assert_int_equal(ns_add(&r, "a", 2), -EEXIST);
	assert_int_equal(ns_add(&r, "a", 1), -EEXIST);
	ns_remove(&r, i);
	assert_int_equal(ns_find(&r, "a"), -ENOENT);
	assert_int_equal(r.names[i].server, -1);
	/* One process: NS_MAX_NAMES_PROC names, then -ENOSPC. */
	for (int k = 0; k < NS_MAX_NAMES_PROC; k++) {
		snprintf(name, sizeof(name), "p1.%d", k);
		assert_true(ns_add(&r, name, 1) >= 0);
	}
	assert_int_equal(ns_add(&r, "p1.more", 1), -ENOSPC);
	/* Others fill the table to NS_MAX_NAMES, then -ENOSPC for all. */
	for (int k = NS_MAX_NAMES_PROC; k < NS_MAX_NAMES; k++) {
		snprintf(name, sizeof(name), "o.%d", k);
		assert_true(ns_add(&r, name, 100 + (uint64_t)k) >= 0);
	}
	assert_int_equal(ns_add(&r, "late", 999), -ENOSPC);
	/* A freed entry is taken again. */
	i = ns_find(&r, "o.20");
	ns_remove(&r, i);
	assert_int_equal(ns_add(&r, "late", 999), i);
	/* The long name is kept whole. */
	memset(&r, 0, sizeof(r));
	memset(name, 0, sizeof(name));
	{
		char n63[NS_NAME_MAX];

		memset(n63, 'b', NS_NAME_MAX - 1);
		n63[NS_NAME_MAX - 1] = 0;
		i = ns_add(&r, n63, 1);
		assert_int_equal(ns_find(&r, n63), i);
		assert_string_equal(r.names[i].name, n63);
	}
}

static void test_rights(void **state)
{
	static struct ns_registry r;
	int32_t tokens[NS_MAX_RIGHTS];
	int root, a, b, c, d;

	(void)state;
	memset(&r, 0, sizeof(r));
	root = ns_right_add(&r, "", 0, -1);
	r.rights[root].token = 3;
	a = ns_right_add(&r, "ferry.test", 0, root); /* init's own */
	r.rights[a].token = 10;
	b = ns_right_add(&r, "ferry.test.sub", 0x1000, a);
	r.rights[b].token = 11;
	c = ns_right_add(&r, "ferry.test.sub.x", 0x2000, b);
	r.rights[c].token = 12;
	d = ns_right_add(&r, "ferry.test.other", 0x2000, a);
	r.rights[d].token = 13;
	/* The root and conn 0 are never revoked. */
	assert_int_equal(ns_rights_revoke(&r, 0, tokens), 0);
	/* Closing 0x1000 revokes b, and c granted from it (on 0x2000). */
	assert_int_equal(ns_rights_revoke(&r, 0x1000, tokens), 2);
	assert_true((tokens[0] == 11 && tokens[1] == 12) ||
		    (tokens[0] == 12 && tokens[1] == 11));
	assert_false(r.rights[b].used);
	assert_false(r.rights[c].used);
	assert_true(r.rights[d].used);
	assert_true(r.rights[a].used);
	assert_int_equal(ns_rights_revoke(&r, 0x1000, tokens), 0);
	assert_int_equal(ns_rights_revoke(&r, 0x2000, tokens), 1);
	assert_int_equal(tokens[0], 13);
	/* The table fills: -ENOSPC. */
	for (int k = 2; k < NS_MAX_RIGHTS; k++)
		assert_true(ns_right_add(&r, "x", 0x3000, root) >= 0);
	assert_int_equal(ns_right_add(&r, "x", 0x3000, root), -ENOSPC);
	assert_int_equal(ns_rights_revoke(&r, 0x3000, tokens),
			 NS_MAX_RIGHTS - 2);
}

static void test_waiters(void **state)
{
	static struct ns_registry r;
	int w[NS_MAX_WAITERS], n;

	(void)state;
	memset(&r, 0, sizeof(r));
	for (int k = 0; k < NS_MAX_WAITERS_PROC; k++)
		assert_true(ns_wait_add(&r, "svc", 7) >= 0);
	assert_int_equal(ns_wait_add(&r, "svc", 7), -ENOSPC);
	n = ns_waiters_of(&r, "svc", w);
	assert_int_equal(n, NS_MAX_WAITERS_PROC);
	assert_int_equal(ns_waiters_of(&r, "other", w), 0);
	ns_wait_remove(&r, w[0]);
	assert_int_equal(ns_waiters_of(&r, "svc", w), NS_MAX_WAITERS_PROC - 1);
	assert_true(ns_wait_add(&r, "svc", 7) >= 0);
	/* Others up to NS_MAX_WAITERS in all. */
	for (int k = NS_MAX_WAITERS_PROC; k < NS_MAX_WAITERS; k++)
		assert_true(ns_wait_add(&r, "other", 100 + (uint64_t)k) >= 0);
	assert_int_equal(ns_wait_add(&r, "late", 999), -ENOSPC);
	assert_int_equal(ns_waiters_of(&r, "other", w),
			 NS_MAX_WAITERS - NS_MAX_WAITERS_PROC);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names_good),
		cmocka_unit_test(test_names_bad),
		cmocka_unit_test(test_names_length),
		cmocka_unit_test(test_prefixes),
		cmocka_unit_test(test_registry),
		cmocka_unit_test(test_rights),
		cmocka_unit_test(test_waiters),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
