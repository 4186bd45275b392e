/*
 * The file server's tmpfs (user/servers/fs/tmpfs.c) over a heap store,
 * and its path normaliser (path.c): the bounds (nodes, pages, file
 * size), growth, holes, truncation, unlink while open, and every path
 * form. The store counts what is live, so a leak fails the test.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../user/servers/fs/fs.h"

#define STORES 256

static char *stores[STORES];
static int live, creates, fail_create, fail_io;

static long st_create(void *ctx)
{
	(void)ctx;
	if (fail_create)
		return -ENOMEM;
	for (long i = 0; i < STORES; i++)
		if (!stores[i]) {
			stores[i] = calloc(1, FS_TMP_FILE_MAX);
			live++;
			creates++;
			return i;
		}
	return -ENOMEM;
}

static int st_write(void *ctx, long id, uint64_t off, const void *buf,
		    size_t len)
{
	(void)ctx;
	assert_true(id >= 0 && id < STORES && stores[id]);
	assert_true(off + len <= FS_TMP_FILE_MAX);
	if (fail_io)
		return -ENOMEM;
	memcpy(stores[id] + off, buf, len);
	return 0;
}

static int st_read(void *ctx, long id, uint64_t off, void *buf, size_t len)
{
	(void)ctx;
	assert_true(id >= 0 && id < STORES && stores[id]);
	assert_true(off + len <= FS_TMP_FILE_MAX);
	memcpy(buf, stores[id] + off, len);
	return 0;
}

static void st_destroy(void *ctx, long id)
{
	(void)ctx;
	assert_true(id >= 0 && id < STORES && stores[id]);
	free(stores[id]);
	stores[id] = NULL;
	live--;
}

static const struct tmp_store_ops ops = {st_create, st_write, st_read,
					 st_destroy};
static struct tmpfs fs;

static int setup(void **state)
{
	(void)state;
	live = creates = fail_create = fail_io = 0;
	tmp_init(&fs, &ops, NULL);
	return 0;
}

static int32_t mk(const char *name, uint8_t type)
{
	int32_t n = -1;

	assert_int_equal(tmp_create(&fs, 0, name, strlen(name), type, &n), 0);
	return n;
}

static void test_nodes(void **state)
{
	char name[16];
	int32_t n, d, e;

	(void)state;
	d = mk("d", FS_TYPE_DIR);
	assert_int_equal(tmp_create(&fs, 0, "d", 1, FS_TYPE_FILE, &n), -EEXIST);
	assert_int_equal(tmp_create(&fs, d, "f", 1, FS_TYPE_FILE, &n), 0);
	assert_int_equal(tmp_create(&fs, 0, "", 0, FS_TYPE_FILE, &n), -EINVAL);
	assert_int_equal(tmp_unlink(&fs, d), -ENOTEMPTY);
	assert_int_equal(tmp_unlink(&fs, 0), -EBUSY);
	assert_int_equal(tmp_child_at(&fs, d, 0), n);
	assert_int_equal(tmp_child_at(&fs, d, 1), -1);
	assert_int_equal(tmp_unlink(&fs, n), 0);
	assert_int_equal(tmp_unlink(&fs, d), 0);
	assert_int_equal(fs.used_nodes, 1);
	/* FS_TMP_NODES in all, /tmp one of them. */
	for (int i = 1; i < FS_TMP_NODES; i++) {
		snprintf(name, sizeof(name), "n%d", i);
		mk(name, FS_TYPE_FILE);
	}
	assert_int_equal(tmp_create(&fs, 0, "x", 1, FS_TYPE_FILE, &e), -ENOSPC);
	assert_int_equal(tmp_create(&fs, 0, "x", 1, FS_TYPE_DIR, &e), -ENOSPC);
	assert_int_equal(tmp_unlink(&fs, 5), 0);
	assert_int_equal(tmp_create(&fs, 0, "x", 1, FS_TYPE_FILE, &e), 0);
	assert_int_equal(e, 5); /* the freed slot */
	assert_int_equal(fs.nodes[0].nchildren, FS_TMP_NODES - 1);
}

/* Lookups through both trees: a root-only initrd and this tmpfs. */
static void test_lookup(void **state)
{
	static struct rd_node rn[4];
	struct rd_tree rd;
	struct fs_path p;
	struct fs_ref r;
	int32_t d, f;

	(void)state;
	assert_int_equal(rd_build(&rd, rn, 4, "", 0), -EINVAL); /* root only */
	d = mk("d", FS_TYPE_DIR);
	assert_int_equal(tmp_create(&fs, d, "f", 1, FS_TYPE_FILE, &f), 0);
	fs_path_parse("tmp/d/f", 7, &p);
	assert_int_equal(fs_walk(&rd, &fs, &p, p.n, &r), 0);
	assert_int_equal(r.kind, FS_K_TMP);
	assert_int_equal(r.node, f);
	fs_path_parse("/tmp/../tmp/d/../d/f", 20, &p);
	assert_int_equal(fs_walk(&rd, &fs, &p, p.n, &r), 0);
	assert_int_equal(r.node, f);
	fs_path_parse("tmp/d/f/g", 9, &p);
	assert_int_equal(fs_walk(&rd, &fs, &p, p.n, &r), -ENOTDIR);
	fs_path_parse("tmp/d/f/..", 10, &p);
	assert_int_equal(fs_walk(&rd, &fs, &p, p.n, &r), -ENOTDIR);
	fs_path_parse("tmp/d/g", 7, &p);
	assert_int_equal(fs_walk(&rd, &fs, &p, p.n, &r), -ENOENT);
	fs_path_parse("tmp", 3, &p);
	assert_int_equal(fs_walk(&rd, &fs, &p, p.n, &r), 0);
	assert_true(r.kind == FS_K_TMP && r.node == 0);
	fs_path_parse("tmp/..", 6, &p);
	assert_int_equal(fs_walk(&rd, &fs, &p, p.n, &r), 0);
	assert_true(r.kind == FS_K_RD && r.node == 0);
	/* Without a tmpfs, "tmp" is an ordinary (here missing) name. */
	fs_path_parse("tmp", 3, &p);
	assert_int_equal(fs_walk(&rd, NULL, &p, p.n, &r), -ENOENT);
}

static void test_rw(void **state)
{
	static char buf[3 * TMP_PAGE], back[3 * TMP_PAGE];
	int32_t f = mk("f", FS_TYPE_FILE);

	(void)state;
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (char)(i * 13 + 1);
	assert_int_equal(tmp_read(&fs, f, 0, back, 10), 0);
	assert_int_equal(creates, 0); /* nothing written: no store */
	assert_int_equal(tmp_write(&fs, f, 100, buf, sizeof(buf)), sizeof(buf));
	assert_int_equal(fs.nodes[f].size, 100 + sizeof(buf));
	assert_int_equal(fs.pages, 4); /* 100 .. 12388 touches 4 pages */
	memset(back, 1, sizeof(back));
	assert_int_equal(tmp_read(&fs, f, 0, back, sizeof(back)), sizeof(back));
	for (int i = 0; i < 100; i++)
		assert_int_equal(back[i], 0);
	assert_memory_equal(back + 100, buf, sizeof(back) - 100);
	/* Past the end: short, then 0. */
	assert_int_equal(tmp_read(&fs, f, 12380, back, 100), 8);
	assert_int_equal(tmp_read(&fs, f, 12388, back, 100), 0);
	assert_int_equal(tmp_read(&fs, f, UINT64_MAX, back, 100), 0);
	/* A hole: pages only where written; zeros between. */
	assert_int_equal(tmp_write(&fs, f, 10 * TMP_PAGE + 5, "z", 1), 1);
	assert_int_equal(fs.pages, 5);
	memset(back, 1, 100);
	assert_int_equal(tmp_read(&fs, f, 6 * TMP_PAGE, back, 100), 100);
	for (int i = 0; i < 100; i++)
		assert_int_equal(back[i], 0);
	/* A read across written, hole, written pages. */
	assert_int_equal(tmp_read(&fs, f, 3 * TMP_PAGE - 10, back, 20), 20);
	assert_int_equal(tmp_write(&fs, f, 0, "", 0), 0);
	assert_int_equal(creates, 1);
}

static void test_limits(void **state)
{
	static char page[TMP_PAGE];
	int32_t f = mk("f", FS_TYPE_FILE), g = mk("g", FS_TYPE_FILE);

	(void)state;
	assert_int_equal(tmp_write(&fs, f, FS_TMP_FILE_MAX, "x", 1), -EFBIG);
	assert_int_equal(tmp_write(&fs, f, UINT64_MAX, "x", 1), -EFBIG);
	assert_int_equal(tmp_write(&fs, f, FS_TMP_FILE_MAX, "x", 0), 0);
	assert_int_equal(tmp_write(&fs, f, FS_TMP_FILE_MAX - 2, "abcd", 4), 2);
	assert_int_equal(fs.nodes[f].size, FS_TMP_FILE_MAX);
	assert_int_equal(tmp_truncate(&fs, f, FS_TMP_FILE_MAX + 1), -EFBIG);
	/* Fill the space; a write across its end is short, then ENOSPC. */
	for (uint32_t i = 0; fs.pages < FS_TMP_PAGES - 1; i++)
		assert_int_equal(tmp_write(&fs, g, (uint64_t)i * TMP_PAGE, page,
					   TMP_PAGE),
				 TMP_PAGE);
	assert_int_equal(fs.pages, FS_TMP_PAGES - 1);
	assert_int_equal(tmp_write(&fs, f, 0, page, 2 * TMP_PAGE), TMP_PAGE);
	assert_int_equal(tmp_write(&fs, f, 5 * TMP_PAGE, "x", 1), -ENOSPC);
	/* Rewriting a page held is no new space. */
	assert_int_equal(tmp_write(&fs, f, 0, "y", 1), 1);
	assert_int_equal(tmp_unlink(&fs, g), 0);
	assert_int_equal(fs.pages, 2);
	assert_int_equal(tmp_write(&fs, f, 5 * TMP_PAGE, "x", 1), 1);
	assert_int_equal(tmp_unlink(&fs, f), 0);
	assert_int_equal(fs.pages, 0);
	assert_int_equal(live, 0);
}

static void test_truncate(void **state)
{
	static char buf[3 * TMP_PAGE], back[3 * TMP_PAGE];
	int32_t f = mk("f", FS_TYPE_FILE);

	(void)state;
	memset(buf, 'a', sizeof(buf));
	assert_int_equal(tmp_write(&fs, f, 0, buf, sizeof(buf)), sizeof(buf));
	assert_int_equal(tmp_truncate(&fs, f, TMP_PAGE + 10), 0);
	assert_int_equal(fs.pages, 2);
	assert_int_equal(live, 1);
	assert_int_equal(tmp_truncate(&fs, f, sizeof(buf)), 0);
	assert_int_equal(fs.pages, 2); /* growing: a hole */
	assert_int_equal(tmp_read(&fs, f, 0, back, sizeof(back)), sizeof(back));
	assert_memory_equal(back, buf, TMP_PAGE + 10);
	for (size_t i = TMP_PAGE + 10; i < sizeof(back); i++)
		assert_int_equal(back[i], 0);
	/* A failing store leaves the file as it was. */
	fail_create = 1;
	assert_int_equal(tmp_truncate(&fs, f, 5), -ENOMEM);
	assert_int_equal(fs.nodes[f].size, sizeof(buf));
	fail_create = 0;
	fail_io = 1;
	assert_int_equal(tmp_truncate(&fs, f, 5), -ENOMEM);
	assert_int_equal(live, 1);
	assert_int_equal(tmp_write(&fs, f, 0, "q", 1), -ENOMEM);
	fail_io = 0;
	assert_int_equal(tmp_truncate(&fs, f, 0), 0);
	assert_int_equal(fs.pages, 0);
	assert_int_equal(live, 0);
	fail_create = 1;
	assert_int_equal(tmp_write(&fs, f, 0, "q", 1), -ENOMEM);
	fail_create = 0;
	assert_int_equal(tmp_unlink(&fs, f), 0);
}

static void test_unlink_open(void **state)
{
	char b[4];
	int32_t f = mk("f", FS_TYPE_FILE), g;

	(void)state;
	tmp_get(&fs, f);
	tmp_get(&fs, f);
	assert_int_equal(tmp_write(&fs, f, 0, "data", 4), 4);
	assert_int_equal(tmp_unlink(&fs, f), 0);
	assert_int_equal(tmp_child_at(&fs, 0, 0), -1);
	assert_int_equal(tmp_create(&fs, 0, "f", 1, FS_TYPE_FILE, &g), 0);
	assert_true(g != f);
	assert_int_equal(tmp_read(&fs, f, 0, b, 4), 4);
	assert_memory_equal(b, "data", 4);
	tmp_put(&fs, f);
	assert_int_equal(fs.used_nodes, 3);
	tmp_put(&fs, f);
	assert_int_equal(fs.used_nodes, 2);
	assert_int_equal(fs.pages, 0);
	assert_int_equal(live, 0);
}

static void path_is(const char *in, int ret, const char *want, bool dir,
		    bool dot)
{
	struct fs_path p;
	char got[FS_PATH_MAX * 2] = "";

	assert_int_equal(fs_path_parse(in, strlen(in), &p), ret);
	if (ret)
		return;
	for (int i = 0; i < p.n; i++) {
		strcat(got, "/");
		strncat(got, p.comp[i], p.len[i]);
	}
	assert_string_equal(got, want);
	assert_int_equal(p.must_dir, dir);
	assert_int_equal(p.last_dot, dot);
}

static void test_paths(void **state)
{
	static char s[400];
	struct fs_path p;

	(void)state;
	path_is("", -ENOENT, "", false, false);
	path_is("/", 0, "", true, false);
	path_is("///", 0, "", true, false);
	path_is("a", 0, "/a", false, false);
	path_is("/a/b", 0, "/a/b", false, false);
	path_is("a//b", 0, "/a/b", false, false);
	path_is("a/./b/.", 0, "/a/b", true, true);
	path_is("a/b/", 0, "/a/b", true, false);
	path_is("a/b/..", 0, "/a/b/..", true, true);
	path_is("a/../../..", 0, "/a/../../..", true, true);
	path_is("/../b", 0, "/../b", false, false);
	path_is("..a/.b/...", 0, "/..a/.b/...", false, false);
	path_is(".", 0, "", true, true);
	path_is("./", 0, "", true, true); /* rmdir("./") is "." too */
	/* Lengths: 255 bytes fit, 256 do not. */
	memset(s, 'a', 255);
	s[255] = '\0';
	/* A component of NAME_MAX (255) bytes: as long as a path can be. */
	assert_int_equal(fs_path_parse(s, 255, &p), 0);
	assert_int_equal(p.n, 1);
	assert_int_equal(p.len[0], 255);
	s[100] = '/';
	assert_int_equal(fs_path_parse(s, 255, &p), 0);
	assert_int_equal(p.n, 2);
	assert_int_equal(fs_path_parse(s, 256, &p), -ENAMETOOLONG);
	assert_int_equal(fs_path_parse(s, 1u << 31, &p), -ENAMETOOLONG);
	/* The most components there can be: "a/a/.../a" in 255 bytes. */
	for (int i = 0; i < 255; i++)
		s[i] = i % 2 ? '/' : 'a';
	assert_int_equal(fs_path_parse(s, 255, &p), 0);
	assert_int_equal(p.n, 128);
	/* A NUL inside. */
	assert_int_equal(fs_path_parse("a\0b", 3, &p), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_nodes, setup),
		cmocka_unit_test_setup(test_lookup, setup),
		cmocka_unit_test_setup(test_rw, setup),
		cmocka_unit_test_setup(test_limits, setup),
		cmocka_unit_test_setup(test_truncate, setup),
		cmocka_unit_test_setup(test_unlink_open, setup),
		cmocka_unit_test(test_paths),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
