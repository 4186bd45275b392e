/*
 * Helper of tests/pager_kill: a process that touches a page of a
 * PMO_PAGED its pager cannot give, and must be killed for it
 * (PROC_SIG_BUS). argv[1] is how the pager fails:
 *   ok       we are our own pager and supply it: exit 0 (the control)
 *   refuse   our own pager returns -EACCES
 *   noop     our own pager returns 0 without supplying the page
 *   nopager  the region has no pager
 *   die      the pager is another process (this program with "srv")
 *            whose handler exits during the call
 *   dead     that process is killed before the touch
 *   self     the handler itself touches an absent page it would serve
 * An exit status other than the kill says what went wrong before it.
 */
#include <string.h>

#include <ferry/ipc.h>
#include <uapi/ferry/proto/pager.h>

#define PG 4096ul
#define BASE 0x200001000000ul

static struct ipc_conn conn;
static cap_t pmo = -1;
static const char *mode = "";

static long handler(struct ipc_msg *msg, uint64_t badge)
{
	static unsigned char page[PG];
	const struct pager_req *q = (const struct pager_req *)msg;

	(void)badge;
	if (!strcmp(mode, "srv"))
		fy_proc_exit(3); /* during the call */
	if (!strcmp(mode, "refuse"))
		return -EACCES;
	if (!strcmp(mode, "noop"))
		return 0;
	if (!strcmp(mode, "self"))
		return *(volatile unsigned char *)(BASE + PG);
	memset(page, 0x5a, sizeof(page));
	return fy_pmo_write(pmo, q->offset, page, sizeof(page));
}

/* Our pager's connection: ourselves, or a "srv" child; its cap in *srv. */
static int connect_pager(cap_t *srv)
{
	const char *argv[] = {"helpers/pager_child", "srv", NULL};
	long p, t;

	*srv = -1;
	if (strcmp(mode, "die") && strcmp(mode, "dead")) {
		if (ipc_serve(handler, NULL) < 0)
			return -1;
		return (int)ipc_connect(CAP_SELF_MAIN_THREAD, PAGER_SHM_MIN,
					&conn);
	}
	p = fy_spawn(argv[0], argv, NULL);
	if (p < 0)
		return -1;
	*srv = (cap_t)p;
	t = fy_cap_fetch(*srv, CAP_SELF_MAIN_THREAD, CAP_RIGHT_CALL);
	if (t < 0)
		return -1;
	/* Its server is registered once a connection is accepted. */
	for (int i = 0; i < 1000; i++) {
		if (ipc_connect((cap_t)t, PAGER_SHM_MIN, &conn) == 0)
			return 0;
		fy_yield();
	}
	return -1;
}

int main(int argc, char **argv)
{
	struct vm_map_args a = {.perm = VM_READ, .addr = BASE, .size = 2 * PG};
	cap_t srv;
	long r;

	mode = argc > 1 ? argv[1] : "";
	if (!strcmp(mode, "srv")) {
		if (ipc_serve(handler, NULL) < 0)
			return 1;
		for (;;)
			fy_yield();
	}
	if (connect_pager(&srv) < 0)
		return 10;
	r = fy_pmo_create(2 * PG, PMO_PAGED);
	if (r < 0)
		return 11;
	pmo = (cap_t)r;
	a.pmo = pmo;
	a.pager = strcmp(mode, "nopager") ? conn.cap : -1;
	if (fy_pmo_map_region(CAP_SELF_GROUP, &a) < 0)
		return 12;
	if (!strcmp(mode, "dead")) {
		fy_proc_kill(srv);
		fy_proc_wait(srv);
	}
	if (*(volatile unsigned char *)BASE != 0x5a)
		return 13;
	return 0;
}
