/*
 * The file server's user-space newc parser (user/servers/fs/cpio.c) and
 * the initrd tree made from it (rdtree.c): archives built here with one
 * defect each, copied into heap blocks of exactly their size so ASan
 * sees any overread; then the real archive cpio(1) wrote (build.mk).
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

#define S_REG 0100644
#define S_DIR 0040755
#define S_LNK 0120777

struct ar {
	char buf[8192];
	size_t len;
};

static void ar_pad(struct ar *a)
{
	while (a->len % 4)
		a->buf[a->len++] = '\0';
}

/* An entry with namesize and filesize as given (they may lie). */
static void ar_raw(struct ar *a, const char *name, size_t namesize,
		   unsigned mode, const void *data, size_t size,
		   unsigned long hdr_size)
{
	char hdr[111];

	snprintf(hdr, sizeof(hdr),
		 "070701%08x%08x%08x%08x%08x%08x%08lx%08x%08x%08x%08x%08zx%08x",
		 1, mode, 0, 0, 1, 0, hdr_size, 0, 0, 0, 0, namesize, 0);
	memcpy(a->buf + a->len, hdr, 110);
	a->len += 110;
	memcpy(a->buf + a->len, name, namesize);
	a->len += namesize;
	ar_pad(a);
	memcpy(a->buf + a->len, data, size);
	a->len += size;
	ar_pad(a);
}

static void ar_add(struct ar *a, const char *name, unsigned mode,
		   const char *data)
{
	ar_raw(a, name, strlen(name) + 1, mode, data, strlen(data),
	       strlen(data));
}

static void ar_trailer(struct ar *a)
{
	ar_add(a, "TRAILER!!!", 0, "");
}

/* The archive in a heap block of exactly its size. */
static void *exact(const struct ar *a)
{
	void *p = malloc(a->len ? a->len : 1);

	memcpy(p, a->buf, a->len);
	return p;
}

/* Walks the whole archive: entries seen, or the error. */
static int walk(const struct ar *a)
{
	void *p = exact(a);
	struct cpio_ent e;
	size_t cur = 0;
	int n = 0, r;

	while ((r = fs_cpio_next(p, a->len, &cur, &e)) == 1)
		n++;
	free(p);
	return r < 0 ? r : n;
}

static void test_good(void **state)
{
	struct ar a = {0};
	struct cpio_ent e;
	size_t cur = 0;
	void *p;

	(void)state;
	ar_add(&a, "a", S_REG, "hello");
	ar_add(&a, "d/b", S_REG, "");
	ar_trailer(&a);
	p = exact(&a);
	assert_int_equal(fs_cpio_next(p, a.len, &cur, &e), 1);
	assert_int_equal(e.namelen, 1);
	assert_string_equal(e.name, "a");
	assert_int_equal(e.size, 5);
	assert_memory_equal(e.data, "hello", 5);
	assert_int_equal(e.mode, S_REG);
	assert_int_equal(fs_cpio_next(p, a.len, &cur, &e), 1);
	assert_string_equal(e.name, "d/b");
	assert_int_equal(e.size, 0);
	assert_int_equal(fs_cpio_next(p, a.len, &cur, &e), 0);
	free(p);
}

static void test_malformed(void **state)
{
	struct ar a;

	(void)state;
	/* Empty, and an archive of fewer bytes than a header. */
	memset(&a, 0, sizeof(a));
	assert_int_equal(walk(&a), -EINVAL);
	ar_add(&a, "a", S_REG, "x");
	a.len = 109;
	assert_int_equal(walk(&a), -EINVAL);
	/* A header cut after a good entry. */
	memset(&a, 0, sizeof(a));
	ar_add(&a, "a", S_REG, "x");
	ar_trailer(&a);
	a.len -= 20;
	assert_int_equal(walk(&a), -EINVAL);
	/* No trailer. */
	memset(&a, 0, sizeof(a));
	ar_add(&a, "a", S_REG, "x");
	assert_int_equal(walk(&a), -EINVAL);
	/* Bad magic: the old binary format, and "070707" (odc). */
	memset(&a, 0, sizeof(a));
	ar_add(&a, "a", S_REG, "x");
	ar_trailer(&a);
	a.buf[5] = '7';
	assert_int_equal(walk(&a), -EINVAL);
	a.buf[0] = (char)0xc7;
	a.buf[1] = 0x71;
	assert_int_equal(walk(&a), -EINVAL);
	/* A field with a non-hex digit, and with a space. */
	memset(&a, 0, sizeof(a));
	ar_add(&a, "a", S_REG, "x");
	ar_trailer(&a);
	a.buf[6 + 8 * 6 + 3] = 'g';
	assert_int_equal(walk(&a), -EINVAL);
	a.buf[6 + 8 * 6 + 3] = ' ';
	assert_int_equal(walk(&a), -EINVAL);
	/* namesize 0 and 1 (no name at all). */
	memset(&a, 0, sizeof(a));
	ar_raw(&a, "", 0, S_REG, "", 0, 0);
	ar_trailer(&a);
	assert_int_equal(walk(&a), -EINVAL);
	memset(&a, 0, sizeof(a));
	ar_raw(&a, "", 1, S_REG, "", 0, 0);
	ar_trailer(&a);
	assert_int_equal(walk(&a), -EINVAL);
	/* The name not NUL-terminated at its size; a NUL inside it. */
	memset(&a, 0, sizeof(a));
	ar_raw(&a, "abc", 3, S_REG, "", 0, 0);
	ar_trailer(&a);
	assert_int_equal(walk(&a), -EINVAL);
	memset(&a, 0, sizeof(a));
	ar_raw(&a, "a\0c", 4, S_REG, "", 0, 0);
	ar_trailer(&a);
	assert_int_equal(walk(&a), -EINVAL);
	/* The name past the end: a huge namesize, and one just too big. */
	memset(&a, 0, sizeof(a));
	ar_raw(&a, "a", 2, S_REG, "x", 1, 1);
	memcpy(a.buf + 6 + 8 * 11, "ffffffff", 8);
	assert_int_equal(walk(&a), -EINVAL);
	memset(&a, 0, sizeof(a));
	ar_raw(&a, "ab", 3, S_REG, "", 0, 0);
	a.len = 110 + 2; /* the NUL cut off */
	assert_int_equal(walk(&a), -EINVAL);
	/* The data past the end: huge, and one byte more than there is. */
	memset(&a, 0, sizeof(a));
	ar_raw(&a, "a", 2, S_REG, "x", 1, 0xffffffffu);
	ar_trailer(&a);
	assert_int_equal(walk(&a), -EINVAL);
	memset(&a, 0, sizeof(a));
	ar_raw(&a, "a", 2, S_REG, "xyz", 3, 4);
	assert_int_equal(walk(&a), -EINVAL);
	/* A good entry after a bad one is never reached. */
	memset(&a, 0, sizeof(a));
	ar_add(&a, "a", S_REG, "x");
	ar_raw(&a, "b", 2, S_REG, "x", 1, 0x7fffffffu);
	ar_add(&a, "c", S_REG, "x");
	ar_trailer(&a);
	assert_int_equal(walk(&a), -EINVAL);
}

/*
 * cpio(1) pads the archive to 512 bytes after the trailer: ignored. The
 * trailer's own name cut short is malformed like any other name.
 */
static void test_trailer_edges(void **state)
{
	struct ar a = {0};

	(void)state;
	ar_add(&a, "a", S_REG, "x");
	ar_trailer(&a);
	a.len += 400; /* zeros */
	assert_int_equal(walk(&a), 1);
	memset(&a, 0, sizeof(a));
	ar_add(&a, "a", S_REG, "x");
	ar_raw(&a, "TRAILER!!!", 11, 0, "", 0, 0);
	a.len -= 2; /* into the name's padding: the data would start past it */
	assert_int_equal(walk(&a), -EINVAL);
}

static struct rd_node nodes[64];

static int32_t find(const struct rd_tree *t, const char *path)
{
	struct fs_path p;
	struct fs_ref r;

	if (fs_path_parse(path, strlen(path), &p))
		return -100;
	return fs_walk(t, NULL, &p, p.n, &r) ? -1 : r.node;
}

static void test_tree(void **state)
{
	struct rd_tree t;
	struct ar a = {0};
	struct fs_path p;
	struct fs_ref r;
	int32_t n, c;
	void *ar;

	(void)state;
	ar_add(&a, "tests/x", S_REG, "xx");
	ar_add(&a, "helpers/y.txt", S_REG, "why");
	ar_add(&a, "./init", S_REG, "elf");
	ar_add(&a, "/abs", S_REG, "1");
	ar_add(&a, "tests", S_DIR, "");	      /* after its file: its mode */
	ar_add(&a, "link", S_LNK, "init");    /* skipped */
	ar_add(&a, "../up", S_REG, "1");      /* skipped */
	ar_add(&a, "a/./b", S_REG, "1");      /* skipped */
	ar_add(&a, "a//b", S_REG, "1");	      /* skipped */
	ar_add(&a, "c/", S_REG, "1");	      /* skipped */
	ar_add(&a, "tmp/z", S_REG, "1");      /* skipped: /tmp is the tmpfs */
	ar_add(&a, "init", S_REG, "again");   /* skipped: given twice */
	ar_add(&a, "init/inner", S_REG, "1"); /* skipped: a file as a dir */
	ar_add(&a, ".", S_DIR, "");	      /* skipped: the root */
	ar_trailer(&a);
	ar = exact(&a);
	assert_int_equal(rd_build(&t, nodes, 64, ar, a.len), 0);
	assert_int_equal(t.skipped, 9);
	/* root, tests, tests/x, helpers, helpers/y.txt, init, abs */
	assert_int_equal(t.count, 7);
	n = find(&t, "tests/x");
	assert_true(n > 0);
	assert_int_equal(t.nodes[n].type, FS_TYPE_FILE);
	assert_int_equal(t.nodes[n].size, 2);
	assert_memory_equal(t.nodes[n].data, "xx", 2);
	n = find(&t, "helpers");
	assert_int_equal(t.nodes[n].type, FS_TYPE_DIR);
	assert_int_equal(t.nodes[n].mode, 0040755); /* implied */
	n = find(&t, "init");
	assert_memory_equal(t.nodes[n].data, "elf", 3);
	assert_true(find(&t, "abs") > 0);
	assert_int_equal(find(&t, "link"), -1);
	assert_int_equal(find(&t, "tmp"), -1);
	assert_int_equal(find(&t, ""), -100);
	assert_int_equal(find(&t, "/"), 0);
	/* A file used as a directory; a missing one. */
	fs_path_parse("init/x", 6, &p);
	assert_int_equal(fs_walk(&t, NULL, &p, p.n, &r), -ENOTDIR);
	fs_path_parse("init/..", 7, &p);
	assert_int_equal(fs_walk(&t, NULL, &p, p.n, &r), -ENOTDIR);
	fs_path_parse("nope/x", 6, &p);
	assert_int_equal(fs_walk(&t, NULL, &p, p.n, &r), -ENOENT);
	/* ".." walks up, and stays at the root at the top. */
	assert_int_equal(find(&t, "tests/../helpers/y.txt"),
			 find(&t, "helpers/y.txt"));
	assert_int_equal(find(&t, "../../tests/x"), find(&t, "tests/x"));
	assert_int_equal(find(&t, "tests/.."), 0);
	/* The root's children in archive order, then nothing. */
	c = rd_child_at(&t, 0, 0);
	assert_memory_equal(t.nodes[c].name, "tests", 5);
	c = rd_child_at(&t, 0, 3);
	assert_memory_equal(t.nodes[c].name, "abs", 3);
	assert_int_equal(rd_child_at(&t, 0, 4), -1);
	assert_int_equal(rd_child_at(&t, 0, UINT64_MAX), -1);
	/* Too many nodes: the tree is left empty. */
	assert_int_equal(rd_build(&t, nodes, 4, ar, a.len), -ENOSPC);
	assert_int_equal(t.count, 1);
	assert_int_equal(rd_build(&t, nodes, 0, ar, a.len), -ENOSPC);
	/* Malformed after good entries: empty too. */
	assert_int_equal(rd_build(&t, nodes, 64, ar, a.len - 4), -EINVAL);
	assert_int_equal(t.count, 1);
	assert_int_equal(find(&t, "tests/x"), -1);
	free(ar);
}

static void test_real_archive(void **state)
{
	struct rd_tree t;
	FILE *f = fopen(UNIT_FIXTURES "/root.cpio", "rb");
	static char buf[1 << 20];
	size_t len;
	int32_t n;
	void *ar;

	(void)state;
	assert_non_null(f);
	len = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	ar = malloc(len);
	memcpy(ar, buf, len);
	assert_int_equal(rd_build(&t, nodes, 64, ar, len), 0);
	/* ".", and "link" (a symlink) skipped */
	assert_int_equal(t.skipped, 2);
	n = find(&t, "etc/motd");
	assert_true(n > 0);
	assert_int_equal(t.nodes[n].size, 6);
	assert_memory_equal(t.nodes[n].data, "ferry\n", 6);
	n = find(&t, "hello");
	assert_memory_equal(t.nodes[n].data, "\177ELF", 4);
	n = find(&t, "empty");
	assert_int_equal(t.nodes[n].size, 0);
	assert_int_equal(t.nodes[find(&t, "etc")].type, FS_TYPE_DIR);
	free(ar);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_trailer_edges),
		cmocka_unit_test(test_tree),
		cmocka_unit_test(test_real_archive),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
