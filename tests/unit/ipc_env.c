/*
 * The IPC fixture (ipc_env.h). Its helpers check the protocol as they
 * drive it, so a case that only needs a connection still proves the
 * registration went as connection.h says.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ipc_env.h"
#include <mm/kmalloc.h>
#include <mm/vmspace.h>

/*
 * The threads of the world in use, so that a case that failed half way
 * (and left its world behind) does not leave them on the run queue or
 * the deadline list of the next case.
 */
static struct thread *idle;
static struct thread *live[4 * IPC_ENV_MAX];
static int nlive;

static void forget_failed_world(void)
{
	for (int i = 0; i < nlive; i++) {
		if (live[i]->state == TS_READY)
			sched_dequeue(live[i]);
		ipc_clear_deadline(live[i]);
	}
	nlive = 0;
	if (idle)
		current = idle;
}

void ipc_disarm(void)
{
	host_switch_jmp = NULL;
	host_halt_jmp = NULL;
}

struct cap_group *ipc_new_group(struct ipc_world *w, const char *name)
{
	struct cap_group *g = NULL;

	assert_true(w->ngroups < IPC_ENV_MAX);
	assert_int_equal(cap_group_create(name, &g), 0);
	g->native = true; /* IPC is a native call: the loader's note */
	w->groups[w->ngroups++] = g;
	return g;
}

struct thread *ipc_new_thread(struct ipc_world *w, struct cap_group *g,
			      u32 flags, u64 pc, u64 sp)
{
	struct thread *t = NULL;

	assert_true(w->nthreads <
		    (int)(sizeof(w->threads) / sizeof(w->threads[0])));
	assert_int_equal(thread_create(g, pc, sp, 0, flags, PRIO_DEFAULT, &t),
			 0);
	w->threads[w->nthreads++] = t;
	live[nlive++] = t;
	if (t->state == TS_READY) {
		sched_dequeue(t);
		t->state = TS_INACTIVE;
	}
	return t;
}

void ipc_run_as(struct thread *t)
{
	if (t->state == TS_READY)
		sched_dequeue(t);
	t->state = TS_RUNNING;
	current = t;
}

void ipc_world_init(struct ipc_world *w)
{
	memset(w, 0, sizeof(*w));
	ipc_disarm();
	forget_failed_world();
	/* Cases start on the idle thread (kenv_boot's sched_init). */
	assert_null(current->group);
	idle = w->idle = current;
	w->conns_before = obj_live_count(OBJ_TYPE_CONNECTION);
	w->sg = ipc_new_group(w, "server");
	w->srv = ipc_new_thread(w, w->sg, 0, 0x400000, 0x7f0000000000);
	w->cb = ipc_new_thread(w, w->sg, THREAD_PASSIVE, CB_ENTRY, CB_STACK);
	w->h = ipc_new_thread(w, w->sg, THREAD_PASSIVE, H_ENTRY, H_STACK);
	w->cb_cap = cap_alloc(w->sg, w->cb, CAP_RIGHT_CONTROL);
	w->h_cap = cap_alloc(w->sg, w->h, CAP_RIGHT_CONTROL);
	assert_true(w->cb_cap >= 0 && w->h_cap >= 0);

	ipc_run_as(w->srv);
	assert_int_equal(ipc_ret(ipc_register_server(SRV_ROUTINE, w->cb_cap,
						     SRV_DESTRUCTOR)),
			 0);
	/* The service thread goes about its business off the CPU. */
	w->srv->state = TS_INACTIVE;
	current = w->idle;
}

/*
 * Ends a process from outside: cap_group_exit retires the threads that
 * cannot run; the killed ones would die at their next return to user
 * space, which the host never reaches, so they are retired here.
 */
static void kill_group(struct cap_group *g)
{
	if (!g->exiting)
		cap_group_exit(g, 0);
	while (!list_empty(&g->threads)) {
		struct thread *t =
			list_first(&g->threads, struct thread, group_node);

		if (t->state == TS_READY)
			sched_dequeue(t);
		t->state = TS_INACTIVE;
		thread_retire_inactive(t);
	}
	if (!g->dead)
		cap_group_teardown(g);
}

void ipc_world_fini(struct ipc_world *w)
{
	ipc_disarm();
	current = w->idle;
	/*
	 * Any order: killing a server may wake a client of a later group,
	 * or a client's end queue an exit run on a later server's handler;
	 * kill_group takes such threads off the run queue itself.
	 */
	for (int i = 0; i < w->ngroups; i++)
		kill_group(w->groups[i]);
	for (int i = 0; i < w->nthreads; i++) {
		struct thread *t = w->threads[i];

		assert_int_equal(t->state, TS_DEAD);
		assert_true(list_empty(&t->ipc.timed_node));
		obj_put(t);
	}
	for (int i = 0; i < w->nln; i++) {
		obj_put(w->ln[i].shm);
		free(w->ln[i].cbuf);
		free(w->ln[i].sbuf);
	}
	for (int i = 0; i < w->ngroups; i++)
		obj_put(w->groups[i]);
	assert_ptr_equal(current, w->idle);
	memset(w, 0, sizeof(*w));
	nlive = 0;
}

struct ipc_client *ipc_new_client(struct ipc_world *w, struct cap_group *g)
{
	struct ipc_client *cl;

	assert_true(w->ncl < IPC_ENV_MAX);
	cl = &w->cl[w->ncl++];
	cl->g = g ? g : ipc_new_group(w, "client");
	cl->t = ipc_new_thread(w, cl->g, 0, 0x500000, 0x7e0000000000);
	cl->srv_cap = cap_alloc(cl->g, w->srv, CAP_RIGHT_CALL);
	assert_true(cl->srv_cap >= 0);
	return cl;
}

struct ipc_link *ipc_new_link(struct ipc_world *w, struct ipc_client *cl)
{
	struct ipc_link *ln;

	assert_true(w->nln < IPC_ENV_MAX);
	ln = &w->ln[w->nln++];
	ln->cl = cl;
	ln->cap = -1;
	assert_int_equal(
		pmo_create(SHM_SIZE, PMO_ANONYMOUS, cl->g->budget, &ln->shm),
		0);
	/*
	 * Registration commits the shm's frames (a client's library writes
	 * it anyway): done here, registrations change only what is theirs.
	 */
	assert_int_equal(pmo_commit(ln->shm), 0);
	ln->shm_cap = cap_alloc(cl->g, ln->shm, SHM_RIGHTS);
	assert_true(ln->shm_cap >= 0);
	/* The kernel maps the shm at these addresses and copies there. */
	ln->cbuf = aligned_alloc(PAGE_SIZE, SHM_SIZE);
	ln->sbuf = aligned_alloc(PAGE_SIZE, SHM_SIZE);
	assert_non_null(ln->cbuf);
	assert_non_null(ln->sbuf);
	memset(ln->cbuf, 0, SHM_SIZE);
	memset(ln->sbuf, 0, SHM_SIZE);
	return ln;
}

void ipc_register_begin(struct ipc_world *w, struct ipc_link *ln)
{
	struct thread *t;

	ipc_run_as(ln->cl->t);
	t = ipc_switch(ipc_register_client(ln->cl->srv_cap, (u64)ln->shm_cap,
					   (u64)ln->cbuf));
	assert_ptr_equal(t, w->cb);
	assert_true(host_switched_to_user);
	assert_ptr_equal(current, w->cb);
	assert_non_null(w->cb->ipc.passive->conn);
	ln->conn = w->cb->ipc.passive->conn;
}

void ipc_register_end(struct ipc_world *w, struct ipc_link *ln)
{
	struct thread *t;

	assert_ptr_equal(current, w->cb);
	t = ipc_switch(ipc_register_cb_return(w->h_cap, H_EXIT, (u64)ln->sbuf));
	assert_ptr_equal(t, ln->cl->t);
	assert_true(host_switched_to_user);
	assert_ptr_equal(current, ln->cl->t);
	ln->cap = (int)thread_regs(t)->rax;
}

void ipc_connect_with(struct ipc_world *w, struct ipc_link *ln,
		      struct thread *h, int h_cap)
{
	ipc_register_begin(w, ln);
	assert_ptr_equal(ipc_switch(ipc_register_cb_return(h_cap, H_EXIT,
							   (u64)ln->sbuf)),
			 ln->cl->t);
	ln->cap = (int)thread_regs(ln->cl->t)->rax;
	assert_ptr_equal(ln->conn->handler, h);
	assert_int_equal(ln->conn->state, CONN_VALID);
}

struct thread *ipc_new_handler(struct ipc_world *w, int *cap)
{
	struct thread *h =
		ipc_new_thread(w, w->sg, THREAD_PASSIVE, H_ENTRY, H_STACK);

	*cap = cap_alloc(w->sg, h, CAP_RIGHT_CONTROL);
	assert_true(*cap >= 0);
	return h;
}

void ipc_connect(struct ipc_world *w, struct ipc_link *ln)
{
	ipc_register_begin(w, ln);
	ipc_register_end(w, ln);
	assert_int_equal(ln->cap, ln->conn->client_cap);
	assert_int_equal(ln->conn->state, CONN_VALID);
	assert_ptr_equal(ln->conn->handler, w->h);
}

struct ipc_link *ipc_new_connected(struct ipc_world *w)
{
	struct ipc_link *ln = ipc_new_link(w, ipc_new_client(w, NULL));

	ipc_connect(w, ln);
	return ln;
}

struct thread *ipc_world_connected(struct ipc_world *w, struct ipc_link **ln)
{
	ipc_world_init(w);
	*ln = ipc_new_connected(w);
	return (*ln)->cl->t;
}

void ipc_call_in(struct ipc_world *w, struct ipc_link *ln, u64 msg, u64 ncaps,
		 u64 timeout_us)
{
	struct thread *caller = current, *t;

	t = ipc_switch(ipc_call(ln->cap, msg, ncaps, timeout_us));
	assert_ptr_equal(t, w->h);
	assert_true(host_switched_to_user);
	assert_ptr_equal(current, w->h);
	assert_int_equal(caller->state, TS_IPC_WAIT);
	assert_ptr_equal(w->h->ipc.passive->caller, caller);
}

struct thread *ipc_wait_in(struct ipc_world *w, struct ipc_link *ln, u64 msg,
			   u64 ncaps, u64 timeout_us)
{
	struct thread *t = current, *next, *q;
	bool queued = false;

	next = ipc_switch(ipc_call(ln->cap, msg, ncaps, timeout_us));
	assert_false(host_switched_to_user);
	assert_ptr_equal(current, next);
	assert_int_equal(t->state, TS_BLOCKED);
	assert_ptr_equal(t->ipc.waits_on, ln->conn->handler);
	assert_null(t->ipc.callee);
	list_for_each(q, &ln->conn->handler->ipc.passive->waiters.threads,
		      sched_node) queued |= q == t;
	assert_true(queued);
	(void)w;
	return next;
}

void ipc_assert_granted(struct thread *h, struct thread *t, u64 entry_rip)
{
	struct ipc_passive *p = h->ipc.passive;
	struct thread *q;

	assert_true(t->state == TS_READY || t == current);
	assert_int_equal(t->arch.ksp, 0); /* from its user frame */
	assert_int_equal(thread_regs(t)->rip, entry_rip - 2);
	assert_ptr_equal(p->granted, t);
	assert_true(p->busy);
	assert_null(p->conn);
	assert_ptr_equal(t->ipc.waits_on, h);
	list_for_each(q, &p->waiters.threads, sched_node)
		assert_ptr_not_equal(q, t);
}

void ipc_reissue(struct ipc_world *w, struct ipc_link *ln, struct thread *t,
		 u64 timeout_us)
{
	struct arch_regs *r = thread_regs(t);

	ipc_run_as(t);
	r->rip += 2; /* the `syscall` again */
	ipc_call_in(w, ln, 0, 0, timeout_us);
	assert_null(w->h->ipc.passive->granted);
	assert_null(t->ipc.waits_on);
}

void ipc_return_to_grantee(struct ipc_world *w, struct thread *caller,
			   struct thread *grantee, long ret)
{
	assert_ptr_equal(current, w->h);
	assert_ptr_equal(ipc_switch(ipc_return((u64)ret, 0)), grantee);
	assert_false(host_switched_to_user);
	assert_ptr_equal(current, grantee);
	assert_int_equal(caller->state, TS_READY);
	assert_int_equal(caller->arch.ksp, 0);
	assert_null(caller->ipc.callee);
	assert_int_equal((long)thread_regs(caller)->rax, ret);
	/* The tests say when it runs. */
	sched_dequeue(caller);
	caller->state = TS_INACTIVE;
}

void ipc_return_to(struct ipc_world *w, struct thread *caller, long ret)
{
	struct thread *t;

	assert_ptr_equal(current, w->h);
	t = ipc_switch(ipc_return((u64)ret, 0));
	assert_ptr_equal(t, caller);
	assert_true(host_switched_to_user);
	assert_ptr_equal(current, caller);
	assert_int_equal((long)thread_regs(caller)->rax, ret);
}

struct thread *ipc_thread_exit(struct thread *t)
{
	struct thread *next;

	ipc_run_as(t);
	next = ipc_switch((thread_exit(), 0L));
	assert_false(host_switched_to_user);
	assert_ptr_equal(current, next);
	/* What the next thread does right after the switch. */
	sched_after_switch();
	return next;
}

u64 ipc_put_msg(struct ipc_link *ln, size_t off, u32 data_offset, u32 data_len,
		u32 cap_offset, u32 cap_slots)
{
	struct ipc_msg m = {
		.data_len = data_len,
		.data_offset = data_offset,
		.cap_offset = cap_offset,
		.cap_slots = cap_slots,
	};

	assert_true(off + sizeof(m) <= SHM_SIZE);
	memcpy(ln->cbuf + off, &m, sizeof(m));
	memcpy(ln->sbuf + off, &m, sizeof(m));
	return (u64)(ln->cbuf + off);
}

cap_t *ipc_msg_caps(u8 *view, size_t off)
{
	struct ipc_msg m;

	memcpy(&m, view + off, sizeof(m));
	return (cap_t *)(view + off + m.cap_offset);
}

void ipc_shm_to_client(struct ipc_link *ln)
{
	memcpy(ln->cbuf, ln->sbuf, SHM_SIZE);
}

void ipc_pmo_to_views(struct ipc_link *ln, size_t off, size_t len)
{
	assert_true(off <= SHM_SIZE && len <= SHM_SIZE - off);
	assert_int_equal(pmo_read(ln->shm, off, ln->cbuf + off, len), 0);
	memcpy(ln->sbuf + off, ln->cbuf + off, len);
}

u32 ipc_used_slots(struct cap_group *g)
{
	u32 n = 0;

	for (u32 i = 0; i < g->nslots; i++)
		n += g->slots[i].obj != NULL;
	return n;
}

void ipc_fill_table(struct cap_group *g, u32 leave)
{
	while (ipc_used_slots(g) < CAP_TABLE_MAX - leave)
		assert_true(cap_alloc(g, g->vmspace, CAP_RIGHT_READ) >= 0);
}

bool ipc_mapped(struct cap_group *g, u64 va)
{
	bool found;

	lock(&g->vmspace->lock);
	found = vmspace_find_locked(g->vmspace, va) != NULL;
	unlock(&g->vmspace->lock);
	return found;
}

size_t ipc_live_conns(struct ipc_world *w)
{
	return obj_live_count(OBJ_TYPE_CONNECTION) - w->conns_before;
}

/* Slab slots taken by ipc_take_all_memory, linked through themselves. */
static void *drained;

void ipc_take_all_memory(size_t frames)
{
	kenv_take_all_frames();
	for (size_t size = 16; size <= 2048; size <<= 1) {
		void *p;

		while ((p = kmalloc(size))) {
			*(void **)p = drained;
			drained = p;
		}
	}
	kenv_give_frames(frames);
}

void ipc_give_all_memory(void)
{
	kenv_give_all_frames();
	while (drained) {
		void *p = drained;

		drained = *(void **)p;
		kfree(p);
	}
}
