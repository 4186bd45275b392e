/*
 * What the fs_* system tests share: the file server's cap (init puts it
 * in slot FY_FS_TEST_SLOT of every tests/fs_* program, round 1's way)
 * and the known data file helpers/fs_data.txt.
 */
#ifndef TESTS_FS_TEST_H
#define TESTS_FS_TEST_H

#include <stdio.h>
#include <time.h>

#include <ferry/fs.h>

/* helpers/fs_data.txt: line i is "%04d ferry\n", i = 0..999. */
#define FS_DATA "helpers/fs_data.txt"
#define FS_DATA_LINE 11
#define FS_DATA_SIZE (1000 * FS_DATA_LINE)

static inline char fs_data_byte(size_t off)
{
	char line[16];

	snprintf(line, sizeof(line), "%04u ferry\n",
		 (unsigned)(off / FS_DATA_LINE % 10000));
	return line[off % FS_DATA_LINE];
}

/* Sleeps a tick (10 ms): lets the server's destructors run. */
static inline void fs_tick(void)
{
	struct timespec t = {0, 10 * 1000 * 1000};

	nanosleep(&t, NULL);
}

#endif
