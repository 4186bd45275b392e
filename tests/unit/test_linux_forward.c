/*
 * kernel/syscall/linux/forward.c over the IPC fixture: a forwarded
 * console write runs in rounds of one 2048-byte chunk each, every round
 * a kernel-made call and a restart, and a server that dies or takes less
 * ends it with what Linux's tty would return. User buffers are host
 * memory (below USER_TOP on the host, see test_uaccess.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "ipc_env.h"
#include <ipc/kcall.h>
#include <syscall/linux/forward.h>
#include <uapi/ferry/proto/console.h>

#define SYS_PC 0x400102ul

static char buf[5000];

/*
 * A server and a client process connected to it, whose console is that
 * connection (*ln); its thread c (returned) is in write().
 */
static struct thread *setup(struct ipc_world *w, struct ipc_link **ln_out)
{
	struct ipc_link *ln;
	struct thread *c;
	struct arch_regs *r;

	c = ipc_world_connected(w, &ln);
	*ln_out = ln;
	r = thread_regs(c);
	obj_get(ln->conn);
	ln->cl->g->lx.console = ln->conn;
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (char)('a' + i % 26);
	r->rip = SYS_PC;
	r->rax = 1;
	r->rdi = 1;
	r->rsi = (u64)buf;
	r->rdx = sizeof(buf);
	return c;
}

/*
 * One round of write(1, buf, 5000) as the thread c: either the final
 * result (returned), or a call, whose request is checked and which the
 * handler answers with `answer` (or dies if die is set).
 */
static long round_trip(struct ipc_world *w, struct thread *c, u64 want_len,
		       long answer)
{
	struct iovec_user v = {(u64)buf, sizeof(buf)};
	struct console_req q;
	struct fwd_round rd;
	char data[CONSOLE_CHUNK];
	long ret = fwd_write(&v, 1, sizeof(buf), &rd);
	u64 off;

	if (!rd.call)
		return ret;
	off = rd.progress;
	assert_int_equal(pmo_read(c->ipc.kcall.conn->shm, 0, &q, sizeof(q)), 0);
	assert_int_equal(q.op, CONSOLE_WRITE);
	assert_int_equal(q.len, want_len);
	assert_int_equal(q.pid, c->group->pid);
	assert_int_equal(q.hdr.data_offset, 16);
	assert_int_equal(q.hdr.data_len, 16 + want_len);
	assert_int_equal(pmo_read(c->ipc.kcall.conn->shm, CONSOLE_DATA_OFF,
				  data, want_len),
			 0);
	assert_memory_equal(data, buf + off, want_len);
	assert_ptr_equal(ipc_switch((fwd_call(&rd), 0L)), w->h);
	assert_ptr_equal(ipc_switch(ipc_return((u64)answer, 0)), c);
	thread_regs(c)->rip += 2; /* it runs the syscall again */
	return -1000;
}

static void test_write_in_chunks(void **state)
{
	struct ipc_world w;
	struct ipc_link *ln;
	struct thread *c;

	(void)state;
	c = setup(&w, &ln);
	assert_int_equal(round_trip(&w, c, 2048, 2048), -1000);
	assert_int_equal(round_trip(&w, c, 2048, 2048), -1000);
	assert_true(ln->conn->busy); /* ours between the rounds */
	assert_int_equal(round_trip(&w, c, 904, 904), -1000);
	assert_int_equal(round_trip(&w, c, 0, 0), 5000);
	assert_false(ln->conn->busy);
	assert_null(c->ipc.kcall.conn);
	/* The next write starts afresh. */
	assert_int_equal(round_trip(&w, c, 2048, 2048), -1000);
	kcall_release();
	c->ipc.kcall.state = KCALL_NONE;
	fwd_proc_exit(c->group);
	ipc_world_fini(&w);
}

static void test_short_take(void **state)
{
	struct ipc_world w;
	struct ipc_link *ln;
	struct thread *c;

	(void)state;
	c = setup(&w, &ln);
	assert_int_equal(round_trip(&w, c, 2048, 2048), -1000);
	assert_int_equal(round_trip(&w, c, 2048, 10), -1000);
	/* The server took 10 of the second chunk: the write stops there. */
	assert_int_equal(round_trip(&w, c, 0, 0), 2058);
	assert_false(ln->conn->busy);
	fwd_proc_exit(c->group);
	ipc_world_fini(&w);
}

/* A server answering an error in the first round: the write gives it. */
static void test_error_first(void **state)
{
	struct ipc_world w;
	struct ipc_link *ln;
	struct thread *c;

	(void)state;
	c = setup(&w, &ln);
	assert_int_equal(round_trip(&w, c, 2048, -EINVAL), -1000);
	assert_int_equal(round_trip(&w, c, 0, 0), -EINVAL);
	assert_false(ln->conn->busy);
	fwd_proc_exit(c->group);
	ipc_world_fini(&w);
}

/* The server dies in the second round: the first chunk counts. */
static void test_death_in_second_round(void **state)
{
	struct ipc_world w;
	struct ipc_link *ln;
	struct thread *c;
	struct iovec_user v = {(u64)buf, sizeof(buf)};
	struct fwd_round rd;

	(void)state;
	c = setup(&w, &ln);
	assert_int_equal(round_trip(&w, c, 2048, 2048), -1000);
	assert_int_equal(fwd_write(&v, 1, sizeof(buf), &rd), 0);
	assert_true(rd.call);
	assert_ptr_equal(ipc_switch((fwd_call(&rd), 0L)), w.h);
	current = w.idle;
	cap_group_exit(w.sg, 0);
	assert_ptr_equal(ipc_thread_exit(w.h), c);
	thread_regs(c)->rip += 2;
	assert_int_equal(fwd_write(&v, 1, sizeof(buf), &rd), 2048);
	assert_false(rd.call);
	/* And from then on -EIO at once, with nothing held. */
	assert_int_equal(fwd_write(&v, 1, sizeof(buf), &rd), -EIO);
	assert_false(rd.call);
	assert_null(c->ipc.kcall.conn);
	fwd_proc_exit(c->group);
	ipc_world_fini(&w);
}

/*
 * Between two rounds another client's call takes the handler: the next
 * round waits on its queue (the write returns its own number, for the
 * rewound `syscall`), is granted, and goes on from the same chunk.
 */
static void test_waits_between_rounds(void **state)
{
	struct ipc_world w;
	struct ipc_link *ln, *ln2;
	struct thread *c, *u;
	struct iovec_user v = {(u64)buf, sizeof(buf)};
	struct fwd_round rd;

	(void)state;
	c = setup(&w, &ln);
	assert_int_equal(round_trip(&w, c, 2048, 2048), -1000);
	c->state = TS_INACTIVE;
	ln2 = ipc_new_connected(&w);
	u = current;
	ipc_call_in(&w, ln2, 0, 0, 0);
	ipc_run_as(c);
	assert_int_equal(fwd_write(&v, 1, sizeof(buf), &rd), 1); /* write */
	assert_true(rd.call);
	assert_true(rd.wait);
	(void)ipc_switch((fwd_call(&rd), 0L));
	assert_int_equal(c->state, TS_BLOCKED);
	assert_true(ln->conn->busy); /* still reserved for c */
	ipc_run_as(w.h);
	ipc_return_to(&w, u, 0);
	ipc_assert_granted(w.h, c, SYS_PC);
	u->state = TS_INACTIVE;
	ipc_run_as(c);
	thread_regs(c)->rip += 2;
	assert_int_equal(round_trip(&w, c, 2048, 2048), -1000);
	assert_int_equal(round_trip(&w, c, 904, 904), -1000);
	assert_int_equal(round_trip(&w, c, 0, 0), 5000);
	assert_false(ln->conn->busy);
	fwd_proc_exit(c->group);
	ipc_world_fini(&w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		kenv_test(test_write_in_chunks),
		kenv_test(test_short_take),
		kenv_test(test_error_first),
		kenv_test(test_death_in_second_round),
		kenv_test(test_waits_between_rounds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
