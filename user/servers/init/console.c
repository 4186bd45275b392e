/*
 * init starts the console server (user/servers/console) and makes it the
 * system's console: fds 0-2 of every process without a console of its
 * own reach it by kernel-made calls. A watcher thread waits for the
 * server and starts it again whenever it dies; meanwhile writes fail
 * with -EIO, and the serial port (kernel messages, the kernel's own
 * line discipline for input) is never lost.
 *
 * The watcher uses no libc: it shares the main thread's TLS (errno,
 * stdio locks), which only the main thread may use.
 */
#include <ferry/ipc.h>
#include <uapi/ferry/proto/console.h>

#include "init.h"

static cap_t con_proc = -1, con_thread = -1;
static struct ipc_conn con;
static _Alignas(16) char watcher_stack[8192];

/* Starts a console server and sets it as the system's console. */
static long start(void)
{
	static const char *const argv[] = {"console", NULL};
	long p, t, r;

	p = fy_spawn_sched(argv[0], argv, init_envp, PRIO_MAX, PRIO_MAX);
	if (p < 0)
		return p;
	t = fy_cap_fetch((cap_t)p, CAP_SELF_MAIN_THREAD, CAP_RIGHT_CALL);
	if (t < 0) {
		r = t;
		goto out_kill;
	}
	r = ipc_connect((cap_t)t, CONSOLE_SHM_MIN, &con);
	if (r < 0)
		goto out_thread;
	r = fy_console_set(con.cap, CONSOLE_SET_SYSTEM);
	if (r < 0)
		goto out_close;
	con_proc = (cap_t)p;
	con_thread = (cap_t)t;
	return 0;
out_close:
	ipc_close(&con);
out_thread:
	fy_cap_delete((cap_t)t);
out_kill:
	fy_proc_kill((cap_t)p);
	fy_proc_wait((cap_t)p);
	fy_cap_delete((cap_t)p);
	return r;
}

static void stop(void)
{
	fy_console_set(-1, CONSOLE_SET_SYSTEM);
	ipc_close(&con);
	fy_cap_delete(con_thread);
	fy_cap_delete(con_proc);
	con_proc = con_thread = -1;
}

static void watch(void *arg)
{
	static const char msg[] =
		"init: the console server died; restarting it\n";

	(void)arg;
	for (;;) {
		if (fy_proc_wait(con_proc) < 0)
			break;
		stop();
		fy_console_output(msg, sizeof(msg) - 1);
		/* A server that cannot start: the kernel's console stays. */
		if (start() < 0)
			break;
	}
	fy_thread_exit();
}

long init_console_start(void)
{
	long r = start();

	if (r < 0)
		return r;
	r = fy_thread_create(CAP_SELF_GROUP, watch,
			     watcher_stack + sizeof(watcher_stack), NULL, 0);
	if (r < 0) {
		fy_proc_kill(con_proc);
		fy_proc_wait(con_proc);
		stop();
		return r;
	}
	fy_cap_delete((cap_t)r);
	return 0;
}
