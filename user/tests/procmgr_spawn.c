/*
 * procmgr (docs/process.md): spawns with arguments, environment and
 * named capabilities the child checks by name; bad requests refused
 * with their errno; demand paging of a 16 MiB data segment; one set of
 * read-only frames for two live instances of a file; PROCMGR_LIST; a
 * pager refusal (a /tmp program cut short after its spawn) killing the
 * child with SIGBUS; procmgr serving after all of it.
 */
#include <string.h>
#include <time.h>

#include <ferry/ferry.h>
#include <ferry/fs.h>
#include <ferry/initcaps.h>
#include <ferry/ipc.h>
#include <uapi/ferry/proto/procmgr.h>

#include "tap.h"
#include "util.h"

static const char *const envp_pm[] = {"PM=1", NULL};

static long wait_del(long proc)
{
	long st;

	if (proc < 0)
		return proc;
	st = fy_proc_wait((cap_t)proc);
	fy_cap_delete((cap_t)proc);
	return st;
}

static void test_named_caps(void)
{
	const char *argv[] = {"helpers/initcap_check", "one", "two", NULL};
	const char *names[] = {"blob", "mark"};
	long blob = fy_pmo_create(4096, PMO_DATA);
	long mark = fy_pmo_create(4096, PMO_DATA);
	cap_t caps[2] = {(cap_t)blob, (cap_t)mark};
	struct fy_spawn_attr a = {.prio = SPAWN_SCHED_DEFAULT,
				  .mcp = SPAWN_SCHED_DEFAULT,
				  .ncaps = 2,
				  .names = names,
				  .caps = caps};
	char m = 0;
	long p, st;

	fy_pmo_write((cap_t)blob, 0, "hello blob", 10);
	p = fy_spawn_caps(argv[0], argv, envp_pm, &a);
	tap_ok(p >= 0, "spawn with argv, envp and two named caps (%ld)", p);
	st = wait_del(p);
	tap_eq(st, PROC_STATUS_EXITED(0),
	       "the child finds argv, envp, fs, procmgr, blob and mark by "
	       "name, and slot 2 is its main thread");
	fy_pmo_read((cap_t)mark, 0, &m, 1);
	tap_eq(m, 0x5a, "it wrote through the cap it found as \"mark\"");
	fy_cap_delete((cap_t)blob);
	fy_cap_delete((cap_t)mark);
}

static void test_bad_requests(void)
{
	const char *argv[] = {"helpers/exit_with", NULL};
	const char *many[PROCMGR_MAX_CAPS + 1];
	cap_t caps[PROCMGR_MAX_CAPS + 1];
	const char *dup[] = {"x", "x"};
	const char *fsname[] = {"fs"};
	const char *longname[] = {"abcdefghijklmnopqrstuvwxyz"};
	long pmo = fy_pmo_create(4096, PMO_DATA);
	long nogrant =
		fy_cap_copy((cap_t)pmo, CAP_RIGHT_ALL & ~CAP_RIGHT_GRANT);
	struct fy_spawn_attr a = {.prio = SPAWN_SCHED_DEFAULT,
				  .mcp = SPAWN_SCHED_DEFAULT};
	long before = fy_kstat(KSTAT_LIVE_OBJECTS);

	for (int i = 0; i <= PROCMGR_MAX_CAPS; i++) {
		many[i] = "c";
		caps[i] = (cap_t)pmo;
	}
	a.caps = caps;
	a.names = many;
	a.ncaps = PROCMGR_MAX_CAPS + 1;
	tap_eq(fy_spawn_caps(argv[0], argv, NULL, &a), -E2BIG,
	       "more than PROCMGR_MAX_CAPS caps is -E2BIG");
	a.ncaps = 2;
	a.names = dup;
	tap_eq(fy_spawn_caps(argv[0], argv, NULL, &a), -EINVAL,
	       "a cap name given twice is -EINVAL");
	a.ncaps = 1;
	a.names = fsname;
	tap_eq(fy_spawn_caps(argv[0], argv, NULL, &a), -EINVAL,
	       "the reserved name \"fs\" is -EINVAL");
	a.names = longname;
	tap_eq(fy_spawn_caps(argv[0], argv, NULL, &a), -ENAMETOOLONG,
	       "a cap name of INITCAP_NAME_MAX bytes is -ENAMETOOLONG");
	a.names = dup;
	caps[0] = (cap_t)nogrant;
	tap_eq(fy_spawn_caps(argv[0], argv, NULL, &a), -ECAPBILITY,
	       "a cap without GRANT is refused by the kernel's IPC");
	caps[0] = 9999;
	tap_eq(fy_spawn_caps(argv[0], argv, NULL, &a), -ECAPBILITY,
	       "an empty slot is refused by the kernel's IPC");
	a.ncaps = 0;
	a.prio = PRIO_SHELL;
	tap_eq(fy_spawn_caps(argv[0], argv, NULL, &a), -EPERM,
	       "prio PRIO_SHELL (above PRIO_USER_MCP) is -EPERM");
	a.prio = SPAWN_SCHED_DEFAULT;
	a.mcp = PRIO_MAX;
	tap_eq(fy_spawn_caps(argv[0], argv, NULL, &a), -EPERM,
	       "mcp PRIO_MAX is -EPERM");
	a.mcp = 40;
	tap_eq(fy_spawn_caps(argv[0], argv, NULL, &a), -EINVAL,
	       "mcp 40 is -EINVAL");
	a.mcp = 10;
	a.prio = 12;
	tap_eq(fy_spawn_caps(argv[0], argv, NULL, &a), -EINVAL,
	       "prio above mcp is -EINVAL");
	a.prio = a.mcp = SPAWN_SCHED_DEFAULT;
	a.flags = PROCMGR_SPAWN_PRIVILEGED;
	tap_eq(fy_spawn_caps(argv[0], argv, NULL, &a), -EPERM,
	       "PROCMGR_SPAWN_PRIVILEGED from anyone but init is -EPERM");
	a.flags = 1u << 7;
	tap_eq(fy_spawn_caps(argv[0], argv, NULL, &a), -EINVAL,
	       "unknown flags are -EINVAL");
	a.flags = 0;
	a.budget_pages = 1ull << 40;
	tap_eq(fy_spawn_caps(argv[0], argv, NULL, &a), -ENOMEM,
	       "a budget above procmgr's own is -ENOMEM");
	tap_eq(fy_spawn(argv[0], (const char *const[]){NULL}, NULL), -EINVAL,
	       "an empty argv is -EINVAL");
	tap_eq(fy_spawn("/tmp", argv, NULL), -EACCES,
	       "a directory is -EACCES (execve(2))");
	tap_eq(fy_syscall5(FERRY_SYS_BASE + 15, (long)argv[0], (long)argv, 0,
			   SPAWN_SCHED_DEFAULT, SPAWN_SCHED_DEFAULT),
	       -ENOSYS, "the kernel's loader (SYS_spawn, 15) is gone");
	tap_eq(fy_kstat(KSTAT_LIVE_OBJECTS), before,
	       "no object left behind by the refused spawns");
	fy_cap_delete((cap_t)nogrant);
	fy_cap_delete((cap_t)pmo);
}

static void test_demand_paging(void)
{
	tap_eq(spawn_wait("helpers/big_data", NULL), PROC_STATUS_EXITED(0),
	       "256 KiB of data paged in from the file and 16 MiB of bss, "
	       "each page checked and written");
}

/* Spawns helpers/shared_text `how` with a flag PMO; waits for flag 1. */
static long text_child(const char *path, const char *how, cap_t flag,
		       int wait_touch)
{
	const char *argv[] = {path, how, NULL};
	const char *names[] = {"flag"};
	struct fy_spawn_attr a = {.prio = SPAWN_SCHED_DEFAULT,
				  .mcp = SPAWN_SCHED_DEFAULT,
				  .ncaps = 1,
				  .names = names,
				  .caps = &flag};
	struct timespec tick = {0, 10 * 1000 * 1000};
	uint8_t zero = 0, v = 0;
	long p;

	fy_pmo_write(flag, 0, &zero, 1);
	p = fy_spawn_caps(path, argv, NULL, &a);
	for (int i = 0; wait_touch && p >= 0 && i < 500 && v != 1; i++) {
		nanosleep(&tick, NULL);
		fy_pmo_read(flag, 0, &v, 1);
	}
	return p;
}

static void test_shared_text(void)
{
	long flag = fy_pmo_create(4096, PMO_DATA);
	long f0, f1, f2, a, b;

	/*
	 * Our connection keeps the image we spawned last: a small one now,
	 * so that what the first instance's spawn lets go of is a few pages.
	 */
	spawn_wait("helpers/exit_with", NULL);
	f0 = fy_kstat(KSTAT_FREE_FRAMES);
	a = text_child("helpers/shared_text", "touch", (cap_t)flag, 1);
	f1 = fy_kstat(KSTAT_FREE_FRAMES);
	b = text_child("helpers/shared_text", "touch", (cap_t)flag, 1);
	f2 = fy_kstat(KSTAT_FREE_FRAMES);
	tap_ok(a >= 0 && b >= 0, "two instances of helpers/shared_text");
	/* 128 pages of read-only data: the first brings them in ... */
	tap_ok(f0 - f1 >= 100,
	       "the first instance took its 512 KiB of read-only pages (%ld "
	       "frames)",
	       f0 - f1);
	/* ... the second shares them: its own stack, data, tables only. */
	tap_ok(f1 - f2 < 64 && (f0 - f1) - (f1 - f2) >= 100,
	       "the second, alive at once, shares them (%ld frames)", f1 - f2);
	fy_proc_kill((cap_t)a);
	fy_proc_kill((cap_t)b);
	tap_eq(wait_del(a), PROC_STATUS_KILLED(PROC_SIG_KILL),
	       "killed through the cap procmgr returned");
	wait_del(b);
	fy_cap_delete((cap_t)flag);
}

static void test_list(void)
{
	struct procmgr_proc_info info[16];
	long flag = fy_pmo_create(4096, PMO_DATA);
	long p = text_child("helpers/shared_text", "touch", (cap_t)flag, 1);
	struct proc_info pi = {0};
	struct proc_budget me = {0};
	long n;
	int found = 0;

	fy_proc_info((cap_t)p, &pi);
	fy_proc_budget(CAP_SELF_GROUP, &me);
	n = fy_proc_list(info, 16);
	tap_ok(n >= 2, "PROCMGR_LIST names the live processes (%ld)", n);
	for (long i = 0; i < n && i < 16; i++)
		if (info[i].pid == (int32_t)pi.pid &&
		    !strcmp(info[i].name, "shared_text") &&
		    info[i].state == PROCMGR_STATE_RUNNING &&
		    info[i].budget_pages == me.limit_pages)
			found = 1;
	tap_ok(found, "with the child's pid, name, state and budget (ours, "
		      "inherited as from the kernel's spawn)");
	fy_proc_kill((cap_t)p);
	wait_del(p);
	fy_cap_delete((cap_t)flag);
}

/* Copies initrd file `from` to `to` in /tmp; 0 or a negative errno. */
static long copy_file(struct fy_fs *fs, const char *from, const char *to)
{
	static char buf[65536];
	long in = fy_fs_open(fs, from, FS_O_RDONLY), out, n, w = 0;
	uint64_t off = 0;

	if (in < 0)
		return in;
	out = fy_fs_open(fs, to, FS_O_WRONLY | FS_O_CREAT | FS_O_TRUNC);
	while (out >= 0 &&
	       (n = fy_fs_read(fs, (int)in, off, buf, sizeof(buf))) > 0) {
		w = fy_fs_write(fs, (int)out, off, buf, (size_t)n);
		if (w != n)
			break;
		off += (uint64_t)n;
	}
	fy_fs_close(fs, (int)in);
	if (out < 0)
		return out;
	fy_fs_close(fs, (int)out);
	return w < 0 ? w : 0;
}

static void test_pager_refuses(void)
{
	struct fy_fs fs;
	long flag = fy_pmo_create(4096, PMO_DATA), p, h, r;
	uint8_t two = 2;

	r = fy_fs_connect(fy_initial_cap("fs"), 0, &fs);
	tap_eq(r, 0, "connect to the file server named \"fs\"");
	if (r)
		return;
	tap_eq(copy_file(&fs, "/helpers/shared_text", "/tmp/pm_victim"), 0,
	       "copy helpers/shared_text to /tmp");
	p = text_child("/tmp/pm_victim", "wait", (cap_t)flag, 0);
	tap_ok(p >= 0, "spawn /tmp/pm_victim (%ld)", p);
	h = fy_fs_open(&fs, "/tmp/pm_victim", FS_O_RDWR);
	tap_eq(fy_fs_truncate(&fs, (int)h, 0), 0,
	       "cut the running program's file to nothing");
	fy_fs_close(&fs, (int)h);
	fy_pmo_write((cap_t)flag, 0, &two, 1);
	tap_eq(wait_del(p), PROC_STATUS_KILLED(PROC_SIG_BUS),
	       "its next page cannot be read: the pager refuses and the "
	       "kernel kills it with SIGBUS");
	fy_fs_unlink(&fs, "/tmp/pm_victim");
	fy_fs_disconnect(&fs);
	fy_cap_delete((cap_t)flag);
}

/* Lays out a raw request: data_len bytes of `data` at the shm start. */
static long raw_call(struct ipc_conn *c, const void *data, uint32_t len,
		     unsigned ncaps, cap_t cap)
{
	struct ipc_msg *m = ipc_msg_init(c, len, ncaps ? ncaps : 1);

	if (!m)
		return -999;
	memcpy(ipc_msg_data(m), data, len);
	if (ncaps)
		ipc_msg_caps(m)[0] = cap;
	return ipc_call(c, m, ncaps);
}

/*
 * Requests libferry would never send, on a connection of our own with a
 * 4 KiB shm (a quarter of what a spawn may need): each refused, nothing
 * left behind, procmgr serving on.
 */
static void test_raw_requests(void)
{
	struct {
		struct procmgr_spawn_req r;
		char s[64];
	} q;
	struct procmgr_list_req lr = {.op = PROCMGR_LIST, .max = 100000};
	struct ipc_conn c;
	long pmo = fy_pmo_create(4096, PMO_DATA);
	long objs, r;
	uint32_t op = 99;

	r = ipc_connect(fy_initial_cap("procmgr"), 4096, &c);
	tap_eq(r, 0, "a connection of our own to procmgr, 4 KiB of shm");
	if (r)
		return;
	/* The children of the tests before may still be being torn down. */
	objs = objects_quiesce();
	tap_eq(raw_call(&c, &op, sizeof(op), 0, 0), -EINVAL,
	       "an unknown operation is -EINVAL");
	memset(&q, 0, sizeof(q));
	q.r.op = PROCMGR_SPAWN;
	tap_eq(raw_call(&c, &q, 8, 0, 0), -EINVAL,
	       "a spawn shorter than its header is -EINVAL");
	q.r.argc = 1;
	q.r.prio = q.r.mcp = -1;
	memcpy(q.s, "helpers/exit_with\0helpers/exit_with", 36);
	q.r.strings_len = 35; /* the two strings, the last NUL left out */
	tap_eq(raw_call(&c, &q, sizeof(q.r) + 35, 0, 0), -EINVAL,
	       "strings without their last NUL are -EINVAL");
	q.r.strings_len = 36;
	q.r.argc = 3;
	tap_eq(raw_call(&c, &q, sizeof(q.r) + 36, 0, 0), -EINVAL,
	       "an argc the strings do not hold is -EINVAL");
	q.r.argc = 1;
	q.r.strings_len = 3000;
	tap_eq(raw_call(&c, &q, sizeof(q.r) + 36, 0, 0), -EINVAL,
	       "strings_len past the data is -EINVAL");
	q.r.strings_len = 60000;
	tap_eq(raw_call(&c, &q, sizeof(q.r) + 36, 0, 0), -E2BIG,
	       "strings_len past any request is -E2BIG");
	q.r.strings_len = 36;
	q.r.ncaps = 1;
	tap_eq(raw_call(&c, &q, sizeof(q.r) + 36, 0, 0), -EINVAL,
	       "ncaps 1 with no cap sent is -EINVAL (the kernel's count)");
	q.r.ncaps = 0;
	tap_eq(raw_call(&c, &q, sizeof(q.r) + 36, 1, (cap_t)pmo), -EINVAL,
	       "a cap sent with ncaps 0 is -EINVAL, and procmgr drops it");
	op = PROCMGR_INIT;
	tap_eq(raw_call(&c, &op, sizeof(op), 1, (cap_t)pmo), -EPERM,
	       "PROCMGR_INIT from anyone but init is -EPERM");
	r = raw_call(&c, &lr, sizeof(lr), 0, 0);
	tap_ok(r >= 1, "LIST with a huge max on a small shm (%ld)", r);
	tap_eq(fy_kstat(KSTAT_LIVE_OBJECTS), objs,
	       "no object left behind by the raw requests");
	q.r.argc = 1;
	r = raw_call(&c, &q, sizeof(q.r) + 36, 0, 0);
	tap_ok(r > 0, "a good raw spawn on it works (pid %ld)", r);
	if (r > 0) {
		cap_t p = ipc_msg_caps((struct ipc_msg *)c.shm)[0];

		tap_eq(fy_proc_wait(p), PROC_STATUS_EXITED(0),
		       "and its cap came back in slot 0");
		fy_cap_delete(p);
	}
	ipc_close(&c);
	fy_cap_delete((cap_t)pmo);
}

int main(void)
{
	test_named_caps();
	test_bad_requests();
	test_demand_paging();
	test_shared_text();
	test_list();
	test_pager_refuses();
	test_raw_requests();
	tap_eq(spawn_wait("helpers/exit_with", NULL), PROC_STATUS_EXITED(0),
	       "procmgr still serves");
	return tap_done();
}
