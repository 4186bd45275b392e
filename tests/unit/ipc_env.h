/*
 * The fixture of the IPC tests (test_ipc_*.c): a server process with a
 * service thread, a passive register callback and a passive handler, and
 * clients that connect to it through the real registration protocol.
 *
 * On the host a thread switch longjmps back to the test (host.c), which
 * then plays the thread that now runs: the kernel path that switched is
 * abandoned, as IPC migration abandons it on the machine. ipc_switch()
 * and ipc_ret() wrap a kernel entry that must, or must not, switch.
 *
 * Every resource the fixture makes is released by ipc_world_fini(), so a
 * case run by kenv_run() also proves the IPC paths it drove leak nothing.
 *
 * Tests include cmocka (and what it needs) before this header.
 */
#ifndef TESTS_UNIT_IPC_ENV_H
#define TESTS_UNIT_IPC_ENV_H

#include "kernel_env.h"
#include <arch/arch.h>
#include <ipc/ipc_internal.h>
#include <object/cap_group.h>
#include <object/pmo.h>
#include <object/sched_context.h>
#include <object/thread.h>
#include <sched/sched.h>
#include <syscall/native.h>
#include <uapi/ferry/errno.h>
#include <uapi/ferry/ipc.h>

/* User addresses the server declares; only recorded, never run. */
#define SRV_ROUTINE 0x401000ul
#define SRV_DESTRUCTOR 0x402000ul
#define CB_ENTRY 0x403000ul
#define CB_STACK 0x7f0000100000ul
#define H_ENTRY 0x404000ul
#define H_STACK 0x7f0000200000ul
#define H_EXIT 0x405000ul

#define SHM_SIZE (2 * PAGE_SIZE)
/* Rights register_client asks of the shm cap. */
#define SHM_RIGHTS                                                             \
	(CAP_RIGHT_READ | CAP_RIGHT_WRITE | CAP_RIGHT_MAP | CAP_RIGHT_GRANT)

#define IPC_ENV_MAX 8

struct ipc_client {
	struct cap_group *g;
	struct thread *t;
	int srv_cap; /* CALL on the service thread */
};

/* One connection, as the tests see it. */
struct ipc_link {
	struct ipc_client *cl;
	struct pmo *shm; /* the fixture's reference */
	int shm_cap;	 /* in the client */
	u8 *cbuf, *sbuf; /* host memory at the client's and server's address */
	int cap;	 /* the client's connection cap, once connected */
	struct connection *conn; /* no reference of its own */
};

struct ipc_world {
	struct thread *idle;
	struct cap_group *sg;
	struct thread *srv, *cb, *h; /* S1, S2, S3 of connection.h */
	int cb_cap, h_cap;	     /* in sg, CONTROL */
	struct ipc_client cl[IPC_ENV_MAX];
	int ncl;
	struct ipc_link ln[IPC_ENV_MAX];
	int nln;
	/* Everything made, released by ipc_world_fini(). */
	struct cap_group *groups[IPC_ENV_MAX];
	int ngroups;
	struct thread *threads[4 * IPC_ENV_MAX];
	int nthreads;
	size_t conns_before; /* live connections at init */
};

void ipc_disarm(void);

/*
 * A call and a return enter through their syscalls, which copy the
 * arguments in (sys_ipc.c); the tests pass host addresses as user ones.
 */
static inline long ipc_call(int cap, u64 msg, u64 ncaps, u64 timeout_us)
{
	return sys_ipc_call((u64)(s64)cap, msg, ncaps, timeout_us);
}

static inline long ipc_return(u64 ret, u64 ncaps)
{
	return sys_ipc_return(ret, ncaps, NULL);
}

/*
 * Evaluates expr (a kernel entry returning long, or `(f(), 0L)`), which
 * must switch threads: yields the thread the CPU went to. A return or a
 * kernel halt fails the case.
 */
#define ipc_switch(expr)                                                       \
	({                                                                     \
		jmp_buf sj_, hj_;                                              \
		host_console_reset();                                          \
		host_switched_to = NULL;                                       \
		host_switch_jmp = &sj_;                                        \
		host_halt_jmp = &hj_;                                          \
		if (setjmp(hj_)) {                                             \
			ipc_disarm();                                          \
			fail_msg("%s halted the kernel: %s", #expr,            \
				 host_console);                                \
		}                                                              \
		if (setjmp(sj_) == 0) {                                        \
			long r_ = (long)(expr);                                \
			ipc_disarm();                                          \
			fail_msg("%s returned %ld instead of switching",       \
				 #expr, r_);                                   \
		}                                                              \
		ipc_disarm();                                                  \
		host_switched_to;                                              \
	})

/* Evaluates expr, which must return (no switch, no halt): its value. */
#define ipc_ret(expr)                                                          \
	({                                                                     \
		jmp_buf sj_, hj_;                                              \
		volatile long r_;                                              \
		host_console_reset();                                          \
		host_switch_jmp = &sj_;                                        \
		host_halt_jmp = &hj_;                                          \
		if (setjmp(hj_)) {                                             \
			ipc_disarm();                                          \
			fail_msg("%s halted the kernel: %s", #expr,            \
				 host_console);                                \
		}                                                              \
		if (setjmp(sj_)) {                                             \
			ipc_disarm();                                          \
			fail_msg("%s switched to a thread", #expr);            \
		}                                                              \
		r_ = (long)(expr);                                             \
		ipc_disarm();                                                  \
		r_;                                                            \
	})

/*
 * Evaluates expr, which may return or switch: its value, or 0 with
 * *switched set. For paths that depend on what memory is left.
 */
#define ipc_try(expr, switched)                                                \
	({                                                                     \
		jmp_buf sj_;                                                   \
		volatile long r_ = 0;                                          \
		*(switched) = false;                                           \
		host_switch_jmp = &sj_;                                        \
		if (setjmp(sj_)) {                                             \
			ipc_disarm();                                          \
			*(switched) = true;                                    \
		} else {                                                       \
			r_ = (long)(expr);                                     \
			ipc_disarm();                                          \
		}                                                              \
		r_;                                                            \
	})

/*
 * A server process whose service thread has registered (current is idle
 * afterwards), and no client yet.
 */
void ipc_world_init(struct ipc_world *w);
/* Kills every process, drops every reference, frees the host memory. */
void ipc_world_fini(struct ipc_world *w);

struct cap_group *ipc_new_group(struct ipc_world *w, const char *name);
/*
 * A thread of g. An active one is taken off the run queue and left
 * TS_INACTIVE: the tests say when it runs (ipc_run_as).
 */
struct thread *ipc_new_thread(struct ipc_world *w, struct cap_group *g,
			      u32 flags, u64 pc, u64 sp);
/* A client thread, in a new process when g is NULL, with a server cap. */
struct ipc_client *ipc_new_client(struct ipc_world *w, struct cap_group *g);
/* A shm PMO, its cap in the client and both host views; not connected. */
struct ipc_link *ipc_new_link(struct ipc_world *w, struct ipc_client *cl);

/* t becomes the running thread (off the run queue if it was queued). */
void ipc_run_as(struct thread *t);

/* The link's client asks to connect: the CPU goes to the callback. */
void ipc_register_begin(struct ipc_world *w, struct ipc_link *ln);
/* The callback serves it with w->h: the CPU goes back to the client. */
void ipc_register_end(struct ipc_world *w, struct ipc_link *ln);
/* Both, checked: ln->cap and ln->conn are set, current is the client. */
void ipc_connect(struct ipc_world *w, struct ipc_link *ln);
/* A second passive handler of the server; its CONTROL cap in *cap. */
struct thread *ipc_new_handler(struct ipc_world *w, int *cap);
/* ipc_connect, with the callback serving ln with h (cap h_cap) instead. */
void ipc_connect_with(struct ipc_world *w, struct ipc_link *ln,
		      struct thread *h, int h_cap);
/* A new client process connected once: its link. */
struct ipc_link *ipc_new_connected(struct ipc_world *w);
/*
 * ipc_world_init, then one client process connected (*ln): the client's
 * thread, current.
 */
struct thread *ipc_world_connected(struct ipc_world *w, struct ipc_link **ln);

/* current calls over ln (cap ln->cap): the CPU goes to the handler. */
void ipc_call_in(struct ipc_world *w, struct ipc_link *ln, u64 msg, u64 ncaps,
		 u64 timeout_us);
/*
 * current calls over ln and finds the handler busy: it must block on the
 * handler's queue (wait.c); yields the thread the CPU went to.
 */
struct thread *ipc_wait_in(struct ipc_world *w, struct ipc_link *ln, u64 msg,
			   u64 ncaps, u64 timeout_us);
/*
 * t was granted the handler h: ready, off the queue, to resume from its
 * user frame at its `syscall` again (rip 2 back from where it entered,
 * entry_rip); then it runs and issues the call again, which must enter h.
 */
void ipc_assert_granted(struct thread *h, struct thread *t, u64 entry_rip);
void ipc_reissue(struct ipc_world *w, struct ipc_link *ln, struct thread *t,
		 u64 timeout_us);

/*
 * The handler (current) returns ret with a waiter of higher priority
 * than `caller` queued: the handler is granted to it and it runs first;
 * the caller, its answer set, is ready.
 */
void ipc_return_to_grantee(struct ipc_world *w, struct thread *caller,
			   struct thread *grantee, long ret);

/* The handler (current) returns ret: the CPU goes back to `caller`. */
void ipc_return_to(struct ipc_world *w, struct thread *caller, long ret);

/* Lets t end in its own context (thread_exit); the next thread reaps it. */
struct thread *ipc_thread_exit(struct thread *t);

/*
 * Writes a message header at off in both views of the shm (it is shared
 * memory on the machine); returns its address in the client's view.
 */
u64 ipc_put_msg(struct ipc_link *ln, size_t off, u32 data_offset, u32 data_len,
		u32 cap_offset, u32 cap_slots);
/* The message's cap slots in one view. */
cap_t *ipc_msg_caps(u8 *view, size_t off);
/* Copies the server's view of the shm over the client's. */
void ipc_shm_to_client(struct ipc_link *ln);
/*
 * Copies len bytes at off of the shm PMO into both views: the kernel
 * writes moved caps' slot numbers through the PMO, which on the machine
 * is what both views map.
 */
void ipc_pmo_to_views(struct ipc_link *ln, size_t off, size_t len);

/*
 * Leaves the kernel heap `frames` free frames and nothing else: every
 * frame taken and every partly used slab page filled, so each new
 * allocation needs a frame. ipc_give_all_memory() undoes it.
 */
void ipc_take_all_memory(size_t frames);
void ipc_give_all_memory(void);

/* Slots in use in a cap table. */
u32 ipc_used_slots(struct cap_group *g);
/* Fills g's table to CAP_TABLE_MAX - leave with caps to its vmspace. */
void ipc_fill_table(struct cap_group *g, u32 leave);

/* Connections alive now that were not before ipc_world_init. */
size_t ipc_live_conns(struct ipc_world *w);

/* Whether va lies in a region of g's address space. */
bool ipc_mapped(struct cap_group *g, u64 va);

#endif
