/*
 * A client's death closes its handles: helpers/fs_holder opens six
 * (one on a /tmp file unlinked while open) and is killed; the server's
 * counts of handles, tmpfs nodes and pages come back (the unlinked
 * file goes with its last handle), and so do the free frames. Then many
 * open/close and connect/disconnect cycles leave the counts as they
 * were.
 */
#include <string.h>

#include "fs_test.h"
#include "tap.h"
#include "util.h"

#define HOLDER_HANDLES 6
#define WAIT_TICKS 300

static struct fy_fs fs;

static void info(struct fs_info *in)
{
	memset(in, 0, sizeof(*in));
	fy_fs_info(&fs, in);
}

static void test_death(long cap)
{
	const char *argv[] = {"helpers/fs_holder", NULL};
	struct fs_info before, in;
	long p, st, frames, objects;
	int i;

	/*
	 * A first run, killed once it holds its handles: procmgr's image of
	 * the program then has every page the second run touches (our
	 * connection keeps it), so procmgr's pager opens nothing of its own
	 * in the file server while we count the holder's handles.
	 */
	(void)cap;
	info(&before);
	p = fy_spawn(argv[0], argv, NULL);
	for (i = 0; p >= 0 && i < WAIT_TICKS; i++) {
		info(&in);
		if (in.handles == before.handles + HOLDER_HANDLES &&
		    in.tmp_nodes == before.tmp_nodes + 2)
			break;
		fs_tick();
	}
	fy_proc_kill((cap_t)p);
	fy_proc_wait((cap_t)p);
	fy_cap_delete((cap_t)p);
	fy_fs_unlink(&fs, "tmp/fs_holder");
	info(&before);
	frames = fy_kstat(KSTAT_FREE_FRAMES);
	objects = fy_kstat(KSTAT_LIVE_OBJECTS);
	p = fy_spawn(argv[0], argv, NULL);
	tap_ok(p >= 0,
	       "spawn helpers/fs_holder: procmgr gives it the file "
	       "server as its initial capability \"fs\", slot %d",
	       FY_FS_TEST_SLOT);
	for (i = 0; i < WAIT_TICKS; i++) {
		info(&in);
		if (in.handles == before.handles + HOLDER_HANDLES &&
		    in.tmp_nodes == before.tmp_nodes + 2)
			break;
		fs_tick();
	}
	tap_ok(i < WAIT_TICKS,
	       "it holds %d handles, a file and an unlinked one (%u, %u)",
	       HOLDER_HANDLES, in.handles, in.tmp_nodes);
	tap_eq(in.tmp_pages, before.tmp_pages + 3, "and 3 tmpfs pages");
	tap_eq(in.mine, 0, "none of them counts as ours");
	fy_proc_kill((cap_t)p);
	st = fy_proc_wait((cap_t)p);
	tap_eq(st, PROC_STATUS_KILLED(PROC_SIG_KILL), "killed");
	fy_cap_delete((cap_t)p);
	for (i = 0; i < WAIT_TICKS; i++) {
		info(&in);
		if (in.handles == before.handles &&
		    in.tmp_nodes == before.tmp_nodes + 1)
			break;
		fs_tick();
	}
	tap_ok(i < WAIT_TICKS,
	       "its handles are closed: %u handles, %u nodes (the linked "
	       "file stays)",
	       in.handles, in.tmp_nodes);
	tap_eq(in.tmp_pages, before.tmp_pages + 2,
	       "the unlinked file's page is freed");
	tap_eq(fy_fs_unlink(&fs, "tmp/fs_holder"), 0, "unlink its file");
	info(&in);
	tap_ok(in.tmp_nodes == before.tmp_nodes &&
		       in.tmp_pages == before.tmp_pages,
	       "tmpfs as before");
	for (i = 0; i < WAIT_TICKS; i++) {
		if (fy_kstat(KSTAT_FREE_FRAMES) == frames &&
		    fy_kstat(KSTAT_LIVE_OBJECTS) == objects)
			break;
		fs_tick();
	}
	tap_ok(i < WAIT_TICKS, "frames and objects back (%ld/%ld, %ld/%ld)",
	       fy_kstat(KSTAT_FREE_FRAMES), frames,
	       fy_kstat(KSTAT_LIVE_OBJECTS), objects);
}

static void test_cycles(long cap)
{
	struct fs_info before, in;
	long frames, objects, bad = 0;
	char b[32];
	int i;

	info(&before);
	frames = fy_kstat(KSTAT_FREE_FRAMES);
	objects = fy_kstat(KSTAT_LIVE_OBJECTS);
	for (i = 0; i < 1000; i++) {
		long h = fy_fs_open(&fs, i % 2 ? FS_DATA : "tmp/cyc",
				    i % 2 ? 0 : FS_O_CREAT | FS_O_RDWR);

		if (h < 0 || (i % 2 ? fy_fs_read(&fs, (int)h, 11 * (i % 900), b,
						 11) != 11
				    : fy_fs_write(&fs, (int)h, 0, b, 32) != 32))
			bad++;
		if (fy_fs_close(&fs, (int)h) != 0)
			bad++;
	}
	fy_fs_unlink(&fs, "tmp/cyc");
	tap_eq(bad, 0, "1000 open/read-or-write/close cycles");
	info(&in);
	tap_ok(in.handles == before.handles &&
		       in.tmp_nodes == before.tmp_nodes &&
		       in.tmp_pages == before.tmp_pages,
	       "the server's counts are back");
	tap_eq(fy_kstat(KSTAT_FREE_FRAMES), frames, "free frames are back");
	tap_eq(fy_kstat(KSTAT_LIVE_OBJECTS), objects, "live objects are back");

	for (i = 0; i < 100; i++) {
		struct fy_fs c;
		long r;
		int t = 0;

		/*
		 * Closed connections count against the server's limit until
		 * their destructors run, at PRIO_DEFAULT as we do: past it,
		 * -ECONNREFUSED; let them run.
		 */
		while ((r = fy_fs_connect((cap_t)cap, 0, &c)) ==
			       -ECONNREFUSED &&
		       t++ < WAIT_TICKS)
			fs_tick();
		if (r < 0) {
			bad++;
			continue;
		}
		if (fy_fs_open(&c, FS_DATA, 0) < 0)
			bad++;
		fy_fs_disconnect(&c); /* its handle closes with it */
		/*
		 * Let its destructor run before the next: connections piled
		 * up would each place a handler stack and a shm in the
		 * server, whose page tables stay (docs/fs.md, "Memory").
		 */
		for (t = 0; t < WAIT_TICKS; t++) {
			info(&in);
			if (in.handles == before.handles)
				break;
			fs_tick();
		}
	}
	tap_eq(bad, 0, "100 connections, each left with a handle open");
	for (i = 0; i < WAIT_TICKS; i++) {
		info(&in);
		if (in.handles == before.handles &&
		    fy_kstat(KSTAT_FREE_FRAMES) == frames &&
		    fy_kstat(KSTAT_LIVE_OBJECTS) == objects)
			break;
		fs_tick();
	}
	tap_ok(i < WAIT_TICKS,
	       "their handles closed, frames and objects back (%u handles)",
	       in.handles);
}

int main(void)
{
	long cap = fy_fs_test_cap();

	if (!tap_ok(cap >= 0, "init gave us the file server"))
		return tap_done();
	/* Our own pages in first: procmgr pages us in as we run. */
	touch_own_pages();
	tap_eq(fy_fs_connect((cap_t)cap, 0, &fs), 0, "connect");
	test_death(cap);
	test_cycles(cap);
	tap_eq(fy_fs_disconnect(&fs), 0, "disconnect");
	return tap_done();
}
