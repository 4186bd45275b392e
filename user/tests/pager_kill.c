/*
 * A page a pager cannot give kills the faulting process with
 * PROC_SIG_BUS (docs/memory.md, "External pagers"; Linux gives SIGBUS
 * for a file mapping it cannot read): helpers/pager_child touches one
 * under each way a pager fails, and the same program with a pager that
 * supplies the page exits 0. Init's leak check covers every path.
 */
#include <ferry/status.h>

#include "tap.h"
#include "util.h"

static long run(const char *mode)
{
	const char *argv[] = {"helpers/pager_child", mode, NULL};

	return spawn_wait(argv[0], argv);
}

int main(void)
{
	const long bus = PROC_STATUS_KILLED(PROC_SIG_BUS);

	tap_eq(run("ok"), PROC_STATUS_EXITED(0),
	       "a pager that supplies the page: the child exits 0");
	tap_eq(run("refuse"), bus, "a pager that refuses: killed, SIGBUS");
	tap_eq(run("noop"), bus,
	       "a pager that returns 0 without the page: killed, SIGBUS");
	tap_eq(run("nopager"), bus, "a region with no pager: killed, SIGBUS");
	tap_eq(run("die"), bus,
	       "a pager that dies during the call: killed, SIGBUS");
	tap_eq(run("dead"), bus,
	       "a pager dead before the fault: killed, SIGBUS");
	tap_eq(run("self"), bus,
	       "a handler touching a page it would serve: killed, SIGBUS");
	tap_eq(run("ok"), PROC_STATUS_EXITED(0),
	       "and again a good pager works");
	return tap_done();
}
