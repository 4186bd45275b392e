/*
 * Kills that land (docs/architecture.md, "Process and thread lifetime"):
 * a low-priority process killed while a higher priority keeps the CPU
 * busy dies at once. Its threads preempted on their way to user space
 * are retired by the killer; one in the middle of a syscall runs what is
 * left of it at the killer's priority. proc_wait returns within a few
 * ticks, and init's leak check proves the memory came back.
 *
 * If a kill did not land, proc_wait would block for as long as the busy
 * process spins: a watchdog thread above us then kills the busy one, so
 * the test fails instead of hanging.
 */
#include <stdatomic.h>
#include <time.h>

#include <ferry/ferry.h>
#include <ferry/status.h>

#include "tap.h"

#define KILLER_PRIO 22
#define BUSY_PRIO 20
#define LOW_PRIO 10

static char wd_stack[16384] __attribute__((aligned(16)));
static atomic_long busy_cap = -1;
static atomic_long deadline; /* tick after which the watchdog acts, or 0 */
static atomic_int rescued;

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000 * 1000};

	nanosleep(&ts, NULL);
}

/* At KILLER_PRIO + 1: ends the busy spinner once `deadline` is past. */
static void watchdog(void *arg)
{
	(void)arg;
	for (;;) {
		long d = atomic_load(&deadline);

		sleep_ms(10);
		if (d && fy_kstat(KSTAT_TICKS) > d &&
		    atomic_load(&busy_cap) >= 0) {
			atomic_store(&rescued, 1);
			atomic_store(&deadline, 0);
			fy_proc_kill((cap_t)atomic_load(&busy_cap));
		}
	}
}

static long ticks(void)
{
	return fy_kstat(KSTAT_TICKS);
}

/*
 * Starts victim (at LOW_PRIO), lets it run, then a busy spinner above it;
 * kills the victim once it has been starved a while, and checks the
 * wait returns at once.
 */
static void kill_starved(const char *what, const char *const *argv)
{
	const char *busy_argv[] = {"helpers/spinner", NULL};
	long low, busy, t0, st, took;

	low = fy_spawn_sched(argv[0], argv, NULL, LOW_PRIO, LOW_PRIO);
	if (!tap_ok(low >= 0, "%s: spawn the victim at %d (%ld)", what,
		    LOW_PRIO, low))
		return;
	sleep_ms(50); /* it runs alone meanwhile */
	busy = fy_spawn_sched(busy_argv[0], busy_argv, NULL, BUSY_PRIO,
			      BUSY_PRIO);
	if (!tap_ok(busy >= 0, "%s: spawn a spinner at %d (%ld)", what,
		    BUSY_PRIO, busy)) {
		fy_proc_kill((cap_t)low);
		fy_proc_wait((cap_t)low);
		fy_cap_delete((cap_t)low);
		return;
	}
	atomic_store(&busy_cap, busy);
	sleep_ms(50); /* the victim is starved now */
	atomic_store(&rescued, 0);
	t0 = ticks();
	atomic_store(&deadline, t0 + 300); /* 3 s */
	tap_eq(fy_proc_kill((cap_t)low), 0, "%s: kill the victim", what);
	st = fy_proc_wait((cap_t)low);
	took = ticks() - t0;
	atomic_store(&deadline, 0);
	tap_eq(st, PROC_STATUS_KILLED(PROC_SIG_KILL), "%s: killed", what);
	tap_ok(!atomic_load(&rescued) && took <= 3,
	       "%s: proc_wait returned within 3 ticks while the spinner runs "
	       "(%ld ticks%s)",
	       what, took,
	       atomic_load(&rescued) ? ", only after the watchdog" : "");
	fy_cap_delete((cap_t)low);
	atomic_store(&busy_cap, -1);
	fy_proc_kill((cap_t)busy);
	tap_eq(fy_proc_wait((cap_t)busy), PROC_STATUS_KILLED(PROC_SIG_KILL),
	       "%s: the spinner is killed too", what);
	fy_cap_delete((cap_t)busy);
}

int main(void)
{
	const char *spin[] = {"helpers/spinner", NULL};
	/* Endless console write: starved at a preemption point in write. */
	const char *write[] = {"helpers/long_call", "write", NULL};
	long wd;

	if (!tap_eq(fy_thread_set_prio(CAP_SELF_MAIN_THREAD, KILLER_PRIO), 0,
		    "the killer runs at %d", KILLER_PRIO))
		return tap_done();
	wd = fy_thread_create(CAP_SELF_GROUP, watchdog,
			      wd_stack + sizeof(wd_stack), 0, 0);
	if (!tap_ok(wd >= 0, "a watchdog thread") ||
	    !tap_eq(fy_thread_set_prio((cap_t)wd, KILLER_PRIO + 1), 0,
		    "above us"))
		return tap_done();
	kill_starved("spinning in user mode", spin);
	kill_starved("inside a long write", write);
	return tap_done(); /* the exit ends the watchdog too */
}
