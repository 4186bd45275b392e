/*
 * init starts the console server (user/servers/console) and makes it the
 * system's console: fds 0-2 of every process without a console of its
 * own reach it by kernel-made calls. A watcher thread waits for the
 * server and starts it again whenever it dies; meanwhile writes fail
 * with -EIO, and the serial port (kernel messages, the kernel's own
 * line discipline for input) is never lost. If no new server starts,
 * the kernel's console serves fds 0-2 again.
 *
 * The watcher uses no libc: it shares the main thread's TLS (errno,
 * stdio locks), which only the main thread may use. Test mode ends by
 * killing the server once (init_console_check_restart).
 */
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include <ferry/ipc.h>
#include <uapi/ferry/proto/console.h>

#include "init.h"

static cap_t con_proc = -1, con_thread = -1;
static volatile long restarts; /* by the watcher, read by the check */
static struct ipc_conn con;
static _Alignas(16) char watcher_stack[8192];

/* Starts a console server and sets it as the system's console. */
static long start(void)
{
	cap_t p, t;
	long r;

	/* init's loader: the console comes before procmgr. */
	r = init_load_server("console", NULL, 0, CAP_RIGHT_CALL, &p, &t);
	if (r < 0)
		return r;
	r = ipc_connect(t, CONSOLE_SHM_MIN, &con);
	if (r < 0)
		goto out_thread;
	r = fy_console_set(con.cap, CONSOLE_SET_SYSTEM);
	if (r < 0)
		goto out_close;
	con_proc = p;
	con_thread = t;
	return 0;
out_close:
	ipc_close(&con);
out_thread:
	fy_cap_delete(t);
	init_unload(p);
	return r;
}

/*
 * Forgets a dead server. The system's console still names its (dead)
 * connection, so writes fail with -EIO until start() replaces it.
 */
static void stop(void)
{
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
		/* A server that cannot start: the kernel's console serves. */
		if (start() < 0) {
			fy_console_set(-1, CONSOLE_SET_SYSTEM);
			break;
		}
		restarts++;
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
		fy_console_set(-1, CONSOLE_SET_SYSTEM);
		return r;
	}
	fy_cap_delete((cap_t)r);
	return 0;
}

int init_console_check_restart(void)
{
	static const char line[] = "# init: a write after the restart\n";
	static const char bad[] = "not ok - init: the console server "
				  "restarts after a kill\n";
	struct timespec ms10 = {0, 10 * 1000 * 1000};
	long r0 = restarts, w;

	if (con_proc < 0)
		return 0; /* the kernel's console: nothing to restart */
	fy_proc_kill(con_proc);
	for (int i = 0; i < 300 && restarts == r0; i++)
		nanosleep(&ms10, NULL);
	w = write(1, line, sizeof(line) - 1);
	if (restarts != r0 + 1 || w != (long)sizeof(line) - 1) {
		/* Past a console that may be gone: straight to the port. */
		fy_console_output(bad, sizeof(bad) - 1);
		return 1;
	}
	printf("ok - init: the console server restarts after a kill, and "
	       "writes go through the new one\n");
	return 0;
}
