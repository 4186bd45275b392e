/*
 * fs_death's client that dies holding handles: it finds the file
 * server's cap in its slot 3 (the test transfers it, round 1's way),
 * opens FS_HOLDER_HANDLES handles (initrd files, a /tmp file it wrote
 * two pages to, and one it unlinked while open), then sleeps until it is
 * killed. Exits 1 if any step fails.
 */
#include <time.h>

#include <ferry/fs.h>

#define FS_HOLDER_HANDLES 6

int main(void)
{
	static char page[8192];
	struct timespec tick = {0, 10 * 1000 * 1000};
	struct fy_fs fs;
	long cap = -1, h;

	for (int i = 0; i < 500 && cap < 0; i++) {
		cap = fy_fs_test_cap();
		if (cap < 0)
			nanosleep(&tick, NULL);
	}
	if (cap < 0 || fy_fs_connect((cap_t)cap, 0, &fs) < 0)
		return 1;
	for (int i = 0; i < 3; i++)
		if (fy_fs_open(&fs, "helpers/fs_data.txt", 0) < 0)
			return 1;
	if (fy_fs_open(&fs, "/", 0) < 0)
		return 1;
	h = fy_fs_open(&fs, "tmp/fs_holder", FS_O_CREAT | FS_O_RDWR);
	if (h < 0 || fy_fs_write(&fs, (int)h, 0, page, sizeof(page)) !=
			     (long)sizeof(page))
		return 1;
	h = fy_fs_open(&fs, "tmp/fs_holder_gone", FS_O_CREAT | FS_O_RDWR);
	if (h < 0 || fy_fs_write(&fs, (int)h, 0, "x", 1) != 1 ||
	    fy_fs_unlink(&fs, "tmp/fs_holder_gone") < 0)
		return 1;
	for (;;)
		nanosleep(&tick, NULL);
}
