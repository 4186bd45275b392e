/*
 * The file server's initrd through real IPC: a known data file read
 * whole and at odd offsets, past its end, stat, and the listing of the
 * root and a subdirectory (docs/fs.md).
 */
#include <string.h>

#include "fs_test.h"
#include "tap.h"

static char buf[FS_DATA_SIZE + 100];

static int bytes_match(const char *p, size_t off, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (p[i] != fs_data_byte(off + i))
			return 0;
	return 1;
}

/* Every name of directory h, through lists of `room` bytes each. */
static int list_all(struct fy_fs *fs, int h, size_t room, char names[][64],
		    int max)
{
	static char lb[4096];
	uint64_t cookie = 0;
	int n = 0;
	long r;

	while ((r = fy_fs_list(fs, h, &cookie, lb, room)) > 0) {
		size_t at = 0;

		for (long i = 0; i < r; i++) {
			const struct fs_dirent *d = (const void *)(lb + at);

			if (n < max)
				snprintf(names[n], 64, "%c%s",
					 d->type == FS_TYPE_DIR ? 'd' : 'f',
					 d->name);
			n++;
			at += d->reclen;
		}
	}
	return r < 0 ? (int)r : n;
}

static int has(char names[][64], int n, const char *want)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(names[i], want))
			return 1;
	return 0;
}

int main(void)
{
	static char names[512][64];
	struct fy_fs fs;
	struct fs_stat st;
	const void *p;
	long cap = fy_fs_test_cap(), h, r, n, n2;
	static const size_t odd[] = {1, 7, 4095, 4096, 4097, 8191, 10989};

	if (!tap_ok(cap >= 0, "init gave us the file server (slot %d)",
		    FY_FS_TEST_SLOT))
		return tap_done();
	tap_eq(fy_fs_connect((cap_t)cap, 0, &fs), 0, "connect");

	h = fy_fs_open(&fs, FS_DATA, FS_O_RDONLY);
	tap_ok(h >= 0, "open %s: handle %ld", FS_DATA, h);
	r = fy_fs_read(&fs, (int)h, 0, buf, sizeof(buf));
	tap_eq(r, FS_DATA_SIZE, "read whole: every byte up to the end");
	tap_ok(r == FS_DATA_SIZE && bytes_match(buf, 0, FS_DATA_SIZE),
	       "the bytes are the file's");
	for (size_t i = 0; i < sizeof(odd) / sizeof(odd[0]); i++) {
		size_t want =
			FS_DATA_SIZE - odd[i] < 13 ? FS_DATA_SIZE - odd[i] : 13;

		memset(buf, 0, 64);
		r = fy_fs_read(&fs, (int)h, odd[i], buf, 13);
		tap_ok(r == (long)want && bytes_match(buf, odd[i], want),
		       "read 13 at %zu: %ld bytes, right ones", odd[i], r);
	}
	tap_eq(fy_fs_read(&fs, (int)h, FS_DATA_SIZE, buf, 10), 0,
	       "read at the end: 0");
	tap_eq(fy_fs_read(&fs, (int)h, 1ull << 40, buf, 10), 0,
	       "read far past the end: 0");
	tap_eq(fy_fs_read(&fs, (int)h, 5, buf, 0), 0, "read of 0 bytes: 0");
	r = fy_fs_read_shm(&fs, (int)h, 3, fy_fs_room(&fs), &p);
	tap_ok(r == FS_DATA_SIZE - 3 && bytes_match(p, 3, (size_t)r),
	       "one read of the whole room into the shm: %ld bytes", r);

	tap_eq(fy_fs_stat(&fs, (int)h, &st), 0, "stat by handle");
	tap_ok(st.size == FS_DATA_SIZE && st.type == FS_TYPE_FILE &&
		       (st.mode & 0170000) == 0100000,
	       "a file of %d bytes (size %llu type %u mode 0%o)", FS_DATA_SIZE,
	       (unsigned long long)st.size, st.type, st.mode);
	tap_eq(fy_fs_close(&fs, (int)h), 0, "close");

	tap_eq(fy_fs_stat_path(&fs, "helpers", &st), 0, "stat helpers/");
	tap_ok(st.type == FS_TYPE_DIR && (st.mode & 0170000) == 0040000 &&
		       st.size > 3,
	       "helpers is a directory (type %u mode 0%o, %llu entries)",
	       st.type, st.mode, (unsigned long long)st.size);
	tap_eq(fy_fs_stat_path(&fs, "/", &st), 0, "stat /");
	tap_eq(st.type, FS_TYPE_DIR, "/ is a directory");
	tap_eq(fy_fs_stat_path(&fs, "/helpers/..//./helpers/fs_data.txt", &st),
	       0, "stat through //, . and ..");
	tap_eq((long)st.size, FS_DATA_SIZE, "... the same file");
	tap_eq(fy_fs_stat_path(&fs, "/../../helpers/fs_data.txt", &st), 0,
	       "\"..\" at the root stays at the root");
	tap_eq(fy_fs_stat_path(&fs, "tmp/../helpers/fs_data.txt", &st), 0,
	       "\"..\" from /tmp is the root");

	/* The ELF programs: their first bytes. */
	h = fy_fs_open(&fs, "/init", FS_O_RDONLY);
	r = fy_fs_read(&fs, (int)h, 0, buf, 4);
	tap_ok(r == 4 && !memcmp(buf, "\177ELF", 4), "init starts \\177ELF");
	fy_fs_close(&fs, (int)h);

	h = fy_fs_open(&fs, "/", FS_O_RDONLY | FS_O_DIRECTORY);
	tap_ok(h >= 0, "open / as a directory");
	n = list_all(&fs, (int)h, 4096, names, 512);
	tap_ok(n > 4 && has(names, (int)n, "finit") &&
		       has(names, (int)n, "dtests") &&
		       has(names, (int)n, "dhelpers") &&
		       has(names, (int)n, "dtmp"),
	       "list /: %ld entries with init, tests/, helpers/, tmp/", n);
	tap_ok(!has(names, (int)n, "d.") && !has(names, (int)n, "d.."),
	       "no . or .. entries");
	n2 = list_all(&fs, (int)h, 24, names, 512);
	tap_eq(n2, n, "the same list one entry per call (cookies)");
	tap_ok(has(names, (int)n2, "dtmp"), "... tmp comes last too");
	tap_eq(fy_fs_stat(&fs, (int)h, &st), 0, "stat / by handle");
	tap_eq((long)st.size, n, "the root's size is its entry count");
	fy_fs_close(&fs, (int)h);

	h = fy_fs_open(&fs, "helpers/", FS_O_RDONLY);
	n = list_all(&fs, (int)h, 4096, names, 512);
	tap_ok(has(names, (int)n, "ffs_data.txt") &&
		       has(names, (int)n, "fnot_elf.txt") &&
		       !has(names, (int)n, "finit"),
	       "list helpers/: %ld entries, its own", n);
	fy_fs_close(&fs, (int)h);
	h = fy_fs_open(&fs, "tests", FS_O_RDONLY);
	n = list_all(&fs, (int)h, 4096, names, 512);
	tap_ok(has(names, (int)n, "ffs_initrd"), "tests/ holds fs_initrd");
	fy_fs_close(&fs, (int)h);

	tap_eq(fy_fs_disconnect(&fs), 0, "disconnect");
	return tap_done();
}
