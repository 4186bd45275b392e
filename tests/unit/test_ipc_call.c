/*
 * kernel/ipc/call.c: ipc_call and ipc_return on a connected pair, the
 * message checks, busy parties, and capabilities moved either way with
 * their rollback. A refused call must leave everything as it was.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "ipc_env.h"
#include <mm/kmalloc.h>

#define NPMO 20

/* What a refused call must leave as it was. */
struct call_snap {
	struct arch_regs hregs;
	u32 conn_ref, sc_ref, client_slots, server_slots;
	size_t kbytes, objects;
};

static void call_snap(struct ipc_world *w, struct ipc_link *ln,
		      struct call_snap *s)
{
	s->hregs = *thread_regs(w->h);
	s->conn_ref = ln->conn->obj.refcount;
	s->sc_ref = current->sc->obj.refcount;
	s->client_slots = ipc_used_slots(ln->cl->g);
	s->server_slots = ipc_used_slots(w->sg);
	s->kbytes = kmalloc_bytes_in_use();
	s->objects = obj_live_count(OBJ_TYPE_NONE);
}

static void call_unchanged(struct ipc_world *w, struct ipc_link *ln,
			   struct thread *caller, const struct call_snap *s)
{
	struct ipc_passive *p = w->h->ipc.passive;

	assert_ptr_equal(current, caller);
	assert_int_equal(caller->state, TS_RUNNING);
	assert_null(caller->ipc.callee);
	assert_int_equal(caller->ipc.deadline, 0);
	assert_false(ln->conn->busy);
	assert_int_equal(ln->conn->call_msg, 0);
	assert_int_equal(ln->conn->state, CONN_VALID);
	assert_false(p->busy);
	assert_null(p->conn);
	assert_null(p->caller);
	assert_int_equal(w->h->state, TS_INACTIVE);
	assert_null(w->h->sc);
	assert_memory_equal(thread_regs(w->h), &s->hregs, sizeof(s->hregs));
	assert_int_equal(ln->conn->obj.refcount, s->conn_ref);
	assert_int_equal(caller->sc->obj.refcount, s->sc_ref);
	assert_int_equal(ipc_used_slots(ln->cl->g), s->client_slots);
	assert_int_equal(ipc_used_slots(w->sg), s->server_slots);
	assert_int_equal(kmalloc_bytes_in_use(), s->kbytes);
	assert_int_equal(obj_live_count(OBJ_TYPE_NONE), s->objects);
}

/* n PMOs, each with a cap in g with `rights`; the caps go to caps[]. */
static void new_pmos(struct cap_group *g, struct pmo **p, cap_t *caps, int n,
		     u32 rights)
{
	for (int i = 0; i < n; i++) {
		assert_int_equal(
			pmo_create(PAGE_SIZE, PMO_ANONYMOUS, NULL, &p[i]), 0);
		caps[i] = cap_alloc(g, p[i], rights);
		assert_true(caps[i] >= 0);
	}
}

static void put_pmos(struct pmo **p, int n)
{
	for (int i = 0; i < n; i++)
		obj_put(p[i]);
}

static void test_call_and_return_empty(void **state)
{
	struct ipc_world w;
	struct ipc_link *ln;
	struct ipc_passive *p;
	struct arch_regs *r;
	struct thread *c;

	(void)state;
	c = ipc_world_connected(&w, &ln);
	p = w.h->ipc.passive;
	assert_int_equal(c->sc->obj.refcount, 1);

	ipc_call_in(&w, ln, 0, 0, 0);
	r = thread_regs(w.h);
	assert_int_equal(r->rip, H_ENTRY);
	assert_int_equal(r->rsp, H_STACK);
	assert_int_equal(r->cs & 3, 3);
	assert_int_equal(r->ss & 3, 3);
	assert_int_equal(r->rdi, 0);
	assert_int_equal(r->rsi, ln->cl->g->badge);
	assert_int_equal(r->rdx, 0);
	assert_int_equal(r->rcx, 0);
	/* The call runs on the caller's context: no scheduler involved. */
	assert_int_equal(w.h->state, TS_RUNNING);
	assert_ptr_equal(w.h->sc, c->sc);
	assert_int_equal(c->sc->obj.refcount, 2);
	assert_ptr_equal(c->ipc.callee, w.h);
	assert_int_equal(c->ipc.deadline, 0);
	assert_true(ln->conn->busy);
	assert_int_equal(ln->conn->call_msg, 0);
	assert_true(p->busy);
	assert_false(p->exit_run);
	assert_ptr_equal(p->conn, ln->conn);
	/* Both slots and the call in flight. */
	assert_int_equal(ln->conn->obj.refcount, 3);

	ipc_return_to(&w, c, 42);
	assert_int_equal(c->state, TS_RUNNING);
	assert_null(c->ipc.callee);
	assert_int_equal(c->sc->obj.refcount, 1);
	assert_int_equal(w.h->state, TS_INACTIVE);
	assert_null(w.h->sc);
	assert_false(ln->conn->busy);
	assert_false(p->busy);
	assert_null(p->conn);
	assert_null(p->caller);
	assert_int_equal(ln->conn->obj.refcount, 2);

	/* And again: the handler restarts at its entry every time. */
	thread_regs(w.h)->rip = 0xdead000;
	ipc_call_in(&w, ln, 0, 0, 0);
	assert_int_equal(thread_regs(w.h)->rip, H_ENTRY);
	ipc_return_to(&w, c, -5);
	ipc_world_fini(&w);
}

static void test_call_translates_message_address(void **state)
{
	struct ipc_world w;
	struct ipc_link *ln;
	u64 msg;

	(void)state;
	ipc_world_init(&w);
	ln = ipc_new_connected(&w);
	msg = ipc_put_msg(ln, 0x100, 16, 64, 0, 0);
	ipc_call_in(&w, ln, msg, 0, 0);
	/* The handler gets the same message in its own mapping. */
	assert_int_equal(thread_regs(w.h)->rdi, (u64)ln->sbuf + 0x100);
	assert_int_equal(ln->conn->call_msg, msg);
	ipc_return_to(&w, ln->cl->t, -EINVAL);
	assert_int_equal(ln->conn->call_msg, 0);
	ipc_world_fini(&w);
}

static void test_call_message_bounds(void **state)
{
	struct ipc_world w;
	struct ipc_link *ln;
	struct call_snap s;
	struct thread *c;
	u64 shm, last = SHM_SIZE - sizeof(struct ipc_msg);

	(void)state;
	c = ipc_world_connected(&w, &ln);
	shm = (u64)ln->cbuf;
	call_snap(&w, ln, &s);

	/* The header must lie wholly inside the shm. */
	assert_int_equal(ipc_ret(ipc_call(ln->cap, shm - 16, 0, 0)), -EINVAL);
	assert_int_equal(ipc_ret(ipc_call(ln->cap, shm + last + 1, 0, 0)),
			 -EINVAL);
	assert_int_equal(ipc_ret(ipc_call(ln->cap, shm + SHM_SIZE, 0, 0)),
			 -EINVAL);
	assert_int_equal(ipc_ret(ipc_call(ln->cap, ~0ul, 0, 0)), -EINVAL);
	/* And so must what it points at. */
	ipc_put_msg(ln, 0, SHM_SIZE, 1, 0, 0);
	assert_int_equal(ipc_ret(ipc_call(ln->cap, shm, 0, 0)), -EINVAL);
	ipc_put_msg(ln, 0, 16, SHM_SIZE - 15, 0, 0);
	assert_int_equal(ipc_ret(ipc_call(ln->cap, shm, 0, 0)), -EINVAL);
	ipc_put_msg(ln, 0, UINT32_MAX, UINT32_MAX, 0, 0);
	assert_int_equal(ipc_ret(ipc_call(ln->cap, shm, 0, 0)), -EINVAL);
	ipc_put_msg(ln, 0, 0, 0, SHM_SIZE + 4, 0);
	assert_int_equal(ipc_ret(ipc_call(ln->cap, shm, 0, 0)), -EINVAL);
	ipc_put_msg(ln, 0, 0, 0, 16, (SHM_SIZE - 16) / 4 + 1);
	assert_int_equal(ipc_ret(ipc_call(ln->cap, shm, 0, 0)), -EINVAL);
	ipc_put_msg(ln, 0, 0, 0, UINT32_MAX, UINT32_MAX);
	assert_int_equal(ipc_ret(ipc_call(ln->cap, shm, 0, 0)), -EINVAL);
	ipc_put_msg(ln, 0x100, 0, 0, SHM_SIZE - 0x100, 1);
	assert_int_equal(ipc_ret(ipc_call(ln->cap, shm + 0x100, 0, 0)),
			 -EINVAL);
	call_unchanged(&w, ln, c, &s);

	/* Exactly at the edges is fine. */
	ipc_put_msg(ln, last, 0, 0, 0, 0);
	ipc_call_in(&w, ln, shm + last, 0, 0);
	assert_int_equal(thread_regs(w.h)->rdi, (u64)ln->sbuf + last);
	ipc_return_to(&w, c, 0);
	ipc_put_msg(ln, 0, 16, SHM_SIZE - 16, 16, (SHM_SIZE - 16) / 4);
	ipc_call_in(&w, ln, shm, 0, 0);
	ipc_return_to(&w, c, 0);
	ipc_world_fini(&w);
}

static void test_call_bad_arguments(void **state)
{
	struct ipc_world w;
	struct ipc_link *ln;
	struct call_snap s;
	struct thread *c;
	int ro;
	u64 msg;

	(void)state;
	c = ipc_world_connected(&w, &ln);
	ro = cap_alloc(ln->cl->g, ln->conn, CAP_RIGHT_READ);
	msg = ipc_put_msg(ln, 0, 0, 0, 16, IPC_MAX_CAPS + 1);
	call_snap(&w, ln, &s);

	assert_int_equal(ipc_ret(ipc_call(999, 0, 0, 0)), -ECAPBILITY);
	assert_int_equal(ipc_ret(ipc_call(-1, 0, 0, 0)), -ECAPBILITY);
	assert_int_equal(ipc_ret(ipc_call(ln->shm_cap, 0, 0, 0)), -ECAPBILITY);
	assert_int_equal(ipc_ret(ipc_call(ro, 0, 0, 0)), -ECAPBILITY);
	assert_int_equal(ipc_ret(ipc_call(ln->cap, msg, IPC_MAX_CAPS + 1, 0)),
			 -EINVAL);
	assert_int_equal(ipc_ret(ipc_call(ln->cap, 0, 1, 0)), -EINVAL);
	call_unchanged(&w, ln, c, &s);

	/* The server's cap to the connection only reads it. */
	c->state = TS_INACTIVE;
	ipc_run_as(w.srv);
	assert_int_equal(ipc_ret(ipc_call(ln->conn->server_cap, 0, 0, 0)),
			 -ECAPBILITY);
	w.srv->state = TS_INACTIVE;
	ipc_run_as(c);
	call_unchanged(&w, ln, c, &s);
	ipc_world_fini(&w);
}

/*
 * A call on a busy connection waits in the kernel (no -EIPCRETRY): the
 * caller blocks on the handler's queue, holding nothing, and the call in
 * flight is untouched; the return grants the handler to it, and it
 * issues its call again from its user frame.
 */
static void test_call_busy_connection_waits(void **state)
{
	struct ipc_world w;
	struct ipc_link *ln;
	struct ipc_client *c2;
	struct arch_regs hregs;
	struct thread *c;
	u32 conn_ref;
	u64 rip;

	(void)state;
	c = ipc_world_connected(&w, &ln);
	c2 = ipc_new_client(&w, ln->cl->g);
	conn_ref = ln->conn->obj.refcount;
	ipc_call_in(&w, ln, 0, 0, 0);
	hregs = *thread_regs(w.h);

	/* Another thread of the client, on the same connection. */
	ipc_run_as(c2->t);
	rip = thread_regs(c2->t)->rip;
	assert_ptr_equal(ipc_wait_in(&w, ln, 0, 0, 0), w.idle);
	assert_int_equal(c2->t->ipc.deadline, 0);
	assert_int_equal(c2->t->sc->obj.refcount, 1);
	/* The call in flight is untouched; the waiter holds no reference. */
	assert_memory_equal(thread_regs(w.h), &hregs, sizeof(hregs));
	assert_ptr_equal(w.h->ipc.passive->caller, c);
	assert_ptr_equal(w.h->sc, c->sc);
	assert_int_equal(c->state, TS_IPC_WAIT);
	assert_int_equal(ln->conn->obj.refcount, conn_ref + 1);
	assert_null(w.h->ipc.passive->granted);

	ipc_run_as(w.h);
	ipc_return_to(&w, c, 1);
	ipc_assert_granted(w.h, c2->t, rip);
	assert_false(ln->conn->busy);
	/* Nobody else may take it meanwhile: the fast path falls back too. */
	c->state = TS_INACTIVE;
	ipc_reissue(&w, ln, c2->t, 0);
	ipc_return_to(&w, c2->t, 2);
	assert_false(w.h->ipc.passive->busy);
	ipc_world_fini(&w);
}

/* The same when the connection is free but its handler serves another. */
static void test_call_busy_handler_waits(void **state)
{
	struct ipc_world w;
	struct ipc_link *a, *b;
	struct call_snap s;
	u64 rip;

	(void)state;
	ipc_world_init(&w);
	a = ipc_new_connected(&w);
	a->cl->t->state = TS_INACTIVE;
	b = ipc_new_connected(&w);
	call_snap(&w, b, &s);
	b->cl->t->state = TS_INACTIVE;
	ipc_run_as(a->cl->t);
	ipc_call_in(&w, a, 0, 0, 0);

	/* b's connection is free, but its handler serves a. */
	ipc_run_as(b->cl->t);
	rip = thread_regs(b->cl->t)->rip;
	ipc_wait_in(&w, b, 0, 0, 0);
	assert_false(b->conn->busy);
	assert_int_equal(b->conn->obj.refcount, s.conn_ref);
	assert_ptr_equal(w.h->ipc.passive->conn, a->conn);
	assert_ptr_equal(w.h->ipc.passive->caller, a->cl->t);

	ipc_run_as(w.h);
	ipc_return_to(&w, a->cl->t, 0);
	ipc_assert_granted(w.h, b->cl->t, rip);
	/* a comes back at once: it must queue behind the grant. */
	ipc_wait_in(&w, a, 0, 0, 0);
	ipc_reissue(&w, b, b->cl->t, 0);
	ipc_return_to(&w, b->cl->t, 0);
	ipc_assert_granted(w.h, a->cl->t, thread_regs(a->cl->t)->rip + 2);
	b->cl->t->state = TS_INACTIVE;
	ipc_reissue(&w, a, a->cl->t, 0);
	ipc_return_to(&w, a->cl->t, 0);
	ipc_world_fini(&w);
}

static void test_return_refusals(void **state)
{
	struct ipc_world w;
	struct ipc_link *ln;
	struct thread *c;

	(void)state;
	c = ipc_world_connected(&w, &ln);
	/* Nobody but a handler serving a call returns. */
	assert_int_equal(ipc_ret(ipc_return(0, 0)), -EINVAL);
	c->state = TS_INACTIVE;
	ipc_run_as(w.h);
	assert_int_equal(ipc_ret(ipc_return(0, 0)), -EINVAL);
	assert_int_equal(ipc_ret(ipc_exit_routine_return()), -EINVAL);
	w.h->state = TS_INACTIVE;
	ipc_run_as(w.cb);
	assert_int_equal(ipc_ret(ipc_return(0, 0)), -EINVAL);
	w.cb->state = TS_INACTIVE;

	ipc_run_as(c);
	ipc_call_in(&w, ln, 0, 0, 0);
	/* No message to carry caps, too many caps, not an exit run. */
	assert_int_equal(ipc_ret(ipc_return(0, 1)), -EINVAL);
	assert_int_equal(ipc_ret(ipc_return(0, IPC_MAX_CAPS + 1)), -EINVAL);
	assert_int_equal(ipc_ret(ipc_exit_routine_return()), -EINVAL);
	/* The call is still in flight. */
	assert_int_equal(c->state, TS_IPC_WAIT);
	assert_true(ln->conn->busy);
	assert_true(w.h->ipc.passive->busy);
	assert_ptr_equal(w.h->sc, c->sc);
	ipc_return_to(&w, c, 3);
	ipc_world_fini(&w);
}

static void test_call_moves_caps(void **state)
{
	static const u32 rights[3] = {
		CAP_RIGHT_READ | CAP_RIGHT_GRANT,
		CAP_RIGHT_READ | CAP_RIGHT_WRITE | CAP_RIGHT_GRANT,
		CAP_RIGHT_ALL,
	};
	struct ipc_world w;
	struct ipc_link *ln;
	struct pmo *p[3];
	cap_t src[3], *slots;
	u64 msg;

	(void)state;
	ipc_world_init(&w);
	ln = ipc_new_connected(&w);
	for (int i = 0; i < 3; i++)
		new_pmos(ln->cl->g, &p[i], &src[i], 1, rights[i]);
	msg = ipc_put_msg(ln, 0x100, 0, 0, 32, 4);
	slots = ipc_msg_caps(ln->cbuf, 0x100);
	memcpy(slots, src, sizeof(src));

	ipc_call_in(&w, ln, msg, 3, 0);
	ipc_pmo_to_views(ln, 0x100 + 32, 3 * sizeof(cap_t));
	/* The slots now name the server's copies, with the same rights. */
	for (int i = 0; i < 3; i++) {
		struct cap_slot *s = &w.sg->slots[slots[i]];

		assert_ptr_equal(s->obj, p[i]);
		assert_int_equal(s->rights, rights[i]);
		/* The client keeps its own. */
		assert_ptr_equal(ln->cl->g->slots[src[i]].obj, p[i]);
		assert_int_equal(p[i]->obj.refcount, 3);
	}
	assert_int_equal(slots[3], 0); /* past ncaps: untouched */
	/*
	 * The handler's own record of them (SYS_ipc_received_caps): the
	 * client rewriting the message's slots changes nothing there.
	 */
	{
		struct thread *was = current;
		cap_t rec[IPC_MAX_CAPS], kept[3], zero[3] = {0};

		memcpy(kept, slots, sizeof(kept));
		/* The client's other thread rewrites them. */
		assert_int_equal(
			pmo_write(ln->shm, 0x100 + 32, zero, sizeof(zero)), 0);
		current = w.h;
		assert_int_equal(ipc_received_caps(rec), 3);
		assert_memory_equal(rec, kept, sizeof(kept));
		current = w.idle; /* serving nothing */
		assert_int_equal(ipc_received_caps(rec), -EINVAL);
		current = was;
	}
	ipc_return_to(&w, ln->cl->t, 0);
	ipc_world_fini(&w);
	put_pmos(p, 3);
}

static void test_call_moves_16_caps_not_17(void **state)
{
	struct ipc_world w;
	struct ipc_link *ln;
	struct pmo *p[IPC_MAX_CAPS + 1];
	cap_t src[IPC_MAX_CAPS + 1], *slots;
	struct call_snap s;
	u32 before;
	u64 msg;

	(void)state;
	ipc_world_init(&w);
	ln = ipc_new_connected(&w);
	new_pmos(ln->cl->g, p, src, IPC_MAX_CAPS + 1, CAP_RIGHT_ALL);
	msg = ipc_put_msg(ln, 0, 0, 0, 16, IPC_MAX_CAPS + 1);
	slots = ipc_msg_caps(ln->cbuf, 0);
	memcpy(slots, src, sizeof(src));
	call_snap(&w, ln, &s);

	assert_int_equal(ipc_ret(ipc_call(ln->cap, msg, IPC_MAX_CAPS + 1, 0)),
			 -EINVAL);
	call_unchanged(&w, ln, ln->cl->t, &s);
	assert_memory_equal(slots, src, sizeof(src));

	before = ipc_used_slots(w.sg);
	ipc_call_in(&w, ln, msg, IPC_MAX_CAPS, 0);
	ipc_pmo_to_views(ln, 16, IPC_MAX_CAPS * sizeof(cap_t));
	assert_int_equal(ipc_used_slots(w.sg), before + IPC_MAX_CAPS);
	for (int i = 0; i < IPC_MAX_CAPS; i++)
		assert_ptr_equal(w.sg->slots[slots[i]].obj, p[i]);
	assert_int_equal(slots[IPC_MAX_CAPS], src[IPC_MAX_CAPS]);
	assert_int_equal(p[IPC_MAX_CAPS]->obj.refcount, 2);
	ipc_return_to(&w, ln->cl->t, 0);
	ipc_world_fini(&w);
	put_pmos(p, IPC_MAX_CAPS + 1);
}

static void test_call_cap_rollback(void **state)
{
	struct ipc_world w;
	struct ipc_link *ln;
	struct pmo *p[3];
	cap_t src[3], *slots;
	struct call_snap s;
	u64 msg;

	(void)state;
	ipc_world_init(&w);
	ln = ipc_new_connected(&w);
	new_pmos(ln->cl->g, p, src, 2, CAP_RIGHT_ALL);
	new_pmos(ln->cl->g, &p[2], &src[2], 1,
		 CAP_RIGHT_ALL & ~CAP_RIGHT_GRANT);
	msg = ipc_put_msg(ln, 0x40, 0, 0, 16, 3);
	slots = ipc_msg_caps(ln->cbuf, 0x40);
	memcpy(slots, src, sizeof(src));
	call_snap(&w, ln, &s);

	/* The third cannot be granted: the first two come back. */
	assert_int_equal(ipc_ret(ipc_call(ln->cap, msg, 3, 0)), -ECAPBILITY);
	call_unchanged(&w, ln, ln->cl->t, &s);
	assert_memory_equal(slots, src, sizeof(src));
	for (int i = 0; i < 3; i++)
		assert_int_equal(p[i]->obj.refcount, 2);
	/* A slot that names nothing, in the middle. */
	slots[1] = 999;
	assert_int_equal(ipc_ret(ipc_call(ln->cap, msg, 2, 0)), -ECAPBILITY);
	call_unchanged(&w, ln, ln->cl->t, &s);
	assert_int_equal(slots[0], src[0]);
	/* More caps than the message has slots for. */
	memcpy(slots, src, sizeof(src));
	ipc_put_msg(ln, 0x40, 0, 0, 16, 1);
	assert_int_equal(ipc_ret(ipc_call(ln->cap, msg, 2, 0)), -EINVAL);
	call_unchanged(&w, ln, ln->cl->t, &s);

	/* A call that fits goes through. */
	ipc_call_in(&w, ln, msg, 1, 0);
	ipc_pmo_to_views(ln, 0x40 + 16, sizeof(cap_t));
	assert_ptr_equal(w.sg->slots[slots[0]].obj, p[0]);
	ipc_return_to(&w, ln->cl->t, 0);
	ipc_world_fini(&w);
	put_pmos(p, 3);
}

static void test_call_caps_into_full_table_roll_back(void **state)
{
	struct ipc_world w;
	struct ipc_link *ln;
	struct pmo *p[2];
	cap_t src[2], *slots;
	struct call_snap s;
	u64 msg;

	(void)state;
	ipc_world_init(&w);
	ln = ipc_new_connected(&w);
	new_pmos(ln->cl->g, p, src, 2, CAP_RIGHT_ALL);
	msg = ipc_put_msg(ln, 0, 0, 0, 16, 2);
	slots = ipc_msg_caps(ln->cbuf, 0);
	memcpy(slots, src, sizeof(src));
	/* Room for one. */
	ipc_fill_table(w.sg, 1);
	call_snap(&w, ln, &s);
	assert_int_equal(ipc_ret(ipc_call(ln->cap, msg, 2, 0)), -ENOMEM);
	call_unchanged(&w, ln, ln->cl->t, &s);
	assert_int_equal(ipc_used_slots(w.sg), CAP_TABLE_MAX - 1);
	assert_memory_equal(slots, src, sizeof(src));
	assert_int_equal(p[0]->obj.refcount, 2);
	ipc_call_in(&w, ln, msg, 1, 0);
	ipc_return_to(&w, ln->cl->t, 0);
	ipc_world_fini(&w);
	put_pmos(p, 2);
}

static void test_return_moves_caps(void **state)
{
	struct ipc_world w;
	struct ipc_link *ln;
	struct pmo *p[2];
	cap_t src[2], *sslots, *cslots;
	u32 before;
	u64 msg;

	(void)state;
	ipc_world_init(&w);
	ln = ipc_new_connected(&w);
	new_pmos(w.sg, p, src, 2,
		 CAP_RIGHT_READ | CAP_RIGHT_MAP | CAP_RIGHT_GRANT);
	msg = ipc_put_msg(ln, 0x200, 0, 0, 16, 4);
	ipc_call_in(&w, ln, msg, 0, 0);

	/* The handler answers with two of its caps, in the shared slots. */
	sslots = ipc_msg_caps(ln->sbuf, 0x200);
	memcpy(sslots, src, sizeof(src));
	before = ipc_used_slots(ln->cl->g);
	assert_ptr_equal(ipc_switch(ipc_return(8, 2)), ln->cl->t);
	assert_int_equal(thread_regs(ln->cl->t)->rax, 8);
	ipc_shm_to_client(ln);
	ipc_pmo_to_views(ln, 0x200 + 16, 2 * sizeof(cap_t));
	cslots = ipc_msg_caps(ln->cbuf, 0x200);
	assert_int_equal(ipc_used_slots(ln->cl->g), before + 2);
	for (int i = 0; i < 2; i++) {
		struct cap_slot *s = &ln->cl->g->slots[cslots[i]];

		assert_ptr_equal(s->obj, p[i]);
		assert_int_equal(s->rights, CAP_RIGHT_READ | CAP_RIGHT_MAP |
						    CAP_RIGHT_GRANT);
		assert_ptr_equal(w.sg->slots[src[i]].obj, p[i]);
		assert_int_equal(p[i]->obj.refcount, 3);
	}
	ipc_world_fini(&w);
	put_pmos(p, 2);
}

static void test_return_cap_rollback(void **state)
{
	struct ipc_world w;
	struct ipc_link *ln;
	struct pmo *p[2];
	cap_t src[2], *sslots;
	u32 before;
	u64 msg;

	(void)state;
	ipc_world_init(&w);
	ln = ipc_new_connected(&w);
	new_pmos(w.sg, p, src, 1, CAP_RIGHT_ALL);
	new_pmos(w.sg, &p[1], &src[1], 1, CAP_RIGHT_READ);
	msg = ipc_put_msg(ln, 0, 0, 0, 16, 2);
	ipc_call_in(&w, ln, msg, 0, 0);
	sslots = ipc_msg_caps(ln->sbuf, 0);
	memcpy(sslots, src, sizeof(src));
	before = ipc_used_slots(ln->cl->g);

	/* Nothing is sent; the call is still ours to answer. */
	assert_int_equal(ipc_ret(ipc_return(1, 2)), -ECAPBILITY);
	assert_int_equal(ipc_used_slots(ln->cl->g), before);
	assert_memory_equal(sslots, src, sizeof(src));
	assert_int_equal(p[0]->obj.refcount, 2);
	assert_ptr_equal(current, w.h);
	assert_true(ln->conn->busy);
	assert_int_equal(ln->conn->call_msg, msg);
	assert_ptr_equal(w.h->ipc.passive->caller, ln->cl->t);
	assert_ptr_equal(w.h->sc, ln->cl->t->sc);
	assert_int_equal(ln->cl->t->state, TS_IPC_WAIT);

	/* The client's table is full. */
	ipc_fill_table(ln->cl->g, 0);
	before = ipc_used_slots(ln->cl->g);
	assert_int_equal(ipc_ret(ipc_return(1, 1)), -ENOMEM);
	assert_int_equal(ipc_used_slots(ln->cl->g), before);
	assert_int_equal(p[0]->obj.refcount, 2);
	assert_true(ln->conn->busy);

	ipc_return_to(&w, ln->cl->t, 1);
	ipc_world_fini(&w);
	put_pmos(p, 2);
}

static void test_return_rechecks_the_header(void **state)
{
	struct ipc_world w;
	struct ipc_link *ln;
	struct pmo *p;
	cap_t src;
	u64 msg;

	(void)state;
	ipc_world_init(&w);
	ln = ipc_new_connected(&w);
	new_pmos(w.sg, &p, &src, 1, CAP_RIGHT_ALL);
	msg = ipc_put_msg(ln, 0x80, 0, 0, 16, 1);
	ipc_call_in(&w, ln, msg, 0, 0);
	*ipc_msg_caps(ln->sbuf, 0x80) = src;

	/* The server rewrote the header since the call was checked. */
	ipc_put_msg(ln, 0x80, 0, 0, SHM_SIZE, 1);
	assert_int_equal(ipc_ret(ipc_return(0, 1)), -EINVAL);
	ipc_put_msg(ln, 0x80, 0, 0, 16, 0);
	assert_int_equal(ipc_ret(ipc_return(0, 1)), -EINVAL);
	assert_int_equal(p->obj.refcount, 2);
	assert_true(ln->conn->busy);
	assert_ptr_equal(current, w.h);
	ipc_return_to(&w, ln->cl->t, 0);
	ipc_world_fini(&w);
	obj_put(p);
}

/*
 * A calls B, B calls back into A's busy handler: retrying could never
 * succeed, so the call fails with -EDEADLK; anyone else just retries.
 * Here the server is a client of its own service twice, once served by
 * w.h and once by a second handler h2: c -> h -> h2 -> h (busy, waiting
 * for h2), or h2 -> h2.
 */
static void test_call_cycle_is_edeadlk(void **state)
{
	struct ipc_world w;
	struct ipc_link *ln, *to_h, *to_h2;
	struct ipc_client *c2, *selfcl;
	struct thread *c, *h2;
	int h2_cap;

	(void)state;
	c = ipc_world_connected(&w, &ln);
	c->state = TS_INACTIVE;
	c2 = ipc_new_client(&w, ln->cl->g);
	h2 = ipc_new_thread(&w, w.sg, THREAD_PASSIVE, H_ENTRY + 0x100,
			    H_STACK + 0x10000);
	h2_cap = cap_alloc(w.sg, h2, CAP_RIGHT_CONTROL);
	selfcl = ipc_new_client(&w, w.sg);
	to_h = ipc_new_link(&w, selfcl);
	ipc_connect(&w, to_h);
	to_h2 = ipc_new_link(&w, selfcl);
	ipc_connect_with(&w, to_h2, h2, h2_cap);
	selfcl->t->state = TS_INACTIVE;

	ipc_run_as(c);
	ipc_call_in(&w, ln, 0, 0, 0);
	/* h calls its own service's other handler. */
	assert_ptr_equal(ipc_switch(ipc_call(to_h2->cap, 0, 0, 0)), h2);
	assert_int_equal(w.h->state, TS_IPC_WAIT);
	assert_ptr_equal(w.h->ipc.callee, h2);
	assert_ptr_equal(h2->sc, c->sc);
	assert_int_equal(c->sc->obj.refcount, 3);
	/* h2 calls back into h, which waits for h2; or into itself. */
	assert_int_equal(ipc_ret(ipc_call(to_h->cap, 0, 0, 0)), -EDEADLK);
	assert_int_equal(ipc_ret(ipc_call(to_h2->cap, 0, 0, 0)), -EDEADLK);
	assert_ptr_equal(current, h2);
	assert_false(to_h->conn->busy);
	assert_ptr_equal(h2->ipc.passive->caller, w.h);
	assert_ptr_equal(w.h->ipc.passive->caller, c);
	assert_int_equal(c->sc->obj.refcount, 3);
	/* Not part of the cycle: ordinary waiters, served in turn. */
	ipc_run_as(c2->t);
	ipc_wait_in(&w, ln, 0, 0, 0);
	ipc_run_as(selfcl->t);
	ipc_wait_in(&w, to_h, 0, 0, 0);
	/* Still a cycle for h2, with waiters queued on h. */
	ipc_run_as(h2);
	assert_int_equal(ipc_ret(ipc_call(to_h->cap, 0, 0, 0)), -EDEADLK);

	/* Unwind: h2 answers h, h answers c. */
	assert_ptr_equal(ipc_switch(ipc_return(6, 0)), w.h);
	assert_int_equal(thread_regs(w.h)->rax, 6);
	assert_int_equal(w.h->state, TS_RUNNING);
	assert_null(h2->sc);
	ipc_return_to(&w, c, 7);
	assert_int_equal(c->sc->obj.refcount, 1);
	/* FIFO within a priority: c2 first, then the server's own thread. */
	ipc_assert_granted(w.h, c2->t, thread_regs(c2->t)->rip + 2);
	c->state = TS_INACTIVE;
	ipc_reissue(&w, ln, c2->t, 0);
	ipc_return_to(&w, c2->t, 0);
	c2->t->state = TS_INACTIVE;
	ipc_assert_granted(w.h, selfcl->t, thread_regs(selfcl->t)->rip + 2);
	ipc_reissue(&w, to_h, selfcl->t, 0);
	ipc_return_to(&w, selfcl->t, 0);
	ipc_world_fini(&w);
}

/*
 * Arguments copied once: the core gets checked kernel copies and reads
 * no user memory. Here the message in the shm says its slots are at 64
 * and names a cap the client does not have, while the copy the syscall
 * layer checked says 16 and names a good one: the copy is what counts,
 * and the server's slot number is written where the copy says.
 */
static void test_call_uses_the_checked_copy(void **state)
{
	struct ipc_world w;
	struct ipc_link *ln;
	struct ipc_call_args a;
	struct pmo *p;
	cap_t src, got;
	u64 msg;

	(void)state;
	ipc_world_init(&w);
	ln = ipc_new_connected(&w);
	new_pmos(ln->cl->g, &p, &src, 1, CAP_RIGHT_ALL);
	msg = ipc_put_msg(ln, 0x100, 0, 0, 16, 1);
	memset(&a, 0, sizeof(a));
	a.msg = msg;
	memcpy(&a.hdr, ln->cbuf + 0x100, sizeof(a.hdr));
	a.ncaps = 1;
	a.slots[0] = src;
	/* Rewritten after the check, as another thread could. */
	ipc_put_msg(ln, 0x100, 0, 0, 64, 1);
	ipc_msg_caps(ln->cbuf, 0x100)[0] = 999;
	obj_get(ln->conn); /* the reference ipc_call_conn takes over */
	assert_ptr_equal(ipc_switch(ipc_call_conn(ln->conn, &a)), w.h);
	assert_int_equal(pmo_read(ln->shm, 0x100 + 16, &got, sizeof(got)), 0);
	assert_ptr_equal(w.sg->slots[got].obj, p);
	assert_int_equal(pmo_read(ln->shm, 0x100 + 64, &got, sizeof(got)), 0);
	assert_int_equal(got, 0);
	ipc_return_to(&w, ln->cl->t, 0);
	ipc_world_fini(&w);
	put_pmos(&p, 1);
}

/* Fills g's table to its present capacity: the next cap must grow it. */
static void fill_to_capacity(struct cap_group *g)
{
	while (ipc_used_slots(g) < g->nslots)
		assert_true(cap_alloc(g, g->vmspace, CAP_RIGHT_READ) >= 0);
}

/* Moving caps needs the receiver's table to grow, and memory is out. */
static void test_caps_without_memory_roll_back(void **state)
{
	struct ipc_world w;
	struct ipc_link *ln;
	struct pmo *p[2], *q[2];
	cap_t src[2], back[2], *slots;
	struct call_snap s;
	u32 nslots;
	u64 msg;

	(void)state;
	ipc_world_init(&w);
	ln = ipc_new_connected(&w);
	new_pmos(ln->cl->g, p, src, 2, CAP_RIGHT_ALL);
	new_pmos(w.sg, q, back, 2, CAP_RIGHT_ALL);
	msg = ipc_put_msg(ln, 0, 0, 0, 16, 2);
	slots = ipc_msg_caps(ln->cbuf, 0);
	memcpy(slots, src, sizeof(src));
	fill_to_capacity(w.sg);
	nslots = w.sg->nslots;
	call_snap(&w, ln, &s);

	ipc_take_all_memory(0);
	assert_int_equal(ipc_ret(ipc_call(ln->cap, msg, 2, 0)), -ENOMEM);
	ipc_give_all_memory();
	call_unchanged(&w, ln, ln->cl->t, &s);
	assert_int_equal(w.sg->nslots, nslots);
	assert_memory_equal(slots, src, sizeof(src));
	assert_int_equal(p[0]->obj.refcount, 2);

	ipc_call_in(&w, ln, msg, 2, 0);
	assert_true(w.sg->nslots > nslots);
	/* The answer's caps need the client's table to grow. */
	memcpy(ipc_msg_caps(ln->sbuf, 0), back, sizeof(back));
	fill_to_capacity(ln->cl->g);
	nslots = ln->cl->g->nslots;
	ipc_take_all_memory(0);
	assert_int_equal(ipc_ret(ipc_return(1, 2)), -ENOMEM);
	ipc_give_all_memory();
	assert_int_equal(ln->cl->g->nslots, nslots);
	assert_int_equal(q[0]->obj.refcount, 2);
	assert_true(ln->conn->busy);
	assert_ptr_equal(current, w.h);
	assert_ptr_equal(ipc_switch(ipc_return(1, 2)), ln->cl->t);
	assert_int_equal(q[1]->obj.refcount, 3);
	ipc_world_fini(&w);
	put_pmos(p, 2);
	put_pmos(q, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		kenv_test(test_call_and_return_empty),
		kenv_test(test_call_translates_message_address),
		kenv_test(test_call_message_bounds),
		kenv_test(test_call_bad_arguments),
		kenv_test(test_call_busy_connection_waits),
		kenv_test(test_call_busy_handler_waits),
		kenv_test(test_return_refusals),
		kenv_test(test_call_moves_caps),
		kenv_test(test_call_moves_16_caps_not_17),
		kenv_test(test_call_cap_rollback),
		kenv_test(test_call_caps_into_full_table_roll_back),
		kenv_test(test_return_moves_caps),
		kenv_test(test_return_cap_rollback),
		kenv_test(test_return_rechecks_the_header),
		kenv_test(test_call_cycle_is_edeadlk),
		kenv_test(test_call_uses_the_checked_copy),
		kenv_test(test_caps_without_memory_roll_back),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
