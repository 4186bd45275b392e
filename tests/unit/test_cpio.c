/*
 * kernel/lib/cpio.c: archives built here in memory with one defect each,
 * then a real archive written by cpio(1) (see build.mk). Archives are
 * copied into heap blocks of exactly their size so ASan sees overreads.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <lib/cpio.h>
#include <lib/elf.h>
#include <uapi/ferry/errno.h>

#define S_REG 0100644
#define S_DIR 0040755
#define S_LNK 0120777

struct ar {
	char buf[4096];
	size_t len;
};

static void ar_pad(struct ar *a)
{
	while (a->len % 4)
		a->buf[a->len++] = '\0';
}

/* Appends an entry; namesize counts the NUL, as the format does. */
static void ar_add_raw(struct ar *a, const char *name, size_t namesize,
		       unsigned int mode, const void *data, size_t size)
{
	char hdr[111];

	snprintf(hdr, sizeof(hdr),
		 "070701%08x%08x%08x%08x%08x%08x%08zx%08x%08x%08x%08x%08zx%08x",
		 1, mode, 0, 0, 1, 0, size, 0, 0, 0, 0, namesize, 0);
	memcpy(a->buf + a->len, hdr, 110);
	a->len += 110;
	memcpy(a->buf + a->len, name, namesize);
	a->len += namesize;
	ar_pad(a);
	memcpy(a->buf + a->len, data, size);
	a->len += size;
	ar_pad(a);
}

static void ar_add(struct ar *a, const char *name, unsigned int mode,
		   const char *data)
{
	ar_add_raw(a, name, strlen(name) + 1, mode, data, strlen(data));
}

static void ar_trailer(struct ar *a)
{
	ar_add(a, "TRAILER!!!", 0, "");
}

/* A small archive like the one the build makes, with a directory. */
static void ar_sample(struct ar *a)
{
	a->len = 0;
	ar_add(a, ".", S_DIR, "");
	ar_add(a, "./init", S_REG, "#!init\n");
	ar_add(a, "./bin", S_DIR, "");
	ar_add(a, "./bin/sh", S_REG, "shell");
	ar_add(a, "./empty", S_REG, "");
	ar_add(a, "./sh-link", S_LNK, "bin/sh");
	ar_trailer(a);
}

/* An exact-size heap copy of the archive. */
static void *dup_exact(const void *p, size_t n)
{
	void *d = malloc(n ? n : 1);

	assert_non_null(d);
	memcpy(d, p, n);
	return d;
}

/*
 * cpio_next on an exact-size copy. The copy is gone on return, so only
 * the sizes in *f are left meaningful.
 */
static int next(const struct ar *a, size_t *cur, struct cpio_file *f)
{
	void *copy = dup_exact(a->buf, a->len);
	int r = cpio_next(copy, a->len, cur, f);

	free(copy);
	f->name = NULL;
	f->data = NULL;
	return r;
}

static void test_iterates_regular_files_in_order(void **state)
{
	static struct ar a;
	struct cpio_file f;
	size_t cur = 0;

	(void)state;
	ar_sample(&a);
	assert_int_equal(cpio_next(a.buf, a.len, &cur, &f), 1);
	assert_string_equal(f.name, "init");
	assert_int_equal(f.namelen, 4);
	assert_int_equal(f.size, 7);
	assert_memory_equal(f.data, "#!init\n", 7);
	assert_int_equal(f.mode, S_REG);
	assert_int_equal(cpio_next(a.buf, a.len, &cur, &f), 1);
	assert_string_equal(f.name, "bin/sh");
	assert_int_equal(cpio_next(a.buf, a.len, &cur, &f), 1);
	assert_string_equal(f.name, "empty");
	assert_int_equal(f.size, 0);
	/* The symlink is skipped, then the trailer ends it. */
	assert_int_equal(cpio_next(a.buf, a.len, &cur, &f), 0);
	assert_int_equal(cpio_next(a.buf, a.len, &cur, &f), 0);
}

static void test_data_is_four_aligned(void **state)
{
	static struct ar a;
	struct cpio_file f;
	size_t cur = 0;

	(void)state;
	ar_sample(&a);
	while (cpio_next(a.buf, a.len, &cur, &f) == 1)
		assert_int_equal(((const char *)f.data - a.buf) % 4, 0);
}

static void test_find_ignores_leading_slash_or_dot(void **state)
{
	static struct ar a;
	struct cpio_file f;

	(void)state;
	ar_sample(&a);
	assert_int_equal(cpio_find(a.buf, a.len, "bin/sh", &f), 0);
	assert_memory_equal(f.data, "shell", 5);
	assert_int_equal(cpio_find(a.buf, a.len, "/bin/sh", &f), 0);
	assert_int_equal(cpio_find(a.buf, a.len, "./bin/sh", &f), 0);
	assert_int_equal(cpio_find(a.buf, a.len, "/init", &f), 0);
	assert_string_equal(f.name, "init");
}

static void test_find_missing_and_non_regular(void **state)
{
	static struct ar a;
	struct cpio_file f;

	(void)state;
	ar_sample(&a);
	assert_int_equal(cpio_find(a.buf, a.len, "nope", &f), -ENOENT);
	assert_int_equal(cpio_find(a.buf, a.len, "bin", &f), -ENOENT);
	assert_int_equal(cpio_find(a.buf, a.len, "sh-link", &f), -ENOENT);
	assert_int_equal(cpio_find(a.buf, a.len, "bin/s", &f), -ENOENT);
	assert_int_equal(cpio_find(a.buf, a.len, "", &f), -ENOENT);
	assert_int_equal(cpio_find(a.buf, a.len, "TRAILER!!!", &f), -ENOENT);
}

static void test_empty_archive(void **state)
{
	struct cpio_file f;
	size_t cur = 0;
	char dummy = 0;

	(void)state;
	assert_int_equal(cpio_next(&dummy, 0, &cur, &f), 0);
	assert_int_equal(cpio_find(&dummy, 0, "x", &f), -ENOENT);
}

static void test_no_trailer_ends_at_size(void **state)
{
	static struct ar a;
	struct cpio_file f;
	size_t cur = 0;

	(void)state;
	a.len = 0;
	ar_add(&a, "a", S_REG, "xyz");
	/* Drop the data's padding too: the last entry may end unpadded. */
	a.len -= 1;
	assert_int_equal(next(&a, &cur, &f), 1);
	assert_int_equal(f.size, 3);
	assert_int_equal(f.namelen, 1);
	assert_int_equal(next(&a, &cur, &f), 0);
}

static void test_trailer_stops_before_garbage(void **state)
{
	static struct ar a;
	struct cpio_file f;

	(void)state;
	ar_sample(&a);
	memset(a.buf + a.len, 'G', 200);
	a.len += 200;
	assert_int_equal(cpio_find(a.buf, a.len, "zzz", &f), -ENOENT);
}

static void test_unpadded_trailer_at_end(void **state)
{
	static struct ar a;
	struct cpio_file f;

	(void)state;
	a.len = 0;
	ar_add(&a, "x", S_REG, "1");
	ar_trailer(&a);
	/* 110 + 11 bytes of trailer name, padding cut off. */
	a.len -= 3;
	assert_int_equal(cpio_find(a.buf, a.len, "y", &f), -ENOENT);
}

static void test_bad_magic(void **state)
{
	static struct ar a;
	struct cpio_file f;
	size_t cur = 0;

	(void)state;
	ar_sample(&a);
	a.buf[5] = '2'; /* 070702, the CRC variant */
	assert_int_equal(cpio_next(a.buf, a.len, &cur, &f), -EINVAL);
	a.buf[5] = '1';
	a.buf[0] = 'x';
	assert_int_equal(cpio_find(a.buf, a.len, "init", &f), -EINVAL);
}

static void test_bad_hex_digits(void **state)
{
	static const char bad[] = {'g', ' ', '-', 'x', '\0', 'G'};
	static struct ar a;
	struct cpio_file f;
	size_t i, cur;
	/* The first digit of mode, filesize and namesize. */
	static const size_t at[] = {6 + 8, 6 + 6 * 8, 6 + 11 * 8};
	size_t j;

	(void)state;
	for (j = 0; j < sizeof(at) / sizeof(at[0]); j++) {
		for (i = 0; i < sizeof(bad); i++) {
			ar_sample(&a);
			a.buf[at[j]] = bad[i];
			cur = 0;
			assert_int_equal(cpio_next(a.buf, a.len, &cur, &f),
					 -EINVAL);
		}
	}
}

static void test_uppercase_hex_accepted(void **state)
{
	static struct ar a;
	struct cpio_file f;
	size_t cur = 0;
	char *p;

	(void)state;
	a.len = 0;
	ar_add(&a, "ten", S_REG, "0123456789");
	ar_trailer(&a);
	p = a.buf + 6 + 6 * 8; /* filesize "0000000a" */
	assert_int_equal(p[7], 'a');
	p[7] = 'A';
	assert_int_equal(cpio_next(a.buf, a.len, &cur, &f), 1);
	assert_int_equal(f.size, 10);
}

static void test_namesize_zero(void **state)
{
	static struct ar a;
	struct cpio_file f;
	size_t cur = 0;

	(void)state;
	a.len = 0;
	ar_add_raw(&a, "", 0, S_REG, "abcd", 4);
	ar_trailer(&a);
	assert_int_equal(cpio_next(a.buf, a.len, &cur, &f), -EINVAL);
}

static void test_name_not_terminated(void **state)
{
	static struct ar a;
	struct cpio_file f;
	size_t cur = 0;

	(void)state;
	a.len = 0;
	ar_add_raw(&a, "abcd", 4, S_REG, "data", 4);
	ar_trailer(&a);
	assert_int_equal(cpio_next(a.buf, a.len, &cur, &f), -EINVAL);
}

static void test_name_with_embedded_nul(void **state)
{
	static struct ar a;
	struct cpio_file f;
	size_t cur = 0;

	(void)state;
	a.len = 0;
	ar_add_raw(&a, "ab\0cd", 6, S_REG, "data", 4);
	ar_trailer(&a);
	assert_int_equal(cpio_next(a.buf, a.len, &cur, &f), -EINVAL);
}

static void test_namesize_past_end(void **state)
{
	static struct ar a;
	struct cpio_file f;
	size_t cur = 0;
	char sz[9];

	(void)state;
	a.len = 0;
	ar_add(&a, "name", S_REG, "");
	snprintf(sz, sizeof(sz), "%08zx", a.len - 110 + 1);
	memcpy(a.buf + 6 + 11 * 8, sz, 8);
	assert_int_equal(next(&a, &cur, &f), -EINVAL);
	memcpy(a.buf + 6 + 11 * 8, "ffffffff", 8);
	assert_int_equal(next(&a, &cur, &f), -EINVAL);
}

static void test_filesize_past_end(void **state)
{
	static struct ar a;
	struct cpio_file f;
	size_t cur = 0;

	(void)state;
	a.len = 0;
	ar_add(&a, "f", S_REG, "1234");
	memcpy(a.buf + 6 + 6 * 8, "00000005", 8);
	assert_int_equal(next(&a, &cur, &f), -EINVAL);
	memcpy(a.buf + 6 + 6 * 8, "ffffffff", 8);
	assert_int_equal(next(&a, &cur, &f), -EINVAL);
	memcpy(a.buf + 6 + 6 * 8, "00000004", 8);
	assert_int_equal(next(&a, &cur, &f), 1);
	assert_int_equal(f.size, 4);
}

static void test_cursor_past_end(void **state)
{
	static struct ar a;
	struct cpio_file f;
	size_t cur;

	(void)state;
	ar_sample(&a);
	cur = a.len + 1;
	assert_int_equal(cpio_next(a.buf, a.len, &cur, &f), -EINVAL);
	cur = (size_t)-1;
	assert_int_equal(cpio_next(a.buf, a.len, &cur, &f), -EINVAL);
}

static void test_find_reports_malformed_before_match(void **state)
{
	static struct ar a;
	struct cpio_file f;
	size_t second;

	(void)state;
	a.len = 0;
	ar_add(&a, "first", S_REG, "1");
	second = a.len;
	ar_add(&a, "second", S_REG, "2");
	ar_trailer(&a);
	a.buf[second + 2] = 'Z'; /* its magic */
	assert_int_equal(cpio_find(a.buf, a.len, "first", &f), 0);
	assert_int_equal(cpio_find(a.buf, a.len, "second", &f), -EINVAL);
}

/*
 * Every prefix of a valid archive: files come back only if they are whole,
 * and the walk ends in -EINVAL or (at an entry boundary) 0.
 */
static void test_every_truncation(void **state)
{
	static struct ar a;
	struct cpio_file f;
	size_t n, cur;
	char *copy;
	int r, files;

	(void)state;
	ar_sample(&a);
	for (n = 0; n <= a.len; n++) {
		copy = dup_exact(a.buf, n);
		cur = 0;
		files = 0;
		while ((r = cpio_next(copy, n, &cur, &f)) == 1) {
			assert_true((const char *)f.data + f.size <= copy + n);
			files++;
		}
		assert_true(r == 0 || r == -EINVAL);
		if (n == a.len)
			assert_int_equal(files, 3);
		free(copy);
	}
}

/* Random corruption: never a crash, files always inside the archive. */
static void test_fuzz(void **state)
{
	static struct ar a;
	struct cpio_file f;
	unsigned int seed = 777;
	size_t cur;
	char *copy;
	int iter, k, steps;

	(void)state;
	for (iter = 0; iter < 5000; iter++) {
		ar_sample(&a);
		for (k = 0; k < 1 + iter % 3; k++) {
			seed = seed * 1103515245u + 12345u;
			a.buf[(seed >> 8) % a.len] =
				"0123456789abcdef\0./x"[(seed >> 20) % 20];
		}
		copy = dup_exact(a.buf, a.len);
		cur = 0;
		for (steps = 0; cpio_next(copy, a.len, &cur, &f) == 1;
		     steps++) {
			assert_true(steps < 100);
			assert_true((const char *)f.data >= copy);
			assert_true((const char *)f.data + f.size <=
				    copy + a.len);
			assert_int_equal(strlen(f.name), f.namelen);
		}
		free(copy);
	}
}

static char *read_fixture(const char *name, size_t *size)
{
	char path[512];
	FILE *fp;
	char *buf;
	long n;

	snprintf(path, sizeof(path), "%s/%s", UNIT_FIXTURES, name);
	fp = fopen(path, "rb");
	assert_non_null(fp);
	assert_int_equal(fseek(fp, 0, SEEK_END), 0);
	n = ftell(fp);
	assert_true(n > 0);
	rewind(fp);
	buf = malloc((size_t)n);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, fp), (size_t)n);
	fclose(fp);
	*size = (size_t)n;
	return buf;
}

static void test_real_archive_from_cpio_tool(void **state)
{
	struct cpio_file f;
	size_t size, cur = 0;
	char *ar = read_fixture("root.cpio", &size);
	int files = 0;

	(void)state;
	while (cpio_next(ar, size, &cur, &f) == 1)
		files++;
	assert_int_equal(files, 3); /* empty, etc/motd, hello */

	assert_int_equal(cpio_find(ar, size, "etc/motd", &f), 0);
	assert_int_equal(f.size, 6);
	assert_memory_equal(f.data, "ferry\n", 6);
	assert_int_equal(cpio_find(ar, size, "/empty", &f), 0);
	assert_int_equal(f.size, 0);
	assert_int_equal(cpio_find(ar, size, "link", &f), -ENOENT);
	assert_int_equal(cpio_find(ar, size, "etc", &f), -ENOENT);
	free(ar);
}

/* The path the kernel takes at boot: an executable straight from initrd. */
static void test_real_archive_executable_parses(void **state)
{
	struct elf_info info;
	struct cpio_file f;
	size_t size;
	char *ar = read_fixture("root.cpio", &size);

	(void)state;
	assert_int_equal(cpio_find(ar, size, "hello", &f), 0);
	assert_true(f.size > 1000);
	assert_int_equal(f.mode & 0170000, 0100000);
	assert_int_equal(
		elf_parse(f.data, f.size, 0x00007ffffffff000ull, &info), 0);
	assert_true(info.nsegs >= 2);
	free(ar);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_iterates_regular_files_in_order),
		cmocka_unit_test(test_data_is_four_aligned),
		cmocka_unit_test(test_find_ignores_leading_slash_or_dot),
		cmocka_unit_test(test_find_missing_and_non_regular),
		cmocka_unit_test(test_empty_archive),
		cmocka_unit_test(test_no_trailer_ends_at_size),
		cmocka_unit_test(test_trailer_stops_before_garbage),
		cmocka_unit_test(test_unpadded_trailer_at_end),
		cmocka_unit_test(test_bad_magic),
		cmocka_unit_test(test_bad_hex_digits),
		cmocka_unit_test(test_uppercase_hex_accepted),
		cmocka_unit_test(test_namesize_zero),
		cmocka_unit_test(test_name_not_terminated),
		cmocka_unit_test(test_name_with_embedded_nul),
		cmocka_unit_test(test_namesize_past_end),
		cmocka_unit_test(test_filesize_past_end),
		cmocka_unit_test(test_cursor_past_end),
		cmocka_unit_test(test_find_reports_malformed_before_match),
		cmocka_unit_test(test_every_truncation),
		cmocka_unit_test(test_fuzz),
		cmocka_unit_test(test_real_archive_from_cpio_tool),
		cmocka_unit_test(test_real_archive_executable_parses),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
