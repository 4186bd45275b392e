/*
 * init starts the name server (user/servers/nameserver, docs/naming.md)
 * with its own loader, before procmgr, which then gives every process
 * the initial capability "nameserver". The root registration right is
 * a notification object init makes: the server gets it in slot 3 (its
 * NS_ROOT_SLOT) and init keeps its own cap, so init alone holds the
 * root (prefix "") and registers the system's names, "ferry.fs" and
 * "ferry.procmgr". In test mode init grants the right "ferry.test" once
 * and passes it to every test as its "nsright".
 *
 * The name server is not restarted if it dies (as procmgr is not): its
 * registry would be lost with it.
 */
#include <stdio.h>

#include <ferry/ns.h>

#include "init.h"

static cap_t ns_thread = -1;
static cap_t ns_root = -1;
static cap_t ns_test_right = -1;

long init_ns_start(void)
{
	struct init_cap root;
	cap_t p, t;
	long n, r;

	n = fy_notification_create();
	if (n < 0)
		return n;
	root = (struct init_cap){(cap_t)n, CAP_RIGHT_ALL, 3};
	r = init_load_server("nameserver", &root, 1,
			     CAP_RIGHT_CALL | CAP_RIGHT_GRANT, &p, &t);
	if (r < 0) {
		fy_cap_delete((cap_t)n);
		return r;
	}
	/* The name server lives as long as we do: its cap stays. */
	ns_thread = t;
	ns_root = (cap_t)n;
	fy_ns_use(t, ns_root);
	return 0;
}

cap_t init_ns_server(void)
{
	return ns_thread;
}

void init_ns_register(const char *name, cap_t server)
{
	long r;

	if (ns_thread < 0 || server < 0)
		return;
	r = fy_ns_register(name, server);
	if (r < 0)
		printf("init: cannot register %s: error %ld\n", name, r);
}

cap_t init_ns_test_right(void)
{
	long r;

	if (ns_test_right < 0 && ns_thread >= 0) {
		r = fy_ns_grant("ferry.test");
		if (r >= 0)
			ns_test_right = (cap_t)r;
	}
	return ns_test_right;
}

long init_ns_warm(void)
{
	struct ipc_conn c[IPC_SERVE_POOL];
	long r = 0;
	int n;

	if (ns_thread < 0)
		return -ENOENT;
	/*
	 * As many at once as its pool keeps, each through a call, so the
	 * first test to connect finds them made (init_fs_warm's reason).
	 */
	for (n = 0; n < IPC_SERVE_POOL; n++) {
		struct ipc_msg *m;

		r = ipc_connect(ns_thread, NS_SHM_MIN, &c[n]);
		if (r < 0)
			break;
		m = ipc_msg_init(&c[n], sizeof(struct ns_req) - sizeof(*m), 2);
		((struct ns_req *)m)->op = NS_LIST;
		((struct ns_req *)m)->len = 1;
		ipc_call(&c[n], m, 0);
	}
	while (n-- > 0)
		ipc_close(&c[n]);
	return r;
}
