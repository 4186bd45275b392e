/*
 * kernel/ipc/connection.c: register_server, register_client and the
 * register callback's return, driven thread by thread (ipc_env.h), with
 * what every refusal must leave unchanged and what each party's death
 * during a registration must do (death.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "ipc_env.h"
#include <mm/budget.h>
#include <mm/frame.h>
#include <mm/kmalloc.h>
#include <mm/vmspace.h>

/* What a refused registration must leave as it was. */
struct reg_snap {
	size_t kbytes, objects, frames;
	u32 client_slots, server_slots;
	u32 sc_ref;
};

static void reg_snap(struct ipc_world *w, struct ipc_link *ln,
		     struct reg_snap *s)
{
	s->kbytes = kmalloc_bytes_in_use();
	s->objects = obj_live_count(OBJ_TYPE_NONE);
	s->frames = frame_free_count();
	s->client_slots = ipc_used_slots(ln->cl->g);
	s->server_slots = ipc_used_slots(w->sg);
	s->sc_ref = ln->cl->t->sc->obj.refcount;
}

static void reg_unchanged(struct ipc_world *w, struct ipc_link *ln,
			  const struct reg_snap *s)
{
	assert_int_equal(kmalloc_bytes_in_use(), s->kbytes);
	assert_int_equal(obj_live_count(OBJ_TYPE_NONE), s->objects);
	assert_int_equal(frame_free_count(), s->frames);
	assert_int_equal(ipc_used_slots(ln->cl->g), s->client_slots);
	assert_int_equal(ipc_used_slots(w->sg), s->server_slots);
	assert_int_equal(ln->cl->t->sc->obj.refcount, s->sc_ref);
	assert_true(list_empty(&ln->cl->g->ipc_conns));
	assert_false(w->cb->ipc.passive->busy);
	assert_null(w->cb->ipc.passive->conn);
	assert_int_equal(ln->cl->t->state, TS_RUNNING);
	assert_ptr_equal(current, ln->cl->t);
	assert_false(ipc_mapped(ln->cl->g, (u64)ln->cbuf));
}

static void test_register_server_records_service(void **state)
{
	struct ipc_world w;
	struct ipc_service *svc;
	struct ipc_passive *p;

	(void)state;
	ipc_world_init(&w);
	svc = w.srv->ipc.service;
	assert_non_null(svc);
	assert_int_equal(svc->ipc_routine, SRV_ROUTINE);
	assert_int_equal(svc->destructor, SRV_DESTRUCTOR);
	assert_ptr_equal(svc->register_cb, w.cb);
	p = w.cb->ipc.passive;
	assert_non_null(p);
	assert_int_equal(p->role, PASSIVE_REGISTER_CB);
	/* Entry and stack are the callback thread's own, at registration. */
	assert_int_equal(p->entry, CB_ENTRY);
	assert_int_equal(p->stack, CB_STACK);
	assert_int_equal(p->ipc_routine, SRV_ROUTINE);
	assert_false(p->busy);
	assert_null(p->caller);
	/* Test, life, cap, service. */
	assert_int_equal(w.cb->obj.refcount, 4);
	assert_null(w.h->ipc.passive);
	assert_null(w.srv->ipc.passive);
	ipc_world_fini(&w);
}

static void test_register_server_refusals(void **state)
{
	struct ipc_world w;
	struct cap_group *other;
	struct thread *t2, *cb2, *foreign;
	int ro, pmo_cap, self_cap, foreign_cap, srv_ctl, cb2_cap;
	struct pmo *pmo;
	size_t kbytes;

	(void)state;
	ipc_world_init(&w);
	other = ipc_new_group(&w, "other");
	t2 = ipc_new_thread(&w, w.sg, 0, 0x400000, 0x7f0000000000);
	cb2 = ipc_new_thread(&w, w.sg, THREAD_PASSIVE, CB_ENTRY, CB_STACK);
	foreign = ipc_new_thread(&w, other, THREAD_PASSIVE, 0, 0);
	assert_int_equal(pmo_create(PAGE_SIZE, PMO_ANONYMOUS, NULL, &pmo), 0);
	ro = cap_alloc(w.sg, cb2, CAP_RIGHT_READ);
	pmo_cap = cap_alloc(w.sg, pmo, CAP_RIGHT_ALL);
	self_cap = cap_alloc(w.sg, t2, CAP_RIGHT_CONTROL);
	foreign_cap = cap_alloc(w.sg, foreign, CAP_RIGHT_CONTROL);
	srv_ctl = cap_alloc(w.sg, w.srv, CAP_RIGHT_CONTROL);
	cb2_cap = cap_alloc(w.sg, cb2, CAP_RIGHT_CONTROL);
	kbytes = kmalloc_bytes_in_use();

	/* Once per thread. */
	ipc_run_as(w.srv);
	assert_int_equal(ipc_ret(ipc_register_server(SRV_ROUTINE, cb2_cap, 0)),
			 -EINVAL);
	ipc_run_as(t2);
	assert_int_equal(ipc_ret(ipc_register_server(USER_TOP, cb2_cap, 0)),
			 -EINVAL);
	assert_int_equal(
		ipc_ret(ipc_register_server(SRV_ROUTINE, cb2_cap, ~0ul)),
		-EINVAL);
	assert_int_equal(ipc_ret(ipc_register_server(SRV_ROUTINE, 999, 0)),
			 -ECAPBILITY);
	assert_int_equal(ipc_ret(ipc_register_server(SRV_ROUTINE, ro, 0)),
			 -ECAPBILITY);
	assert_int_equal(ipc_ret(ipc_register_server(SRV_ROUTINE, pmo_cap, 0)),
			 -ECAPBILITY);
	/* Not fresh passive threads of ours. */
	assert_int_equal(ipc_ret(ipc_register_server(SRV_ROUTINE, self_cap, 0)),
			 -EINVAL);
	assert_int_equal(ipc_ret(ipc_register_server(SRV_ROUTINE, srv_ctl, 0)),
			 -EINVAL);
	assert_int_equal(
		ipc_ret(ipc_register_server(SRV_ROUTINE, foreign_cap, 0)),
		-EINVAL);
	assert_int_equal(ipc_ret(ipc_register_server(SRV_ROUTINE, w.cb_cap, 0)),
			 -EINVAL);
	/* A passive thread cannot be a server. */
	ipc_run_as(w.cb);
	assert_int_equal(ipc_ret(ipc_register_server(SRV_ROUTINE, cb2_cap, 0)),
			 -EINVAL);
	w.cb->state = TS_INACTIVE;

	assert_int_equal(kmalloc_bytes_in_use(), kbytes);
	assert_null(t2->ipc.service);
	assert_null(cb2->ipc.passive);
	/* Test, life, two caps: no reference kept by a refusal. */
	assert_int_equal(cb2->obj.refcount, 4);
	assert_int_equal(pmo->obj.refcount, 2);
	/* And the thread may still register properly. */
	ipc_run_as(t2);
	assert_int_equal(ipc_ret(ipc_register_server(SRV_ROUTINE, cb2_cap, 0)),
			 0);
	assert_ptr_equal(t2->ipc.service->register_cb, cb2);
	t2->state = TS_INACTIVE;
	ipc_world_fini(&w);
	obj_put(pmo);
}

static void test_register_client_enters_callback(void **state)
{
	struct ipc_world w;
	struct ipc_link *ln;
	struct connection *conn;
	struct arch_regs *r;
	struct thread *c;

	(void)state;
	ipc_world_init(&w);
	ln = ipc_new_link(&w, ipc_new_client(&w, NULL));
	c = ln->cl->t;
	ipc_register_begin(&w, ln);
	conn = ln->conn;

	r = thread_regs(w.cb);
	assert_int_equal(r->rip, CB_ENTRY);
	assert_int_equal(r->rsp, CB_STACK);
	assert_int_equal(r->cs & 3, 3);
	assert_int_equal(r->rdi, SRV_ROUTINE);
	assert_int_equal(r->rsi, (u64)conn->server_shm_cap);
	assert_int_equal(r->rdx, SHM_SIZE);
	assert_int_equal(r->rcx, ln->cl->g->badge);

	/* The client lent its context and waits with no continuation. */
	assert_int_equal(c->state, TS_IPC_WAIT);
	assert_ptr_equal(c->ipc.callee, w.cb);
	assert_int_equal(w.cb->state, TS_RUNNING);
	assert_ptr_equal(w.cb->sc, c->sc);
	assert_int_equal(c->sc->obj.refcount, 2);
	assert_ptr_equal(w.cb->ipc.passive->caller, c);
	assert_true(w.cb->ipc.passive->busy);

	assert_int_equal(conn->state, CONN_PENDING);
	assert_int_equal(conn->badge, ln->cl->g->badge);
	assert_ptr_equal(conn->client, ln->cl->g);
	assert_null(conn->handler);
	assert_ptr_equal(conn->shm, ln->shm);
	assert_int_equal(conn->shm_size, SHM_SIZE);
	assert_int_equal(conn->client_shm, (u64)ln->cbuf);
	assert_false(conn->busy);
	assert_ptr_equal(ln->cl->g->ipc_conns.next, &conn->client_node);
	/* Slots: the client may call; the server reads and maps. */
	assert_ptr_equal(ln->cl->g->slots[conn->client_cap].obj, conn);
	assert_int_equal(ln->cl->g->slots[conn->client_cap].rights,
			 CAP_RIGHT_CALL);
	assert_ptr_equal(w.sg->slots[conn->server_cap].obj, conn);
	assert_int_equal(w.sg->slots[conn->server_cap].rights, CAP_RIGHT_READ);
	assert_ptr_equal(w.sg->slots[conn->server_shm_cap].obj, ln->shm);
	assert_int_equal(w.sg->slots[conn->server_shm_cap].rights,
			 CAP_RIGHT_READ | CAP_RIGHT_WRITE | CAP_RIGHT_MAP);
	/* Allocation (the registration's), client slot, server slot. */
	assert_int_equal(conn->obj.refcount, 3);
	assert_true(ipc_mapped(ln->cl->g, (u64)ln->cbuf));
	assert_false(ipc_mapped(w.sg, (u64)ln->sbuf));

	ipc_register_end(&w, ln);
	ipc_world_fini(&w);
}

static void test_register_cb_return_resumes_client(void **state)
{
	struct ipc_world w;
	struct ipc_link *ln;
	struct ipc_passive *p;
	struct thread *c;

	(void)state;
	ipc_world_init(&w);
	ln = ipc_new_link(&w, ipc_new_client(&w, NULL));
	c = ln->cl->t;
	ipc_connect(&w, ln);

	assert_int_equal(thread_regs(c)->rax, (u64)ln->conn->client_cap);
	assert_int_equal(c->state, TS_RUNNING);
	assert_null(c->ipc.callee);
	assert_int_equal(c->sc->obj.refcount, 1);
	/* The callback is idle again and holds nothing lent. */
	assert_int_equal(w.cb->state, TS_INACTIVE);
	assert_null(w.cb->sc);
	assert_false(w.cb->ipc.passive->busy);
	assert_null(w.cb->ipc.passive->conn);
	assert_null(w.cb->ipc.passive->caller);

	assert_int_equal(ln->conn->state, CONN_VALID);
	assert_int_equal(ln->conn->server_shm, (u64)ln->sbuf);
	assert_true(ipc_mapped(w.sg, (u64)ln->sbuf));
	/* The client's slot and the server's. */
	assert_int_equal(ln->conn->obj.refcount, 2);

	p = w.h->ipc.passive;
	assert_non_null(p);
	assert_int_equal(p->role, PASSIVE_HANDLER);
	assert_int_equal(p->entry, H_ENTRY);
	assert_int_equal(p->stack, H_STACK);
	assert_int_equal(p->exit_routine, H_EXIT);
	assert_int_equal(p->destructor, SRV_DESTRUCTOR);
	assert_non_null(p->exit_sc);
	assert_int_equal(p->exit_sc->prio, PRIO_DEFAULT);
	assert_false(p->busy);
	assert_true(list_empty(&p->pending));
	/* Test, life, cap, connection. */
	assert_int_equal(w.h->obj.refcount, 4);
	assert_int_equal(w.h->state, TS_INACTIVE);
	assert_null(w.h->sc);
	ipc_world_fini(&w);
}

static void test_register_client_refusals(void **state)
{
	struct ipc_world w;
	struct ipc_link *ln;
	struct reg_snap s;
	struct cap_group *cg;
	struct pmo *blocker;
	int no_call, h_call, no_grant;

	(void)state;
	ipc_world_init(&w);
	ln = ipc_new_link(&w, ipc_new_client(&w, NULL));
	cg = ln->cl->g;
	no_call = cap_alloc(cg, w.srv, CAP_RIGHT_READ);
	h_call = cap_alloc(cg, w.h, CAP_RIGHT_CALL);
	no_grant = cap_alloc(cg, ln->shm, SHM_RIGHTS & ~CAP_RIGHT_GRANT);
	ipc_run_as(ln->cl->t);
	reg_snap(&w, ln, &s);

	assert_int_equal(ipc_ret(ipc_register_client(999, (u64)ln->shm_cap,
						     (u64)ln->cbuf)),
			 -ECAPBILITY);
	assert_int_equal(ipc_ret(ipc_register_client(no_call, (u64)ln->shm_cap,
						     (u64)ln->cbuf)),
			 -ECAPBILITY);
	/* A thread that registered no service: it may be starting. */
	assert_int_equal(ipc_ret(ipc_register_client(h_call, (u64)ln->shm_cap,
						     (u64)ln->cbuf)),
			 -EIPCRETRY);
	assert_int_equal(
		ipc_ret(ipc_register_client(ln->cl->srv_cap, (u64)no_grant,
					    (u64)ln->cbuf)),
		-ECAPBILITY);
	assert_int_equal(
		ipc_ret(ipc_register_client(ln->cl->srv_cap, CAP_SELF_VMSPACE,
					    (u64)ln->cbuf)),
		-ECAPBILITY);
	assert_int_equal(ipc_ret(ipc_register_client(ln->cl->srv_cap, ~0ul,
						     (u64)ln->cbuf)),
			 -ECAPBILITY);
	/* Addresses the shm cannot be mapped at. */
	assert_int_equal(
		ipc_ret(ipc_register_client(ln->cl->srv_cap, (u64)ln->shm_cap,
					    (u64)ln->cbuf + 8)),
		-EINVAL);
	assert_int_equal(ipc_ret(ipc_register_client(ln->cl->srv_cap,
						     (u64)ln->shm_cap, 0)),
			 -EINVAL);
	assert_int_equal(ipc_ret(ipc_register_client(
				 ln->cl->srv_cap, (u64)ln->shm_cap, USER_TOP)),
			 -EINVAL);
	reg_unchanged(&w, ln, &s);

	/* Something is mapped there already. */
	assert_int_equal(pmo_create(PAGE_SIZE, PMO_ANONYMOUS, NULL, &blocker),
			 0);
	assert_int_equal(vmspace_map(cg->vmspace, (u64)ln->cbuf + PAGE_SIZE,
				     PAGE_SIZE, VM_READ, blocker, 0),
			 0);
	reg_snap(&w, ln, &s);
	assert_int_equal(
		ipc_ret(ipc_register_client(ln->cl->srv_cap, (u64)ln->shm_cap,
					    (u64)ln->cbuf)),
		-EEXIST);
	reg_unchanged(&w, ln, &s);
	assert_int_equal(vmspace_unmap(cg->vmspace, (u64)ln->cbuf + PAGE_SIZE,
				       PAGE_SIZE),
			 0);
	obj_put(blocker);

	/* Nothing was left half done: the same client connects. */
	ipc_connect(&w, ln);
	ipc_world_fini(&w);
}

static void test_register_while_callback_busy_waits(void **state)
{
	struct ipc_world w;
	struct ipc_link *a, *b;
	struct reg_snap s;

	(void)state;
	ipc_world_init(&w);
	a = ipc_new_link(&w, ipc_new_client(&w, NULL));
	b = ipc_new_link(&w, ipc_new_client(&w, NULL));
	ipc_register_begin(&w, a);
	/* b runs while the callback serves a (say it was preempted). */
	ipc_run_as(b->cl->t);
	reg_snap(&w, b, &s);
	/* It waits for the callback, having changed nothing. */
	assert_ptr_equal(
		ipc_switch(ipc_register_client(b->cl->srv_cap, (u64)b->shm_cap,
					       (u64)b->cbuf)),
		w.idle);
	assert_int_equal(b->cl->t->state, TS_BLOCKED);
	assert_ptr_equal(b->cl->t->ipc.waits_on, w.cb);
	assert_int_equal(kmalloc_bytes_in_use(), s.kbytes);
	assert_int_equal(obj_live_count(OBJ_TYPE_NONE), s.objects);
	assert_int_equal(ipc_used_slots(b->cl->g), s.client_slots);
	assert_int_equal(ipc_used_slots(w.sg), s.server_slots);
	assert_false(ipc_mapped(b->cl->g, (u64)b->cbuf));
	assert_ptr_equal(w.cb->ipc.passive->caller, a->cl->t);

	ipc_run_as(w.cb);
	ipc_register_end(&w, a);
	a->cl->t->state = TS_INACTIVE;
	/* Granted to b, which registers again and gets in. */
	ipc_assert_granted(w.cb, b->cl->t, thread_regs(b->cl->t)->rip + 2);
	thread_regs(b->cl->t)->rip += 2;
	ipc_connect(&w, b);
	assert_null(w.cb->ipc.passive->granted);
	assert_int_not_equal(a->conn->server_cap, b->conn->server_cap);
	ipc_world_fini(&w);
}

static void test_register_to_dead_server_is_deadsrv(void **state)
{
	struct ipc_world w;
	struct ipc_link *ln;
	struct reg_snap s;

	(void)state;
	ipc_world_init(&w);
	ln = ipc_new_link(&w, ipc_new_client(&w, NULL));
	/* The callback alone is gone: the service cannot register anyone. */
	thread_retire_inactive(w.cb);
	ipc_run_as(ln->cl->t);
	reg_snap(&w, ln, &s);
	assert_int_equal(
		ipc_ret(ipc_register_client(ln->cl->srv_cap, (u64)ln->shm_cap,
					    (u64)ln->cbuf)),
		-EDEADSRV);
	assert_int_equal(kmalloc_bytes_in_use(), s.kbytes);
	assert_int_equal(ipc_used_slots(ln->cl->g), s.client_slots);
	assert_false(ipc_mapped(ln->cl->g, (u64)ln->cbuf));

	/* The whole server process. */
	current = w.idle;
	cap_group_exit(w.sg, 0);
	assert_true(w.sg->dead);
	ipc_run_as(ln->cl->t);
	assert_int_equal(
		ipc_ret(ipc_register_client(ln->cl->srv_cap, (u64)ln->shm_cap,
					    (u64)ln->cbuf)),
		-EDEADSRV);
	assert_int_equal(ipc_used_slots(ln->cl->g), s.client_slots);
	assert_false(ipc_mapped(ln->cl->g, (u64)ln->cbuf));
	ipc_world_fini(&w);
}

static void test_cb_return_refusals(void **state)
{
	struct ipc_world w;
	struct ipc_link *ln;
	int ro, srv_ctl, cb_self;
	size_t kbytes;

	(void)state;
	ipc_world_init(&w);
	ln = ipc_new_link(&w, ipc_new_client(&w, NULL));
	ro = cap_alloc(w.sg, w.h, CAP_RIGHT_READ);
	srv_ctl = cap_alloc(w.sg, w.srv, CAP_RIGHT_CONTROL);
	cb_self = w.cb_cap;

	/* Outside a registration. */
	ipc_run_as(ln->cl->t);
	assert_int_equal(
		ipc_ret(ipc_register_cb_return(w.h_cap, H_EXIT, (u64)ln->sbuf)),
		-EINVAL);
	ln->cl->t->state = TS_INACTIVE;
	ipc_run_as(w.cb);
	assert_int_equal(
		ipc_ret(ipc_register_cb_return(w.h_cap, H_EXIT, (u64)ln->sbuf)),
		-EINVAL);
	w.cb->state = TS_INACTIVE;

	ipc_register_begin(&w, ln);
	/* Another thread than the callback cannot answer for it. */
	ipc_run_as(w.srv);
	assert_int_equal(
		ipc_ret(ipc_register_cb_return(w.h_cap, H_EXIT, (u64)ln->sbuf)),
		-EINVAL);
	w.srv->state = TS_INACTIVE;
	ipc_run_as(w.cb);
	kbytes = kmalloc_bytes_in_use();
	assert_int_equal(
		ipc_ret(ipc_register_cb_return(999, H_EXIT, (u64)ln->sbuf)),
		-ECAPBILITY);
	assert_int_equal(
		ipc_ret(ipc_register_cb_return(ro, H_EXIT, (u64)ln->sbuf)),
		-ECAPBILITY);
	/* Not a passive thread, or the callback itself. */
	assert_int_equal(
		ipc_ret(ipc_register_cb_return(srv_ctl, H_EXIT, (u64)ln->sbuf)),
		-EINVAL);
	assert_int_equal(
		ipc_ret(ipc_register_cb_return(cb_self, H_EXIT, (u64)ln->sbuf)),
		-EINVAL);
	assert_int_equal(ipc_ret(ipc_register_cb_return(w.h_cap, USER_TOP,
							(u64)ln->sbuf)),
			 -EINVAL);
	assert_int_equal(kmalloc_bytes_in_use(), kbytes);
	assert_null(w.h->ipc.passive);
	/* Test, life, two caps: no reference kept by a refusal. */
	assert_int_equal(w.h->obj.refcount, 4);

	/* Still pending and still ours: the proper answer goes through. */
	assert_int_equal(ln->conn->state, CONN_PENDING);
	assert_int_equal(ln->cl->t->state, TS_IPC_WAIT);
	ipc_register_end(&w, ln);
	assert_int_equal(ln->conn->state, CONN_VALID);
	ipc_world_fini(&w);
}

/*
 * Regression: ipc_register_cb_return ran make_handler (allocating the passive
 * state and an exit context, recording exit_routine) before it maps the
 * shm, so a refusal for a bad server address leaves the thread a handler
 * with the refused call's exit routine; the retry's exit routine is then
 * ignored (make_handler returns 0 for an existing handler). connection.c
 * promises "every check comes before the first change".
 */
static void test_cb_return_bad_address_changes_nothing(void **state)
{
	struct ipc_world w;
	struct ipc_link *ln;
	size_t kbytes;

	(void)state;
	ipc_world_init(&w);
	ln = ipc_new_link(&w, ipc_new_client(&w, NULL));
	ipc_register_begin(&w, ln);
	kbytes = kmalloc_bytes_in_use();
	assert_int_equal(ipc_ret(ipc_register_cb_return(w.h_cap, 0x406000,
							(u64)ln->sbuf + 1)),
			 -EINVAL);
	assert_null(w.h->ipc.passive);
	assert_int_equal(kmalloc_bytes_in_use(), kbytes);
	ipc_register_end(&w, ln);
	assert_int_equal(w.h->ipc.passive->exit_routine, H_EXIT);
	ipc_world_fini(&w);
}

static void test_handler_serves_many_connections(void **state)
{
	struct ipc_world w;
	struct ipc_link *a, *b;
	struct ipc_passive *p;

	(void)state;
	ipc_world_init(&w);
	a = ipc_new_connected(&w);
	a->cl->t->state = TS_INACTIVE;
	p = w.h->ipc.passive;
	b = ipc_new_link(&w, ipc_new_client(&w, NULL));
	ipc_register_begin(&w, b);
	/* A second answer with another exit routine: the first use counts. */
	assert_ptr_equal(ipc_switch(ipc_register_cb_return(w.h_cap, 0x406000,
							   (u64)b->sbuf)),
			 b->cl->t);
	b->cap = (int)thread_regs(b->cl->t)->rax;
	assert_ptr_equal(w.h->ipc.passive, p);
	assert_int_equal(p->exit_routine, H_EXIT);
	assert_ptr_equal(b->conn->handler, w.h);
	assert_int_not_equal(a->conn->badge, b->conn->badge);
	assert_int_not_equal(a->conn->server_cap, b->conn->server_cap);
	/* Test, life, cap, two connections. */
	assert_int_equal(w.h->obj.refcount, 5);

	/* Each client is served in turn, with its own badge. */
	ipc_call_in(&w, b, 0, 0, 0);
	assert_int_equal(thread_regs(w.h)->rsi, b->conn->badge);
	ipc_return_to(&w, b->cl->t, 2);
	b->cl->t->state = TS_INACTIVE;
	ipc_run_as(a->cl->t);
	ipc_call_in(&w, a, 0, 0, 0);
	assert_int_equal(thread_regs(w.h)->rsi, a->conn->badge);
	ipc_return_to(&w, a->cl->t, 1);
	ipc_world_fini(&w);
}

/*
 * Regression: make_handler checked that the handler belongs to the server only
 * on its first use (fresh_passive); a thread that is already a handler
 * is accepted from any process holding a CONTROL cap to it. The
 * connection is then served in another process than the one the shm
 * was mapped into and the server caps were made in: the handler gets a
 * message address of a foreign address space and cap numbers of a
 * foreign table. The callback's return should be -EINVAL.
 */
static void test_handler_of_other_process_is_refused(void **state)
{
	struct ipc_world w;
	struct cap_group *sg2;
	struct thread *srv2, *cb2;
	struct ipc_link *first, *ln;
	int cb2_cap, stolen;
	long ret;

	(void)state;
	ipc_world_init(&w);
	first = ipc_new_connected(&w); /* w.h becomes a handler */
	first->cl->t->state = TS_INACTIVE;

	sg2 = ipc_new_group(&w, "server2");
	srv2 = ipc_new_thread(&w, sg2, 0, 0x400000, 0x7f0000000000);
	cb2 = ipc_new_thread(&w, sg2, THREAD_PASSIVE, CB_ENTRY, CB_STACK);
	cb2_cap = cap_alloc(sg2, cb2, CAP_RIGHT_CONTROL);
	stolen = cap_alloc(sg2, w.h, CAP_RIGHT_CONTROL);
	ipc_run_as(srv2);
	assert_int_equal(ipc_ret(ipc_register_server(SRV_ROUTINE, cb2_cap, 0)),
			 0);
	srv2->state = TS_INACTIVE;

	ln = ipc_new_link(&w, ipc_new_client(&w, NULL));
	ln->cl->srv_cap = cap_alloc(ln->cl->g, srv2, CAP_RIGHT_CALL);
	ipc_run_as(ln->cl->t);
	assert_ptr_equal(ipc_switch(ipc_register_client(ln->cl->srv_cap,
							(u64)ln->shm_cap,
							(u64)ln->cbuf)),
			 cb2);
	ret = ipc_ret(ipc_register_cb_return(stolen, H_EXIT, (u64)ln->sbuf));
	assert_int_equal(ret, -EINVAL);
	ipc_world_fini(&w);
}

static void test_client_table_full_rolls_back(void **state)
{
	struct ipc_world w;
	struct ipc_link *ln;
	struct reg_snap s;

	(void)state;
	ipc_world_init(&w);
	ln = ipc_new_link(&w, ipc_new_client(&w, NULL));
	ipc_fill_table(ln->cl->g, 0);
	ipc_run_as(ln->cl->t);
	reg_snap(&w, ln, &s);
	assert_int_equal(
		ipc_ret(ipc_register_client(ln->cl->srv_cap, (u64)ln->shm_cap,
					    (u64)ln->cbuf)),
		-ENOMEM);
	reg_unchanged(&w, ln, &s);
	assert_int_equal(ipc_live_conns(&w), 0);
	assert_int_equal(ln->shm->obj.refcount, 2);
	ipc_world_fini(&w);
}

static void test_server_table_full_rolls_back(void **state)
{
	struct ipc_world w;
	struct ipc_link *ln;
	struct reg_snap s;

	(void)state;
	ipc_world_init(&w);
	ln = ipc_new_link(&w, ipc_new_client(&w, NULL));
	/* Room for the connection's cap, not for the shm's. */
	ipc_fill_table(w.sg, 1);
	ipc_run_as(ln->cl->t);
	reg_snap(&w, ln, &s);
	assert_int_equal(
		ipc_ret(ipc_register_client(ln->cl->srv_cap, (u64)ln->shm_cap,
					    (u64)ln->cbuf)),
		-ENOMEM);
	reg_unchanged(&w, ln, &s);
	assert_int_equal(ipc_live_conns(&w), 0);
	assert_int_equal(ln->shm->obj.refcount, 2);
	ipc_world_fini(&w);
}

static void test_client_dies_during_registration(void **state)
{
	struct ipc_world w;
	struct ipc_link *ln;
	struct connection *conn;
	struct ipc_passive *p;
	struct arch_regs *r;
	struct thread *t;
	u64 badge;

	(void)state;
	ipc_world_init(&w);
	ln = ipc_new_link(&w, ipc_new_client(&w, NULL));
	badge = ln->cl->g->badge;
	ipc_register_begin(&w, ln);
	conn = ln->conn;

	/* Killed from outside while the callback runs on its context. */
	current = w.idle;
	cap_group_exit(ln->cl->g, 0);
	assert_true(ln->cl->g->dead);
	assert_int_equal(ln->cl->t->state, TS_DEAD);
	assert_null(w.cb->ipc.passive->caller);
	assert_int_equal(conn->state, CONN_CLOSED);
	assert_null(conn->client);
	/* The callback still runs on the lent context, which it keeps. */
	assert_int_equal(w.cb->sc->obj.refcount, 1);

	/* It answers: the connection is closed, the server cleans up. */
	ipc_run_as(w.cb);
	t = ipc_switch(ipc_register_cb_return(w.h_cap, H_EXIT, (u64)ln->sbuf));
	assert_ptr_equal(t, w.h);
	assert_false(host_switched_to_user);
	assert_null(w.cb->sc);
	assert_int_equal(w.cb->state, TS_INACTIVE);
	assert_false(w.cb->ipc.passive->busy);

	assert_int_equal(conn->state, CONN_CLOSED);
	p = w.h->ipc.passive;
	assert_true(p->busy);
	assert_true(p->exit_run);
	assert_ptr_equal(p->conn, conn);
	assert_false(conn->destructor_due);
	assert_ptr_equal(w.h->sc, p->exit_sc);
	assert_int_equal(w.h->state, TS_RUNNING);
	/* The exit run starts from its user frame. */
	assert_int_equal(w.h->arch.ksp, 0);
	r = thread_regs(w.h);
	assert_int_equal(r->rip, H_EXIT);
	assert_int_equal(r->rsp, H_STACK);
	assert_int_equal(r->rdi, SRV_DESTRUCTOR);
	assert_int_equal(r->rsi, badge);
	assert_int_equal(r->rdx, (u64)ln->sbuf);
	assert_int_equal(r->rcx, (u64)conn->server_cap);
	assert_int_equal(r->r8, (u64)conn->server_shm_cap);

	/* The destructor is done: the handler waits again. */
	t = ipc_switch(ipc_exit_routine_return());
	assert_ptr_equal(t, w.idle);
	assert_false(p->busy);
	assert_false(p->exit_run);
	assert_null(p->conn);
	assert_null(w.h->sc);
	assert_int_equal(p->exit_sc->obj.refcount, 1);
	/* Only the server's slot holds the connection now. */
	assert_int_equal(conn->obj.refcount, 1);
	ipc_world_fini(&w);
}

static void test_callback_dies_during_registration(void **state)
{
	struct ipc_world w;
	struct ipc_link *ln;
	struct connection *conn;
	struct thread *c, *t;
	int cap;

	(void)state;
	ipc_world_init(&w);
	ln = ipc_new_link(&w, ipc_new_client(&w, NULL));
	c = ln->cl->t;
	ipc_register_begin(&w, ln);
	conn = ln->conn;
	cap = conn->client_cap;
	obj_get(conn);

	/* The server is killed; the callback dies on its way out. */
	current = w.idle;
	cap_group_exit(w.sg, 0);
	assert_true(w.cb->killed);
	assert_int_equal(w.h->state, TS_DEAD);
	t = ipc_thread_exit(w.cb);

	/* The client resumes from its user frame with -ESRCH. */
	assert_ptr_equal(t, c);
	assert_int_equal(c->state, TS_RUNNING);
	assert_int_equal((long)thread_regs(c)->rax, -ESRCH);
	assert_int_equal(c->arch.ksp, 0);
	assert_null(c->ipc.callee);
	assert_int_equal(c->sc->obj.refcount, 1);
	/* Its connection cap was taken back; the connection is closed. */
	assert_null(ln->cl->g->slots[cap].obj);
	assert_true(list_empty(&ln->cl->g->ipc_conns));
	assert_int_equal(conn->state, CONN_CLOSED);
	assert_null(conn->client);
	assert_true(w.sg->dead);
	assert_int_equal(conn->obj.refcount, 1); /* ours */
	obj_put(conn);
	assert_int_equal(ipc_live_conns(&w), 0);

	/* The shm stays mapped: libferry unmaps it when this fails. */
	assert_true(ipc_mapped(ln->cl->g, (u64)ln->cbuf));
	/* The service is gone for good. */
	assert_int_equal(
		ipc_ret(ipc_register_client(ln->cl->srv_cap, (u64)ln->shm_cap,
					    (u64)ln->cbuf)),
		-EDEADSRV);
	ipc_world_fini(&w);
}

/*
 * The callback, mid-registration, registers with its own server: the
 * busy callback waits (through the registration) for the very thread
 * asking, so a retry could never succeed: -EDEADLK, nothing changed.
 */
static void test_register_with_own_busy_callback_is_deadlk(void **state)
{
	struct ipc_world w;
	struct ipc_link *a;
	struct reg_snap s;
	int self_cap;

	(void)state;
	ipc_world_init(&w);
	a = ipc_new_link(&w, ipc_new_client(&w, NULL));
	self_cap = cap_alloc(w.sg, w.srv, CAP_RIGHT_CALL);
	assert_true(self_cap >= 0);
	ipc_register_begin(&w, a);
	reg_snap(&w, a, &s);
	assert_int_equal(
		ipc_ret(ipc_register_client(self_cap, (u64)-1, (u64)a->sbuf)),
		-EDEADLK);
	assert_int_equal(kmalloc_bytes_in_use(), s.kbytes);
	assert_int_equal(obj_live_count(OBJ_TYPE_NONE), s.objects);
	assert_int_equal(ipc_used_slots(w.sg), s.server_slots);
	assert_ptr_equal(w.cb->ipc.passive->caller, a->cl->t);
	/* The registration it is serving still completes. */
	ipc_register_end(&w, a);
	assert_int_equal(a->conn->state, CONN_VALID);
	assert_int_equal(cap_remove(w.sg, self_cap), 0);
	ipc_world_fini(&w);
}

/*
 * The callback names a handler that has died: -ESRCH, and the callback
 * may answer again; here it gives up (exits), and the client resumes
 * with -ESRCH as libferry's callback makes it.
 */
static void test_cb_return_with_dead_handler_is_esrch(void **state)
{
	struct ipc_world w;
	struct ipc_link *a, *b;
	struct thread *t;

	(void)state;
	ipc_world_init(&w);
	a = ipc_new_connected(&w); /* w.h is a handler now */
	a->cl->t->state = TS_INACTIVE;
	current = w.idle;
	thread_retire_inactive(w.h); /* it dies; its process lives on */
	assert_int_equal(w.h->state, TS_DEAD);

	b = ipc_new_link(&w, ipc_new_client(&w, NULL));
	ipc_register_begin(&w, b);
	assert_int_equal(
		ipc_ret(ipc_register_cb_return(w.h_cap, H_EXIT, (u64)b->sbuf)),
		-ESRCH);
	assert_false(ipc_mapped(w.sg, (u64)b->sbuf));
	assert_int_equal(b->conn->state, CONN_PENDING);
	t = ipc_thread_exit(w.cb);
	assert_ptr_equal(t, b->cl->t);
	assert_int_equal((long)thread_regs(t)->rax, -ESRCH);
	ipc_world_fini(&w);
}

static void test_pending_connection_refuses_calls(void **state)
{
	struct ipc_world w;
	struct ipc_link *ln;
	struct ipc_client *c2;

	(void)state;
	ipc_world_init(&w);
	ln = ipc_new_link(&w, ipc_new_client(&w, NULL));
	c2 = ipc_new_client(&w, ln->cl->g);
	ipc_register_begin(&w, ln);
	/* Another thread of the client finds the cap early. */
	ipc_run_as(c2->t);
	assert_int_equal(ipc_ret(ipc_call(ln->conn->client_cap, 0, 0, 0)),
			 -EINVAL);
	assert_false(ln->conn->busy);
	assert_int_equal(ln->conn->state, CONN_PENDING);
	/*
	 * Regression: closing it then went through, and the registering
	 * thread was handed back a slot that no longer held it.
	 */
	assert_int_equal(ipc_ret(ipc_close(ln->conn->client_cap)), -EIPCRETRY);
	assert_int_equal(ln->conn->state, CONN_PENDING);
	c2->t->state = TS_INACTIVE;
	ipc_run_as(w.cb);
	ipc_register_end(&w, ln);
	ipc_world_fini(&w);
}

/*
 * With n frames left, registration fails wherever memory runs out, with
 * -ENOMEM and nothing changed, or goes through; the callback's answer
 * likewise. Each connection made is closed and taken apart again.
 */
static void test_registration_without_memory(void **state)
{
	struct ipc_world w;
	struct ipc_link *ln;
	struct reg_snap s;
	struct thread *c;
	volatile int refused = 0, cb_refused = 0;
	volatile bool sw;
	long r;

	(void)state;
	ipc_world_init(&w);
	ln = ipc_new_link(&w, ipc_new_client(&w, NULL));
	c = ln->cl->t;
	for (size_t n = 0; n < 16; n++) {
		struct connection *conn;

		ipc_run_as(c);
		reg_snap(&w, ln, &s);
		ipc_take_all_memory(n);
		r = ipc_try(ipc_register_client(ln->cl->srv_cap,
						(u64)ln->shm_cap,
						(u64)ln->cbuf),
			    &sw);
		if (!sw) {
			ipc_give_all_memory();
			assert_int_equal(r, -ENOMEM);
			reg_unchanged(&w, ln, &s);
			refused++;
			continue;
		}
		assert_ptr_equal(current, w.cb);
		conn = w.cb->ipc.passive->conn;
		r = ipc_try(
			ipc_register_cb_return(w.h_cap, H_EXIT, (u64)ln->sbuf),
			&sw);
		ipc_give_all_memory();
		if (!sw) {
			assert_int_equal(r, -ENOMEM);
			assert_int_equal(conn->state, CONN_PENDING);
			cb_refused++;
			ipc_register_end(&w, ln);
		}
		assert_ptr_equal(current, c);
		assert_int_equal(conn->state, CONN_VALID);
		/* Take it apart: close, destructor, unmap, server's caps. */
		assert_int_equal(ipc_ret(ipc_close(conn->client_cap)), 0);
		c->state = TS_INACTIVE;
		ipc_run_as(w.h);
		assert_ptr_equal(ipc_switch(ipc_exit_routine_return()), w.idle);
		assert_int_equal(vmspace_unmap(ln->cl->g->vmspace,
					       (u64)ln->cbuf, SHM_SIZE),
				 0);
		assert_int_equal(
			vmspace_unmap(w.sg->vmspace, (u64)ln->sbuf, SHM_SIZE),
			0);
		assert_int_equal(cap_remove(w.sg, conn->server_shm_cap), 0);
		assert_int_equal(cap_remove(w.sg, conn->server_cap), 0);
		assert_int_equal(ipc_live_conns(&w), 0);
	}
	/* Both ways of failing were met, and success in the end. */
	assert_true(refused > 0);
	assert_true(cb_refused > 0);
	assert_true(refused + cb_refused < 16);
	ipc_world_fini(&w);
}

/*
 * The callback refuses (libferry: the server is at its limit): the
 * client gets -ECONNREFUSED, every cap the registration made on either
 * side is gone with the connection, and the callback serves the next
 * registration.
 */
static void test_callback_refuses(void **state)
{
	struct ipc_world w;
	struct ipc_link *ln;
	struct connection *conn;
	struct thread *c, *t;
	struct reg_snap s;
	u32 server_slots;
	int srv_cap, shm_cap;

	(void)state;
	ipc_world_init(&w);
	ln = ipc_new_link(&w, ipc_new_client(&w, NULL));
	c = ln->cl->t;
	ipc_run_as(c);
	reg_snap(&w, ln, &s);
	server_slots = ipc_used_slots(w.sg);
	ipc_register_begin(&w, ln);
	conn = ln->conn;
	srv_cap = conn->server_cap;
	shm_cap = conn->server_shm_cap;
	assert_int_equal(ipc_used_slots(w.sg), server_slots + 2);
	obj_get(conn);

	/* Only a registration can be refused. */
	ipc_run_as(w.srv);
	assert_int_equal(ipc_ret(ipc_register_cb_refuse()), -EINVAL);
	w.srv->state = TS_INACTIVE;
	ipc_run_as(w.cb);
	t = ipc_switch(ipc_register_cb_refuse());

	assert_ptr_equal(t, c);
	assert_true(host_switched_to_user);
	assert_int_equal((long)thread_regs(c)->rax, -ECONNREFUSED);
	assert_int_equal(c->state, TS_RUNNING);
	assert_null(c->ipc.callee);
	assert_int_equal(c->sc->obj.refcount, s.sc_ref);
	assert_null(w.cb->sc);
	assert_int_equal(w.cb->state, TS_INACTIVE);
	assert_false(w.cb->ipc.passive->busy);
	assert_null(w.cb->ipc.passive->conn);
	assert_null(w.cb->ipc.passive->caller);
	assert_int_equal(conn->state, CONN_CLOSED);
	assert_null(conn->client);
	assert_null(conn->handler);
	assert_null(w.sg->slots[srv_cap].obj);
	assert_null(w.sg->slots[shm_cap].obj);
	assert_int_equal(ipc_used_slots(w.sg), server_slots);
	assert_int_equal(ipc_used_slots(ln->cl->g), s.client_slots);
	assert_true(list_empty(&ln->cl->g->ipc_conns));
	assert_int_equal(conn->obj.refcount, 1); /* ours */
	obj_put(conn);
	assert_int_equal(ipc_live_conns(&w), 0);
	assert_int_equal(obj_live_count(OBJ_TYPE_NONE), s.objects);
	/* As after -ESRCH, the client's library unmaps its shm. */
	assert_true(ipc_mapped(ln->cl->g, (u64)ln->cbuf));
	assert_int_equal(
		vmspace_unmap(ln->cl->g->vmspace, (u64)ln->cbuf, SHM_SIZE), 0);

	/* The callback takes the next registration as usual. */
	ipc_connect(&w, ln);
	assert_int_equal(ln->conn->state, CONN_VALID);
	ipc_world_fini(&w);
}

/* A refusal for a client that died meanwhile: nobody to resume. */
static void test_callback_refuses_dead_client(void **state)
{
	struct ipc_world w;
	struct ipc_link *ln;
	struct connection *conn;
	struct thread *t;
	u32 server_slots;

	(void)state;
	ipc_world_init(&w);
	ln = ipc_new_link(&w, ipc_new_client(&w, NULL));
	server_slots = ipc_used_slots(w.sg);
	ipc_register_begin(&w, ln);
	conn = ln->conn;
	obj_get(conn);
	current = w.idle;
	cap_group_exit(ln->cl->g, 0);
	assert_null(w.cb->ipc.passive->caller);

	ipc_run_as(w.cb);
	t = ipc_switch(ipc_register_cb_refuse());
	assert_ptr_equal(t, w.idle);
	assert_false(host_switched_to_user);
	assert_null(w.cb->sc);
	assert_false(w.cb->ipc.passive->busy);
	assert_int_equal(ipc_used_slots(w.sg), server_slots);
	assert_int_equal(conn->obj.refcount, 1); /* ours */
	obj_put(conn);
	assert_int_equal(ipc_live_conns(&w), 0);
	ipc_world_fini(&w);
}

/*
 * The context a handler keeps for its exit routines runs user code (the
 * server's destructor): at PRIO_DEFAULT, capped at the handler's MCP.
 */
static void test_exit_context_within_mcp(void **state)
{
	struct ipc_world w;
	struct thread *h2;
	struct ipc_link *ln2;
	int h2_cap;

	(void)state;
	ipc_world_init(&w);
	w.h->mcp = 4;
	ipc_new_connected(&w);
	assert_int_equal(w.h->ipc.passive->exit_sc->prio, 4);
	h2 = ipc_new_handler(&w, &h2_cap);
	h2->mcp = PRIO_MAX;
	ln2 = ipc_new_link(&w, ipc_new_client(&w, NULL));
	ipc_connect_with(&w, ln2, h2, h2_cap);
	assert_int_equal(h2->ipc.passive->exit_sc->prio, PRIO_DEFAULT);
	ipc_world_fini(&w);
}

/*
 * Memory budgets: the connection is the client's, charged to it; past
 * its budget the registration is -ENOMEM and nothing changes, while the
 * server's budget is untouched either way (it pays only for mapping the
 * shm in its own address space and its own table).
 */
static void test_registration_past_the_clients_budget(void **state)
{
	struct ipc_world w;
	struct ipc_link *ln;
	struct reg_snap s;
	struct budget *b, *sb;
	size_t used, limit, all = frame_total_count(), filler;
	u64 before, sbefore;

	(void)state;
	ipc_world_init(&w);
	ln = ipc_new_link(&w, ipc_new_client(&w, NULL));
	b = ln->cl->g->budget;
	sb = w.sg->budget;
	budget_read(b, &used, &limit);
	assert_int_equal(budget_set_limit(b, used, limit), 0);
	filler = used * PAGE_SIZE - b->used;
	assert_int_equal(budget_charge(b, filler), 0); /* full to the byte */
	before = b->used;
	sbefore = sb->used;
	ipc_run_as(ln->cl->t);
	reg_snap(&w, ln, &s);
	assert_int_equal(
		ipc_ret(ipc_register_client(ln->cl->srv_cap, (u64)ln->shm_cap,
					    (u64)ln->cbuf)),
		-ENOMEM);
	reg_unchanged(&w, ln, &s);
	assert_int_equal(ipc_live_conns(&w), 0);
	assert_int_equal(b->used, before);
	assert_int_equal(sb->used, sbefore);
	/* Room again: it connects, and the connection is the client's. */
	budget_uncharge(b, filler);
	assert_int_equal(budget_set_limit(b, all, all), 0);
	before = b->used;
	ipc_connect(&w, ln);
	assert_ptr_equal(ln->conn->budget, b);
	assert_true(b->used >= before + kmalloc_size(sizeof(*ln->conn)));
	ipc_world_fini(&w);
}

/*
 * The shm's frames are its creator's, given at registration: the server
 * never faults on them, so a client that spends its budget cannot make
 * the server's fault fail. Past the creator's budget the registration
 * is -ENOMEM and takes nothing.
 */
static void test_registration_commits_the_shm(void **state)
{
	struct ipc_world w;
	struct ipc_link *ln;
	struct budget *b;
	struct pmo *shm;
	size_t used, limit, all = frame_total_count();
	size_t pages = SHM_SIZE / PAGE_SIZE;

	(void)state;
	ipc_world_init(&w);
	ln = ipc_new_link(&w, ipc_new_client(&w, NULL));
	b = ln->cl->g->budget;
	/* A fresh shm of the client's own in place of the fixture's. */
	assert_int_equal(cap_remove(ln->cl->g, ln->shm_cap), 0);
	obj_put(ln->shm);
	assert_int_equal(pmo_create(SHM_SIZE, PMO_ANONYMOUS, b, &shm), 0);
	ln->shm = shm;
	ln->shm_cap = cap_alloc(ln->cl->g, shm, SHM_RIGHTS);
	assert_true(ln->shm_cap >= 0);
	/* Room for everything but the frames and radix: -ENOMEM. */
	budget_read(b, &used, &limit);
	assert_int_equal(budget_set_limit(b, used + pages, limit), 0);
	ipc_run_as(ln->cl->t);
	assert_int_equal(
		ipc_ret(ipc_register_client(ln->cl->srv_cap, (u64)ln->shm_cap,
					    (u64)ln->cbuf)),
		-ENOMEM);
	assert_int_equal(pmo_resident_pages(shm), 0);
	assert_int_equal(ipc_live_conns(&w), 0);
	assert_int_equal(budget_set_limit(b, all, all), 0);
	ipc_connect(&w, ln);
	assert_int_equal(pmo_resident_pages(shm), pages);
	assert_ptr_equal(shm->budget, b);
	ipc_world_fini(&w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		kenv_test(test_register_server_records_service),
		kenv_test(test_registration_past_the_clients_budget),
		kenv_test(test_registration_commits_the_shm),
		kenv_test(test_exit_context_within_mcp),
		kenv_test(test_register_server_refusals),
		kenv_test(test_register_client_enters_callback),
		kenv_test(test_register_cb_return_resumes_client),
		kenv_test(test_register_client_refusals),
		kenv_test(test_register_while_callback_busy_waits),
		kenv_test(test_register_to_dead_server_is_deadsrv),
		kenv_test(test_cb_return_refusals),
		kenv_test_forked(test_cb_return_bad_address_changes_nothing),
		kenv_test(test_handler_serves_many_connections),
		kenv_test_forked(test_handler_of_other_process_is_refused),
		kenv_test(test_client_table_full_rolls_back),
		kenv_test(test_server_table_full_rolls_back),
		kenv_test(test_client_dies_during_registration),
		kenv_test(test_callback_dies_during_registration),
		kenv_test(test_pending_connection_refuses_calls),
		kenv_test(test_register_with_own_busy_callback_is_deadlk),
		kenv_test(test_cb_return_with_dead_handler_is_esrch),
		kenv_test(test_registration_without_memory),
		kenv_test(test_callback_refuses),
		kenv_test(test_callback_refuses_dead_client),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
