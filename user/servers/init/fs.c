/*
 * init starts the file server (user/servers/fs) and gives it the
 * initrd: the PMO the kernel put in our slot CAP_INIT_INITRD, copied
 * into the server's first free slot (3, where it looks) with READ|MAP
 * only, so it cannot pass it on either. A watcher thread starts it
 * again whenever it dies (its clients' handles die with it: they get
 * -EDEADSRV and must connect to the new one).
 *
 * init hands the server to procmgr (procmgr.c), which gives every
 * process it starts the initial capability "fs" (slot 3, which is also
 * FY_FS_TEST_SLOT). The server is started with the kernel's loader: it
 * must run before procmgr can read a program. If it is restarted,
 * procmgr keeps the old (dead) one: programs then fail to start with
 * -EIO (not yet handled).
 *
 * Test mode also warms the server up (init_fs_warm) before the first
 * counter reading: libferry keeps IPC_SERVE_POOL idle handlers (threads
 * and stacks) for a server's next connections, so the first connections
 * of a server's life leave objects and frames behind on purpose; made
 * here, they are not counted against the first test that connects.
 */
#include <stdio.h>
#include <time.h>

#include <ferry/fs.h>
#include <ferry/ns.h>

#include "init.h"

static volatile cap_t fs_proc = -1;
static volatile cap_t fs_thread = -1;
static volatile long fs_restarts; /* by the watcher, read by the check */
static _Alignas(16) char fs_watcher_stack[8192];

static long fs_start(void)
{
	/* Before it starts: the initrd in its slot 3, where it looks. */
	static const struct init_cap initrd = {
		CAP_INIT_INITRD, CAP_RIGHT_READ | CAP_RIGHT_MAP, 3};
	cap_t p, t;
	long r;

	/* init's loader: procmgr reads programs through this server. */
	r = init_load_server("fs", &initrd, 1, CAP_RIGHT_CALL | CAP_RIGHT_GRANT,
			     &p, &t);
	if (r < 0)
		return r;
	fs_proc = p;
	fs_thread = t;
	return 0;
}

/* No libc: the watcher shares the main thread's TLS. */
static void fs_watch(void *arg)
{
	static const char msg[] = "init: the file server died; restarting "
				  "it\n";
	cap_t t;

	(void)arg;
	for (;;) {
		if (fy_proc_wait(fs_proc) < 0)
			break;
		t = fs_thread;
		fs_thread = -1;
		fy_cap_delete(t);
		fy_cap_delete(fs_proc);
		fs_proc = -1;
		fy_console_output(msg, sizeof(msg) - 1);
		if (fs_start() < 0)
			break;
		/* procmgr reads programs through the new one from now on. */
		fy_procmgr_init(fs_thread);
		/*
		 * The old one's name left with it (its death watch); the new
		 * one is a new identity under the same name. Raw calls only.
		 */
		fy_ns_register("ferry.fs", fs_thread);
		fs_restarts++;
	}
	fy_thread_exit();
}

long init_fs_start(void)
{
	long r = fs_start();

	if (r < 0)
		return r;
	r = fy_thread_create(CAP_SELF_GROUP, fs_watch,
			     fs_watcher_stack + sizeof(fs_watcher_stack), NULL,
			     0);
	if (r >= 0)
		fy_cap_delete((cap_t)r);
	return r < 0 ? r : 0;
}

cap_t init_fs_server(void)
{
	return fs_thread;
}

/* Waits until the frame and object counts stop moving (a few ticks). */
static void settle_counts(void)
{
	struct timespec tick = {0, 10 * 1000 * 1000};
	long f = -1, o = -1;

	for (int i = 0; i < 100; i++) {
		long nf = fy_kstat(KSTAT_FREE_FRAMES);
		long no = fy_kstat(KSTAT_LIVE_OBJECTS);

		if (nf == f && no == o)
			return;
		f = nf;
		o = no;
		nanosleep(&tick, NULL);
	}
}

long init_fs_warm(void)
{
	struct fy_fs c[IPC_SERVE_POOL];
	struct fs_info info;
	const void *p;
	long r = 0;
	int n;

	if (fs_thread < 0)
		return -ENOENT;
	/* As many at once as the pool keeps, each through every kind of call.
	 */
	for (n = 0; n < IPC_SERVE_POOL; n++) {
		long h;

		r = fy_fs_connect(fs_thread, 0, &c[n]);
		if (r < 0)
			break;
		fy_fs_info(&c[n], &info);
		h = fy_fs_open(&c[n], "init", FS_O_RDONLY);
		if (h >= 0) {
			fy_fs_read_shm(&c[n], (int)h, 0, fy_fs_room(&c[n]), &p);
			fy_fs_close(&c[n], (int)h);
		}
	}
	while (n-- > 0)
		fy_fs_disconnect(&c[n]);
	settle_counts();
	return r;
}

int init_fs_check_restart(void)
{
	struct timespec tick = {0, 10 * 1000 * 1000};
	long r0 = fs_restarts, r = -ENOENT;
	struct fs_stat st = {0};
	struct fy_fs c;

	if (fs_proc < 0)
		return 0; /* no file server: nothing to restart */
	fy_proc_kill(fs_proc);
	for (int i = 0; i < 300 && fs_restarts == r0; i++)
		nanosleep(&tick, NULL);
	if (fs_restarts == r0 + 1 && fy_fs_connect(fs_thread, 0, &c) == 0) {
		r = fy_fs_stat_path(&c, "init", &st);
		fy_fs_disconnect(&c);
	}
	printf("%s - init: the file server restarts after a kill, and "
	       "serves the initrd again (stat init: %ld, %llu bytes)\n",
	       r == 0 && st.size > 0 ? "ok" : "not ok", r,
	       (unsigned long long)st.size);
	if (!(r == 0 && st.size > 0))
		return 1;
	if (init_ns_server() >= 0) {
		long s = fy_ns_lookup("ferry.fs", 1000000);
		long same = s >= 0 ? fy_cap_same((cap_t)s, fs_thread) : s;

		printf("%s - init: ferry.fs names the new file server (lookup "
		       "%ld, same thread %ld)\n",
		       same == 1 ? "ok" : "not ok", s, same);
		if (s >= 0)
			fy_cap_delete((cap_t)s);
		if (same != 1)
			return 1;
	}
	/* procmgr was handed the new one: a program it never read starts. */
	{
		const char *argv[] = {"helpers/tiny", NULL};
		long status = -1, err = init_run_argv(argv, &status);

		printf("%s - init: procmgr starts programs through the new "
		       "file server (error %ld, status 0x%lx)\n",
		       err == 0 && status == PROC_STATUS_EXITED(0) ? "ok"
								   : "not ok",
		       err, status);
		return !(err == 0 && status == PROC_STATUS_EXITED(0));
	}
}
