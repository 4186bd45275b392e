/*
 * The system-test runner (init's "test" mode). Every initrd file named
 * "tests/..." runs in name order with argv {name}; it prints its own TAP
 * lines. Around each one init adds two TAP lines of its own:
 *   ok - <name> exit      the wait status was a clean exit 0, or, for a
 *                         name starting with "fault" or containing
 *                         "_fault", a kill by SIGSEGV
 *   ok - <name> no leak   free frames and live kernel objects are back to
 *                         what they were before the program ran
 * and "# run: <name>" before it, so the collector can tell whose lines
 * are whose and which program was running if the machine dies.
 *
 * Between the two counter readings init itself does nothing but spawn,
 * wait and delete the process cap: its own heap and stdio buffers are
 * already touched before the first program runs, so any change is the
 * test's. A kernel may free a dead process's memory a little after the
 * wait returns (a reaper), so a mismatch is re-read after some yields
 * before it counts as a leak.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <ferry/ferry.h>
#include <ferry/initrd.h>
#include <ferry/status.h>

#include "init.h"

#define TEST_PREFIX "tests/"
#define LEAK_SETTLE_YIELDS 100
#define LEAK_SETTLE_SLEEPS 50

struct counters {
	long frames;
	long objects;
};

static void read_counters(struct counters *c)
{
	c->frames = fy_kstat(KSTAT_FREE_FRAMES);
	c->objects = fy_kstat(KSTAT_LIVE_OBJECTS);
}

static int counters_equal(const struct counters *a, const struct counters *b)
{
	return a->frames == b->frames && a->objects == b->objects;
}

/*
 * Yields first (a reaper at our priority); then sleeps a tick at a time,
 * so that work below our priority finishes too: a server's destructor
 * for the test's connections runs on its own context at PRIO_DEFAULT
 * (docs/ipc.md), and the file server frees a test's handles there.
 */
static int settle(const struct counters *before, struct counters *after)
{
	struct timespec tick = {0, 10 * 1000 * 1000};

	for (int i = 0; i < LEAK_SETTLE_YIELDS + LEAK_SETTLE_SLEEPS; i++) {
		read_counters(after);
		if (counters_equal(before, after))
			return 1;
		if (i < LEAK_SETTLE_YIELDS)
			fy_yield();
		else
			nanosleep(&tick, NULL);
	}
	return 0;
}

/* "tests/fault_null", "tests/pmo_fault_ro": programs meant to fault. */
static int expects_fault(const char *name)
{
	const char *base = strrchr(name, '/');

	base = base ? base + 1 : name;
	return !strncmp(base, "fault", 5) || strstr(base, "_fault");
}

static int exit_ok(const char *name, long status)
{
	if (expects_fault(name))
		return status == PROC_STATUS_KILLED(PROC_SIG_SEGV);
	return status == PROC_STATUS_EXITED(0);
}

/*
 * The kernel's initrd PMO in our slot CAP_INIT_INITRD: a PMO with
 * READ|MAP|GRANT and no more, so neither a write nor a writable mapping
 * of it is possible. One TAP line; 1 if it failed. Nothing here takes
 * memory (a refused map maps nothing).
 */
static int check_initrd_cap(void)
{
	long info = fy_cap_info(CAP_INIT_INITRD);
	unsigned want = CAP_RIGHT_READ | CAP_RIGHT_MAP | CAP_RIGHT_GRANT;
	char c = 0;
	long w = fy_pmo_write(CAP_INIT_INITRD, 0, &c, 1);
	long m = fy_pmo_map(CAP_SELF_GROUP, CAP_INIT_INITRD, 0x300000000000ul,
			    VM_READ | VM_WRITE);
	long r = fy_pmo_read(CAP_INIT_INITRD, 0, &c, 1);
	int ok = info >= 0 && FY_CAP_INFO_TYPE(info) == OBJ_TYPE_PMO &&
		 FY_CAP_INFO_RIGHTS(info) == want && w == -ECAPBILITY &&
		 m == -ECAPBILITY && r == 0 && c == '0';

	printf("%s - init: slot %d holds the initrd, read-only (info 0x%lx, "
	       "write %ld, map rw %ld, read %ld '%c')\n",
	       ok ? "ok" : "not ok", CAP_INIT_INITRD, info, w, m, r, c);
	return !ok;
}

/* Returns the number of failed TAP lines this program earned. */
static int run_test(const char *name)
{
	struct counters before, after;
	long status = 0, err;
	int failed = 0;

	printf("# run: %s\n", name);
	read_counters(&before);
	err = init_run_one(name, &status);
	if (err < 0) {
		printf("not ok - %s exit spawn/wait error %ld\n", name, err);
		return 1;
	}
	if (exit_ok(name, status)) {
		printf("ok - %s exit\n", name);
	} else {
		printf("not ok - %s exit status=0x%lx\n", name, status);
		failed++;
	}
	if (settle(&before, &after)) {
		printf("ok - %s no leak\n", name);
	} else {
		printf("not ok - %s no leak frames before/after %ld/%ld "
		       "objects before/after %ld/%ld\n",
		       name, before.frames, after.frames, before.objects,
		       after.objects);
		failed++;
	}
	return failed;
}

int init_mode_test(const char *only)
{
	struct fy_names names;
	int ran = 0, failed = 0;
	long err;

	printf("# system: start\n");
	failed += check_initrd_cap();
	/* Through the file server, before its warm-up settles the counts. */
	err = fy_initrd_names_from(init_fs_server(), &names);
	if (err < 0) {
		printf("not ok - init: the initrd's names: error %ld\n", err);
		printf("# system: done\n");
		return 1;
	}
	if (init_ns_warm() < 0)
		printf("# init: the name server did not warm up\n");
	if (init_fs_warm() < 0)
		printf("# init: the file server did not warm up\n");
	/* Made once, before the first count: every test gets it. */
	if (init_ns_test_right() < 0)
		printf("# init: no name right for the tests\n");
	fy_names_sort(&names);
	for (size_t i = 0; i < names.count; i++) {
		if (strncmp(names.names[i], TEST_PREFIX, strlen(TEST_PREFIX)) ||
		    (only && !strstr(names.names[i], only)))
			continue;
		failed += run_test(names.names[i]);
		ran++;
	}
	fy_names_free(&names);
	failed += init_console_check_restart();
	failed += init_fs_check_restart();
	printf("# system: %d programs, %d init checks failed\n", ran, failed);
	printf("# system: done\n");
	return 0;
}
