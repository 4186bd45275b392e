/*
 * procmgr and malformed programs: each case is helpers/exit_with with
 * one thing broken, written into /tmp through the file server and
 * spawned; each must fail with its errno, leave no object or frame
 * behind, and leave procmgr serving. Then 500 spawn/exit cycles with
 * the frame and object counts back where they started.
 */
#include <elf.h>
#include <string.h>
#include <time.h>

#include <ferry/ferry.h>
#include <ferry/fs.h>
#include <ferry/initcaps.h>

#include "tap.h"
#include "util.h"

#define IMG_MAX (256u * 1024)
#define BAD "/tmp/pm_bad"

static char good[IMG_MAX], img[IMG_MAX];
static long good_len;
static struct fy_fs fs;

static long load_good(void)
{
	long h = fy_fs_open(&fs, "/helpers/exit_with", FS_O_RDONLY), n;

	if (h < 0)
		return h;
	n = fy_fs_read(&fs, (int)h, 0, good, sizeof(good));
	fy_fs_close(&fs, (int)h);
	return n;
}

static long write_bad(const void *buf, long len)
{
	long h = fy_fs_open(&fs, BAD, FS_O_WRONLY | FS_O_CREAT | FS_O_TRUNC);
	long w = 0;

	if (h < 0)
		return h;
	if (len)
		w = fy_fs_write(&fs, (int)h, 0, buf, (size_t)len);
	fy_fs_close(&fs, (int)h);
	return w == len ? 0 : -EIO;
}

static Elf64_Ehdr *eh(void)
{
	return (Elf64_Ehdr *)img;
}

/* The n-th PT_LOAD of img. */
static Elf64_Phdr *load(int n)
{
	Elf64_Phdr *ph = (Elf64_Phdr *)(img + eh()->e_phoff);

	for (int i = 0; i < eh()->e_phnum; i++)
		if (ph[i].p_type == PT_LOAD && n-- == 0)
			return &ph[i];
	return &ph[0];
}

/*
 * Waits (1 ms sleeps, up to 100) for the counts to come back: a closed
 * connection's server side ends in its handler's exit routine, which
 * runs at PRIO_DEFAULT like us.
 */
static void settle(long frames, long objs)
{
	struct timespec t = {0, 1000000};

	for (int i = 0; i < 100 && (fy_kstat(KSTAT_FREE_FRAMES) != frames ||
				    fy_kstat(KSTAT_LIVE_OBJECTS) != objs);
	     i++)
		nanosleep(&t, NULL);
}

static void expect(long len, long want, const char *what)
{
	const char *argv[] = {BAD, NULL};
	long frames = fy_kstat(KSTAT_FREE_FRAMES);
	long objs = fy_kstat(KSTAT_LIVE_OBJECTS);
	long r = write_bad(img, len);

	if (r) {
		tap_eq(r, 0, "write %s", what);
		return;
	}
	frames = fy_kstat(KSTAT_FREE_FRAMES);
	objs = fy_kstat(KSTAT_LIVE_OBJECTS);
	r = fy_spawn(BAD, argv, NULL);
	if (r >= 0) {
		fy_proc_kill((cap_t)r);
		fy_proc_wait((cap_t)r);
		fy_cap_delete((cap_t)r);
	}
	tap_eq(r, want, "%s", what);
	settle(frames, objs);
	tap_ok(fy_kstat(KSTAT_LIVE_OBJECTS) == objs &&
		       fy_kstat(KSTAT_FREE_FRAMES) == frames,
	       "... and nothing is left behind (objects %ld -> %ld, frames "
	       "%ld -> %ld)",
	       objs, fy_kstat(KSTAT_LIVE_OBJECTS), frames,
	       fy_kstat(KSTAT_FREE_FRAMES));
}

static void fresh(void)
{
	memcpy(img, good, (size_t)good_len);
}

static void test_bad_elves(void)
{
	/* Our connection to procmgr is made by the first spawn. */
	spawn_wait("helpers/exit_with", NULL);
	fresh();
	expect(0, -ENOEXEC, "an empty file is -ENOEXEC");
	memcpy(img, "#!/bin/sh\necho hi\n", 18);
	expect(18, -ENOEXEC, "a script is -ENOEXEC");
	fresh();
	expect(40, -ENOEXEC, "an ELF cut inside its header is -ENOEXEC");
	fresh();
	expect(good_len / 2, -ENOEXEC,
	       "an ELF cut in half (segments past its end) is -ENOEXEC");
	fresh();
	img[EI_CLASS] = ELFCLASS32;
	expect(good_len, -ENOEXEC, "a 32-bit ELF is -ENOEXEC");
	fresh();
	eh()->e_machine = EM_AARCH64;
	expect(good_len, -ENOEXEC, "an aarch64 ELF is -ENOEXEC");
	fresh();
	eh()->e_type = ET_DYN;
	expect(good_len, -ENOEXEC, "a position-independent ELF is -ENOEXEC");
	fresh();
	eh()->e_phnum = 0xffff;
	expect(good_len, -ENOEXEC, "65535 program headers is -ENOEXEC");
	fresh();
	eh()->e_entry = 0x10;
	expect(good_len, -ENOEXEC,
	       "an entry outside every segment is -ENOEXEC");
	fresh();
	load(0)->p_vaddr = 0xffff800000400000ull;
	load(0)->p_paddr = load(0)->p_vaddr;
	expect(good_len, -ENOEXEC, "a segment at a kernel address is -ENOEXEC");
	fresh();
	load(1)->p_vaddr = load(0)->p_vaddr;
	expect(good_len, -ENOEXEC, "overlapping segments are -ENOEXEC");
	fresh();
	load(0)->p_filesz = 1ull << 40;
	load(0)->p_memsz = 1ull << 40;
	expect(good_len, -ENOEXEC,
	       "a segment reaching past the file's end is -ENOEXEC");
	fresh();
	for (int i = 0; i < 8; i++)
		if (load(i)->p_flags & PF_W) {
			load(i)->p_memsz = 1ull << 36;
			break;
		}
	expect(good_len, -ENOMEM, "a 64 GiB bss is -ENOMEM");
	tap_eq(spawn_wait("helpers/exit_with", NULL), PROC_STATUS_EXITED(0),
	       "procmgr still serves after the bad programs");
}

static void test_missing(void)
{
	const char *argv[] = {"x", NULL};

	tap_eq(fy_spawn("/tmp/no_such_program", argv, NULL), -ENOENT,
	       "a missing /tmp file is -ENOENT");
	tap_eq(fy_spawn("helpers/no_such", argv, NULL), -ENOENT,
	       "a missing initrd file is -ENOENT");
}

/* 500 spawns and exits: frames and objects back where they started. */
static void test_cycles(void)
{
	const char *argv[] = {"helpers/exit_with", "5", NULL};
	long frames, objs, bad = 0;

	/* One round first: anything it leaves for good is not a leak. */
	spawn_wait("helpers/exit_with", argv);
	frames = fy_kstat(KSTAT_FREE_FRAMES);
	objs = fy_kstat(KSTAT_LIVE_OBJECTS);
	for (int i = 0; i < 500; i++)
		if (spawn_wait("helpers/exit_with", argv) !=
		    PROC_STATUS_EXITED(5))
			bad++;
	tap_eq(bad, 0, "500 spawn/exit/wait cycles, each exiting 5");
	/* procmgr's reapers may still be closing the last one. */
	settle(frames, objs);
	tap_eq(fy_kstat(KSTAT_FREE_FRAMES), frames,
	       "free frames back where they were");
	tap_eq(fy_kstat(KSTAT_LIVE_OBJECTS), objs,
	       "live objects back where they were");
}

int main(void)
{
	long r;
	r = fy_fs_connect(fy_initial_cap("fs"), 0, &fs);

	tap_eq(r, 0, "connect to the file server");
	good_len = load_good();
	tap_ok(good_len > 0 && good_len < (long)IMG_MAX,
	       "read helpers/exit_with (%ld bytes)", good_len);
	if (r == 0 && good_len > 0 && good_len < (long)IMG_MAX) {
		test_bad_elves();
		test_missing();
		fy_fs_unlink(&fs, BAD);
	}
	test_cycles();
	fy_fs_disconnect(&fs);
	return tap_done();
}
