/*
 * The tmpfs at /tmp through real IPC: create, write, read back, grow
 * with holes, truncate, unlink (also while open), mkdir and list, and
 * its bounds (FS_TMP_NODES nodes, FS_TMP_PAGES pages, FS_TMP_FILE_MAX a
 * file). The free-frame count comes back when the files go.
 */
#include <string.h>

#include "fs_test.h"
#include "tap.h"
#include "util.h"

static struct fy_fs fs;
static char big[70000], back[70000];

static long info_pages(void)
{
	struct fs_info in;

	return fy_fs_info(&fs, &in) ? -1 : (long)in.tmp_pages;
}

static void test_basic(void)
{
	struct fs_stat st;
	long h, r;

	h = fy_fs_open(&fs, "/tmp/a", FS_O_CREAT | FS_O_RDWR);
	tap_ok(h >= 0, "create /tmp/a");
	tap_eq(fy_fs_stat(&fs, (int)h, &st), 0, "stat it");
	tap_ok(st.size == 0 && st.type == FS_TYPE_FILE &&
		       (st.mode & 0170000) == 0100000,
	       "an empty file");
	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (char)(i * 7 + 3);
	r = fy_fs_write(&fs, (int)h, 0, big, sizeof(big));
	tap_eq(r, (long)sizeof(big), "write 70000 bytes (two calls)");
	r = fy_fs_read(&fs, (int)h, 0, back, sizeof(back));
	tap_ok(r == (long)sizeof(big) && !memcmp(big, back, sizeof(big)),
	       "read them back");
	r = fy_fs_read(&fs, (int)h, 4093, back, 10);
	tap_ok(r == 10 && !memcmp(big + 4093, back, 10),
	       "10 bytes across a page boundary");
	tap_eq(info_pages(), 18, "18 pages held");
	tap_eq(fy_fs_write(&fs, (int)h, 5, "HELLO", 5), 5, "overwrite at 5");
	r = fy_fs_read(&fs, (int)h, 0, back, 12);
	tap_ok(r == 12 && !memcmp(back + 5, "HELLO", 5) && back[4] == big[4] &&
		       back[10] == big[10],
	       "the overwrite, and the bytes around it");

	/* A hole: written far out, zeros between, no pages for it. */
	r = fy_fs_write(&fs, (int)h, 1000000, "end", 3);
	tap_eq(r, 3, "write at 1000000");
	fy_fs_stat(&fs, (int)h, &st);
	tap_eq((long)st.size, 1000003, "size 1000003");
	tap_eq(info_pages(), 19, "one page more, not 227");
	memset(back, 1, 8192);
	r = fy_fs_read(&fs, (int)h, 500000, back, 8192);
	tap_ok(r == 8192 && back[0] == 0 && back[8191] == 0 &&
		       !memcmp(back, back + 1, 8191),
	       "the hole reads as zeros");
	r = fy_fs_read(&fs, (int)h, 999998, back, 100);
	tap_ok(r == 5 && back[0] == 0 && !memcmp(back + 2, "end", 3),
	       "the end: zeros, then the bytes (%ld)", r);

	/* Truncate: shrink mid-page, then grow again: zeros past the cut. */
	tap_eq(fy_fs_truncate(&fs, (int)h, 5000), 0, "truncate to 5000");
	fy_fs_stat(&fs, (int)h, &st);
	tap_eq((long)st.size, 5000, "size 5000");
	tap_eq(info_pages(), 2, "2 pages left");
	tap_eq(fy_fs_truncate(&fs, (int)h, 9000), 0, "grow to 9000");
	r = fy_fs_read(&fs, (int)h, 4990, back, 100);
	tap_ok(r == 100 && !memcmp(back, big + 4990, 10) && back[10] == 0 &&
		       back[99] == 0,
	       "the old bytes to 5000, zeros after");
	tap_eq(info_pages(), 2, "growing takes no page");
	tap_eq(fy_fs_close(&fs, (int)h), 0, "close");

	h = fy_fs_open(&fs, "tmp/a", FS_O_WRONLY | FS_O_TRUNC);
	tap_ok(h >= 0, "open O_TRUNC");
	fy_fs_stat(&fs, (int)h, &st);
	tap_eq((long)st.size, 0, "truncated to 0");
	tap_eq(info_pages(), 0, "no pages held");
	fy_fs_close(&fs, (int)h);
	tap_eq(fy_fs_open(&fs, "tmp/a", FS_O_CREAT | FS_O_EXCL), -EEXIST,
	       "O_EXCL on it: -EEXIST");
	tap_eq(fy_fs_unlink(&fs, "tmp/a"), 0, "unlink");
	tap_eq(fy_fs_open(&fs, "tmp/a", 0), -ENOENT, "gone");
}

static void test_dirs(void)
{
	static char lb[4096];
	uint64_t cookie = 0;
	long d, h, n;
	int seen = 0;

	tap_eq(fy_fs_mkdir(&fs, "tmp/d"), 0, "mkdir tmp/d");
	tap_eq(fy_fs_mkdir(&fs, "tmp/d/e/"), 0, "mkdir tmp/d/e/");
	h = fy_fs_open(&fs, "tmp/d/f", FS_O_CREAT | FS_O_WRONLY);
	fy_fs_write(&fs, (int)h, 0, "x", 1);
	fy_fs_close(&fs, (int)h);
	d = fy_fs_open(&fs, "tmp/d", FS_O_DIRECTORY);
	tap_ok(d >= 0, "open tmp/d as a directory");
	n = fy_fs_list(&fs, (int)d, &cookie, lb, sizeof(lb));
	tap_eq(n, 2, "two entries");
	for (long i = 0, at = 0; i < n; i++) {
		const struct fs_dirent *e = (const void *)(lb + at);

		seen |= !strcmp(e->name, "e") && e->type == FS_TYPE_DIR;
		seen |= (!strcmp(e->name, "f") && e->type == FS_TYPE_FILE) << 1;
		at += e->reclen;
	}
	tap_eq(seen, 3, "e/ and f");
	tap_eq(fy_fs_list(&fs, (int)d, &cookie, lb, sizeof(lb)), 0,
	       "then the end");
	fy_fs_close(&fs, (int)d);
	tap_eq(fy_fs_stat_path(&fs, "/tmp/d/e/../f", &(struct fs_stat){0}), 0,
	       "stat through ..");
	tap_eq(fy_fs_unlink(&fs, "tmp/d/f"), 0, "unlink tmp/d/f");
	tap_eq(fy_fs_unlink(&fs, "tmp/d/e"), 0, "rmdir tmp/d/e");
	tap_eq(fy_fs_unlink(&fs, "tmp/d"), 0, "rmdir tmp/d");
}

static void test_unlink_open(void)
{
	long h, h2, r;
	char b[8];

	h = fy_fs_open(&fs, "tmp/u", FS_O_CREAT | FS_O_RDWR);
	fy_fs_write(&fs, (int)h, 0, "kept", 4);
	tap_eq(fy_fs_unlink(&fs, "tmp/u"), 0, "unlink an open file");
	tap_eq(fy_fs_stat_path(&fs, "tmp/u", &(struct fs_stat){0}), -ENOENT,
	       "its name is gone");
	r = fy_fs_read(&fs, (int)h, 0, b, 4);
	tap_ok(r == 4 && !memcmp(b, "kept", 4), "its bytes stay while open");
	tap_eq(fy_fs_write(&fs, (int)h, 4, "!", 1), 1, "and it takes writes");
	h2 = fy_fs_open(&fs, "tmp/u", FS_O_CREAT | FS_O_RDWR);
	tap_ok(h2 >= 0, "a new file of the same name");
	tap_eq(fy_fs_read(&fs, (int)h2, 0, b, 4), 0, "is another, empty");
	tap_eq(info_pages(), 1, "one page (the unlinked file's)");
	fy_fs_close(&fs, (int)h);
	tap_eq(info_pages(), 0, "the last close frees it");
	fy_fs_close(&fs, (int)h2);
	fy_fs_unlink(&fs, "tmp/u");
}

static void test_limits(void)
{
	struct fs_info in;
	char name[32];
	long h, r, created = 0;

	/* Space: one file may take every page; the next byte is -ENOSPC. */
	h = fy_fs_open(&fs, "tmp/full", FS_O_CREAT | FS_O_RDWR);
	memset(big, 'z', sizeof(big));
	r = 0;
	for (uint64_t off = 0; off < FS_TMP_FILE_MAX; off += 65536)
		r += fy_fs_write(&fs, (int)h, off, big, 65536);
	tap_eq(r, (long)FS_TMP_FILE_MAX, "a file of FS_TMP_FILE_MAX bytes");
	tap_eq(fy_fs_write(&fs, (int)h, FS_TMP_FILE_MAX - 1, "ab", 2), 1,
	       "a write across the limit is short");
	tap_eq(info_pages(), FS_TMP_PAGES, "every page held");
	{
		long h2 = fy_fs_open(&fs, "tmp/more", FS_O_CREAT | FS_O_WRONLY);

		tap_eq(fy_fs_write(&fs, (int)h2, 0, "x", 1), -ENOSPC,
		       "another file's first byte: -ENOSPC");
		fy_fs_close(&fs, (int)h2);
		fy_fs_unlink(&fs, "tmp/more");
	}
	tap_eq(fy_fs_truncate(&fs, (int)h, 4096 * 3 + 1), 0,
	       "truncate the big file to 3 pages and a byte");
	tap_eq(info_pages(), 4, "4 pages held");
	fy_fs_close(&fs, (int)h);
	fy_fs_unlink(&fs, "tmp/full");

	/* Nodes: FS_TMP_NODES, /tmp one of them. */
	for (int i = 0; i < FS_TMP_NODES + 2; i++) {
		snprintf(name, sizeof(name), "tmp/n%d", i);
		h = fy_fs_open(&fs, name, FS_O_CREAT | FS_O_WRONLY);
		if (h < 0) {
			tap_eq(h, -ENOSPC, "node %d: -ENOSPC", i);
			break;
		}
		created++;
		fy_fs_close(&fs, (int)h);
	}
	tap_eq(created, FS_TMP_NODES - 1, "%d files besides /tmp",
	       FS_TMP_NODES - 1);
	tap_eq(fy_fs_mkdir(&fs, "tmp/onemore"), -ENOSPC, "mkdir: -ENOSPC");
	for (int i = 0; i < created; i++) {
		snprintf(name, sizeof(name), "tmp/n%d", i);
		fy_fs_unlink(&fs, name);
	}
	fy_fs_info(&fs, &in);
	tap_ok(in.tmp_nodes == 1 && in.tmp_pages == 0,
	       "all gone: nodes %u pages %u", in.tmp_nodes, in.tmp_pages);
}

int main(void)
{
	long cap = fy_fs_test_cap(), frames;

	if (!tap_ok(cap >= 0, "init gave us the file server"))
		return tap_done();
	tap_eq(fy_fs_connect((cap_t)cap, 0, &fs), 0, "connect");
	/* Our own pages first, so the count below is the server's. */
	touch_own_pages();
	memset(big, 1, sizeof(big));
	memset(back, 1, sizeof(back));
	memset(fs.conn.shm, 0, fs.conn.shm_size);
	frames = fy_kstat(KSTAT_FREE_FRAMES);
	test_basic();
	test_dirs();
	test_unlink_open();
	test_limits();
	tap_eq(fy_kstat(KSTAT_FREE_FRAMES), frames,
	       "free frames as before the files");
	tap_eq(fy_fs_disconnect(&fs), 0, "disconnect");
	return tap_done();
}
