/*
 * user/lib/stack_build.c and user/lib/initcaps.c: build a stack, then read
 * it back as the new process would (argc, argv, envp, auxv, and the
 * initial-capability table through AT_FERRY_CAPS), and every limit. The
 * stack's "user addresses" are its real host addresses (stack_top is the
 * buffer's end), so the pointers on it can be followed directly; buffers
 * are heap blocks of exactly the size given, so ASan sees any overflow.
 */
#include <elf.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <ferry/initcaps.h>
#include <ferry/stack_build.h>
#include <uapi/ferry/errno.h>
#include <uapi/ferry/proc.h>

static const struct fy_elf_info elf = {
	.entry = 0x401086,
	.phdr_vaddr = 0x400040,
	.phnum = 7,
	.phentsize = 56,
};
static const uint8_t rnd[16] = {1, 2,  3,  4,  5,  6,  7,  8,
				9, 10, 11, 12, 13, 14, 15, 16};
static const char *const argv3[] = {"hello", "a", "b c", NULL};
static const char *const envp2[] = {"PATH=/", "HOME=/", NULL};
static const struct fy_initcap_spec caps3[] = {
	{"fs", 5, CAP_RIGHT_CALL},
	{"procmgr", 7, CAP_RIGHT_CALL | CAP_RIGHT_GRANT},
	{"pager", 9, 0},
};

static struct fy_stack_args base_args(void)
{
	return (struct fy_stack_args){.argv = argv3,
				      .envp = envp2,
				      .caps = caps3,
				      .ncaps = 3,
				      .elf = &elf,
				      .random = rnd,
				      .hwcap2 = 2};
}

/* What a process finds from its stack pointer (psABI "Initial Stack"). */
struct parsed {
	long argc;
	char **argv, **envp;
	uint64_t *auxv;
	int envc;
};

static struct parsed read_stack(uint64_t sp)
{
	uint64_t *w = (uint64_t *)sp;
	struct parsed p = {.argc = (long)w[0], .argv = (char **)&w[1]};

	assert_null(p.argv[p.argc]);
	p.envp = &p.argv[p.argc + 1];
	while (p.envp[p.envc])
		p.envc++;
	p.auxv = (uint64_t *)&p.envp[p.envc + 1];
	return p;
}

/* The auxv value of `type`; fails the test if it appears twice. */
static int aux_get(const struct parsed *p, uint64_t type, uint64_t *val)
{
	int found = 0;

	for (uint64_t *a = p->auxv; a[0] != AT_NULL; a += 2)
		if (a[0] == type) {
			*val = a[1];
			found++;
		}
	assert_true(found <= 1);
	return found;
}

static uint64_t aux(const struct parsed *p, uint64_t type)
{
	uint64_t v = 0;

	assert_int_equal(aux_get(p, type, &v), 1);
	return v;
}

/* Builds `a` into an exactly-sized heap buffer; returns sp (or error). */
static long build(const struct fy_stack_args *a, uint8_t **bufp)
{
	long size = fy_stack_size(a);
	uint8_t *buf;

	if (size < 0)
		return size;
	buf = malloc((size_t)size);
	assert_non_null(buf);
	/* malloc's blocks are 16-byte aligned; so is their end. */
	assert_int_equal(((uintptr_t)buf + (size_t)size) % 16, 0);
	*bufp = buf;
	return fy_stack_build(buf, (size_t)size, (uintptr_t)buf + (size_t)size,
			      a);
}

static void test_round_trip(void **state)
{
	struct fy_stack_args a = base_args();
	const struct initcap_table *t;
	uint8_t *buf;
	long sp = build(&a, &buf);
	struct parsed p;

	(void)state;
	assert_true(sp > 0);
	assert_int_equal(sp % 16, 0);
	/* The whole buffer is the stack: nothing wasted but padding. */
	assert_int_equal(sp, (uintptr_t)buf);
	p = read_stack((uint64_t)sp);
	assert_int_equal(p.argc, 3);
	for (int i = 0; i < 3; i++)
		assert_string_equal(p.argv[i], argv3[i]);
	assert_int_equal(p.envc, 2);
	assert_string_equal(p.envp[0], "PATH=/");
	assert_string_equal(p.envp[1], "HOME=/");

	assert_int_equal(aux(&p, AT_PHDR), 0x400040);
	assert_int_equal(aux(&p, AT_PHENT), 56);
	assert_int_equal(aux(&p, AT_PHNUM), 7);
	assert_int_equal(aux(&p, AT_PAGESZ), 4096);
	assert_int_equal(aux(&p, AT_ENTRY), 0x401086);
	assert_int_equal(aux(&p, AT_UID), 0);
	assert_int_equal(aux(&p, AT_EUID), 0);
	assert_int_equal(aux(&p, AT_GID), 0);
	assert_int_equal(aux(&p, AT_EGID), 0);
	assert_int_equal(aux(&p, AT_SECURE), 0);
	assert_int_equal(aux(&p, AT_HWCAP2), 2);
	assert_memory_equal((void *)aux(&p, AT_RANDOM), rnd, 16);
	assert_string_equal((char *)aux(&p, AT_EXECFN), "hello");

	/* Everything it points at lies inside the stack. */
	assert_true(aux(&p, AT_RANDOM) + 16 <=
		    (uintptr_t)buf + (size_t)fy_stack_size(&a));
	t = (const struct initcap_table *)aux(&p, AT_FERRY_CAPS);
	assert_int_equal((uintptr_t)t % 8, 0);
	assert_int_equal(t->count, 3);
	assert_int_equal(t->entry_size, sizeof(struct initcap_entry));
	assert_int_equal(fy_initcaps_find(t, "fs"), 5);
	assert_int_equal(fy_initcaps_find(t, "procmgr"), 7);
	assert_int_equal(fy_initcaps_find(t, "pager"), 9);
	assert_int_equal(fy_initcaps_find(t, "nope"), -ENOENT);
	assert_int_equal(fy_initcaps_find(t, "f"), -ENOENT);
	assert_int_equal(fy_initcaps_find(t, "fs2"), -ENOENT);
	assert_int_equal(fy_initcaps_find(t, ""), -ENOENT);
	assert_int_equal(fy_initcaps_find(t, NULL), -ENOENT);
	/* The listing, in the caller's order, names NUL-padded. */
	assert_string_equal(fy_initcap_at(t, 1)->name, "procmgr");
	assert_int_equal(fy_initcap_at(t, 1)->rights,
			 CAP_RIGHT_CALL | CAP_RIGHT_GRANT);
	for (size_t k = strlen("procmgr"); k < INITCAP_NAME_MAX; k++)
		assert_int_equal(fy_initcap_at(t, 1)->name[k], 0);
	assert_null(fy_initcap_at(t, 3));
	free(buf);
}

static void test_no_caps_no_entry(void **state)
{
	struct fy_stack_args a = base_args();
	uint64_t v;
	uint8_t *buf;
	long sp;

	(void)state;
	a.ncaps = 0;
	a.envp = NULL;
	a.execfn = "/bin/hello";
	sp = build(&a, &buf);
	assert_true(sp > 0);
	struct parsed p = read_stack((uint64_t)sp);
	assert_int_equal(p.envc, 0);
	assert_int_equal(aux_get(&p, AT_FERRY_CAPS, &v), 0);
	assert_string_equal((char *)aux(&p, AT_EXECFN), "/bin/hello");
	assert_int_equal(fy_initcaps_find(NULL, "fs"), -ENOENT);
	free(buf);
}

/* The host process has no AT_FERRY_CAPS: every lookup is -ENOENT. */
static void test_own_table_absent_on_host(void **state)
{
	(void)state;
	assert_null(fy_initcaps());
	assert_int_equal(fy_initial_cap("fs"), -ENOENT);
}

static void test_table_read_defensively(void **state)
{
	struct {
		struct initcap_table t;
		struct initcap_entry e[2];
	} tab = {{2, sizeof(struct initcap_entry)}, {{"a", 1, 0}, {"b", 2, 0}}};

	(void)state;
	assert_int_equal(fy_initcaps_find(&tab.t, "b"), 2);
	tab.t.entry_size = 40; /* a layout we do not know */
	assert_int_equal(fy_initcaps_find(&tab.t, "b"), -ENOENT);
	assert_null(fy_initcap_at(&tab.t, 0));
	tab.t.entry_size = sizeof(struct initcap_entry);
	tab.t.count = 1;
	assert_int_equal(fy_initcaps_find(&tab.t, "b"), -ENOENT);
	/* A name as long as the field matches nothing (it has no NUL). */
	memset(tab.e[0].name, 'x', INITCAP_NAME_MAX);
	char longname[INITCAP_NAME_MAX + 1];
	memset(longname, 'x', INITCAP_NAME_MAX);
	longname[INITCAP_NAME_MAX] = 0;
	assert_int_equal(fy_initcaps_find(&tab.t, longname), -ENOENT);
}

/* Every length of argv[0] and envp: sp aligned, all read back. */
static void test_alignment_sweep(void **state)
{
	char s[64];

	(void)state;
	for (int len = 1; len < 40; len++)
		for (int nenv = 0; nenv < 3; nenv++) {
			const char *argv[] = {s, NULL};
			const char *envp[] = {"A=1", "B=22", NULL};
			struct fy_stack_args a = base_args();
			uint8_t *buf;
			long sp;

			memset(s, 'a' + len % 26, (size_t)len);
			s[len] = 0;
			envp[nenv] = NULL;
			a.argv = argv;
			a.envp = envp;
			a.ncaps = (size_t)len % 4;
			sp = build(&a, &buf);
			assert_true(sp > 0);
			assert_int_equal(sp % 16, 0);
			struct parsed p = read_stack((uint64_t)sp);
			assert_string_equal(p.argv[0], s);
			assert_int_equal(p.envc, nenv);
			assert_int_equal(
				fy_initcaps_find(
					(void *)(a.ncaps ? aux(&p,
							       AT_FERRY_CAPS)
							 : 0),
					"fs"),
				a.ncaps ? 5 : -ENOENT);
			free(buf);
		}
}

static void test_arg_count_limits(void **state)
{
	const char *v[SPAWN_MAX_ARGS + 2];
	struct fy_stack_args a = base_args();
	uint8_t *buf;
	long sp;

	(void)state;
	for (int i = 0; i < SPAWN_MAX_ARGS + 1; i++)
		v[i] = "x";
	/* SPAWN_MAX_ARGS entries in argv + envp: fine. */
	v[SPAWN_MAX_ARGS - 2] = NULL;
	a.argv = v;
	sp = build(&a, &buf);
	assert_true(sp > 0);
	assert_int_equal(read_stack((uint64_t)sp).argc, SPAWN_MAX_ARGS - 2);
	free(buf);
	/* One more, in argv or in envp. */
	v[SPAWN_MAX_ARGS - 2] = "x";
	v[SPAWN_MAX_ARGS - 1] = NULL;
	assert_int_equal(fy_stack_size(&a), -E2BIG);
	assert_int_equal(fy_stack_build(v, sizeof(v), 0x10000, &a), -E2BIG);
	a.argv = argv3;
	v[SPAWN_MAX_ARGS - 2] = NULL;
	a.envp = v; /* 3 + 62 */
	assert_int_equal(fy_stack_size(&a), -E2BIG);
	/* All in argv: SPAWN_MAX_ARGS + 1, then SPAWN_MAX_ARGS. */
	v[SPAWN_MAX_ARGS - 2] = v[SPAWN_MAX_ARGS - 1] = v[SPAWN_MAX_ARGS] = "x";
	v[SPAWN_MAX_ARGS + 1] = NULL;
	a.argv = v;
	a.envp = NULL;
	assert_int_equal(fy_stack_size(&a), -E2BIG);
	v[SPAWN_MAX_ARGS] = NULL;
	assert_true(fy_stack_size(&a) > 0);
}

static void test_string_bytes_limit(void **state)
{
	static char big[SPAWN_MAX_STRINGS + 8];
	const char *argv[] = {"p", big, NULL};
	struct fy_stack_args a = base_args();
	uint8_t *buf;
	long sp;

	(void)state;
	a.argv = argv;
	a.envp = NULL;
	/* "p\0" + big + NUL: exactly SPAWN_MAX_STRINGS. */
	memset(big, 'y', SPAWN_MAX_STRINGS - 3);
	sp = build(&a, &buf);
	assert_true(sp > 0);
	assert_int_equal(strlen(read_stack((uint64_t)sp).argv[1]),
			 SPAWN_MAX_STRINGS - 3);
	free(buf);
	big[SPAWN_MAX_STRINGS - 3] = 'y';
	assert_int_equal(fy_stack_size(&a), -E2BIG);
	/* The same bytes split over argv and envp. */
	big[SPAWN_MAX_STRINGS - 3] = 0;
	const char *envp[] = {"E", NULL};
	a.envp = envp;
	assert_int_equal(fy_stack_size(&a), -E2BIG);
	big[SPAWN_MAX_STRINGS - 5] = 0;
	assert_true(fy_stack_size(&a) > 0);
}

static long with_caps(const struct fy_initcap_spec *caps, size_t n)
{
	struct fy_stack_args a = base_args();

	a.caps = caps;
	a.ncaps = n;
	return fy_stack_size(&a);
}

static void test_cap_name_rules(void **state)
{
	char name[INITCAP_NAME_MAX + 1];
	struct fy_initcap_spec c[2] = {{name, 3, 0}, {"other", 4, 0}};

	(void)state;
	memset(name, 'n', INITCAP_NAME_MAX - 1);
	name[INITCAP_NAME_MAX - 1] = 0;
	assert_true(with_caps(c, 2) > 0); /* 23 characters */
	name[INITCAP_NAME_MAX - 1] = 'n';
	name[INITCAP_NAME_MAX] = 0;
	assert_int_equal(with_caps(c, 2), -ENAMETOOLONG);
	strcpy(name, "");
	assert_int_equal(with_caps(c, 2), -EINVAL);
	c[0].name = NULL;
	assert_int_equal(with_caps(c, 2), -EINVAL);
	c[0].name = name;
	/* Blanks, controls, DEL and bytes above ASCII. */
	static const char *const bad[] = {"a b", "a\tb", "\x01", "x\x7f",
					  "caf\xc3\xa9"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		strcpy(name, bad[i]);
		assert_int_equal(with_caps(c, 2), -EINVAL);
	}
	strcpy(name, "!~#fs.0");
	assert_true(with_caps(c, 2) > 0);
	strcpy(name, "other");
	assert_int_equal(with_caps(c, 2), -EEXIST);
	strcpy(name, "othe");
	assert_true(with_caps(c, 2) > 0);
	c[1].cap = -1;
	assert_int_equal(with_caps(c, 2), -EINVAL);
	c[1].cap = 4;
	c[1].rights = CAP_RIGHT_ALL + 1;
	assert_int_equal(with_caps(c, 2), -EINVAL);
	c[1].rights = CAP_RIGHT_ALL;
	assert_true(with_caps(c, 2) > 0);
	assert_int_equal(with_caps(NULL, 1), -EINVAL);
}

static void test_cap_count_limit(void **state)
{
	struct fy_initcap_spec c[INITCAPS_MAX + 1];
	char names[INITCAPS_MAX + 1][16];
	struct fy_stack_args a = base_args();
	const struct initcap_table *t;
	uint8_t *buf;
	long sp;

	(void)state;
	for (int i = 0; i <= INITCAPS_MAX; i++) {
		snprintf(names[i], sizeof(names[i]), "cap%d", i);
		c[i] = (struct fy_initcap_spec){names[i], 100 + i, 0};
	}
	a.caps = c;
	a.ncaps = INITCAPS_MAX;
	sp = build(&a, &buf);
	assert_true(sp > 0);
	struct parsed p = read_stack((uint64_t)sp);
	t = (const struct initcap_table *)aux(&p, AT_FERRY_CAPS);
	assert_int_equal(t->count, INITCAPS_MAX);
	for (int i = 0; i < INITCAPS_MAX; i++)
		assert_int_equal(fy_initcaps_find(t, names[i]), 100 + i);
	free(buf);
	a.ncaps = INITCAPS_MAX + 1;
	assert_int_equal(fy_stack_size(&a), -E2BIG);
}

static void test_required_arguments(void **state)
{
	const char *const none[] = {NULL};
	struct fy_stack_args a = base_args();
	char buf[4096];

	(void)state;
	assert_int_equal(fy_stack_size(NULL), -EINVAL);
	a.argv = NULL;
	assert_int_equal(fy_stack_size(&a), -EINVAL);
	a.argv = none;
	assert_int_equal(fy_stack_size(&a), -EINVAL);
	a = base_args();
	a.elf = NULL;
	assert_int_equal(fy_stack_size(&a), -EINVAL);
	a = base_args();
	a.random = NULL;
	assert_int_equal(fy_stack_size(&a), -EINVAL);
	a = base_args();
	assert_int_equal(fy_stack_build(NULL, 4096, 0x7ff000, &a), -EINVAL);
	assert_int_equal(fy_stack_build(buf, 4096, 0x7ff008, &a), -EINVAL);
	assert_int_equal(fy_stack_build(buf, 4096, 0x800, &a), -EINVAL);
	assert_true(fy_stack_build(buf, 4096, 0x7ff000, &a) > 0);
}

static void test_execfn_limit(void **state)
{
	char path[PATH_MAX_FERRY + 1];
	struct fy_stack_args a = base_args();

	(void)state;
	memset(path, '/', PATH_MAX_FERRY - 1);
	path[PATH_MAX_FERRY - 1] = 0;
	a.execfn = path;
	assert_true(fy_stack_size(&a) > 0);
	path[PATH_MAX_FERRY - 1] = '/';
	path[PATH_MAX_FERRY] = 0;
	assert_int_equal(fy_stack_size(&a), -ENAMETOOLONG);
}

/* Too small a buffer: -ERANGE, and nothing written; below sp untouched. */
static void test_buffer_size(void **state)
{
	struct fy_stack_args a = base_args();
	long need = fy_stack_size(&a), sp;
	size_t size = (size_t)need + 256;
	uint8_t *buf = malloc(size);
	uint64_t top = 0x7fffffffe000ull;

	(void)state;
	assert_non_null(buf);
	memset(buf, 0xa5, size);
	assert_int_equal(fy_stack_build(buf + size - need + 1, (size_t)need - 1,
					top, &a),
			 -ERANGE);
	for (size_t i = 0; i < size; i++)
		assert_int_equal(buf[i], 0xa5);
	sp = fy_stack_build(buf, size, top, &a);
	assert_int_equal(sp, top - (uint64_t)need);
	for (size_t i = 0; i < 256; i++)
		assert_int_equal(buf[i], 0xa5);
	/* Pointers are user addresses, not the buffer's. */
	uint64_t argv0;
	memcpy(&argv0, buf + 256 + 8, 8);
	assert_true(argv0 > (uint64_t)sp && argv0 < top);
	assert_string_equal((char *)buf + (argv0 - (top - size)), "hello");
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_no_caps_no_entry),
		cmocka_unit_test(test_own_table_absent_on_host),
		cmocka_unit_test(test_table_read_defensively),
		cmocka_unit_test(test_alignment_sweep),
		cmocka_unit_test(test_arg_count_limits),
		cmocka_unit_test(test_string_bytes_limit),
		cmocka_unit_test(test_cap_name_rules),
		cmocka_unit_test(test_cap_count_limit),
		cmocka_unit_test(test_required_arguments),
		cmocka_unit_test(test_execfn_limit),
		cmocka_unit_test(test_buffer_size),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
