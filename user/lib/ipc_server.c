/*
 * The server side of libferry's IPC, after ChCore's library. A server is
 * a thread that called ipc_serve; its passive register-callback thread
 * makes a passive handler thread, with a stack of its own, for every
 * client connection, so a handler that blocks (sleeps, waits for a
 * child, calls another server) stalls only its own client. When the
 * connection closes, the kernel runs the exit routine on that handler,
 * on the handler's own scheduling context: the user's destructor, then
 * the handler gives back the shm and its caps, and either goes idle in
 * the server's pool (up to IPC_SERVE_POOL handlers, whose threads and
 * stacks the next connections reuse) or, the pool full, frees its stack
 * and itself (thread_exit). A process may run several servers, each with its
 * own routine, destructor and limit of connections. IPC_SERVE_SHARED keeps the
 * older form, one handler for all connections (the kernel supports both; the
 * ipc_* system tests use it to reach the shared-handler rules).
 *
 * Memory, each piece an anonymous mapping of its own, low to high:
 *   server   [guard][register-callback stack ... | struct ipc_server]
 *   handler  [guard][handler stack ............. | struct handler   ]
 *   shm      [guard][the connection's shm, which the kernel maps]
 * A passive thread starts every use at the stack pointer it was created
 * with, just below its record, so the entry stubs find the record at
 * 8(%rsp) with no lookup; the callback gets its server record as the
 * ipc_routine the kernel hands it.
 *
 * Passive threads run without TLS (FS base 0): this file makes raw
 * system calls, never libc wrappers that could touch errno.
 *
 * Concurrency: the kernel runs one registration per server at a time, so
 * a server's spare handler is the callback's alone, and the callback is
 * the pool's only taker; the count of connections and the pool's slots
 * are shared with the exit routines (any number, on any CPU), hence
 * atomic: a handler puts itself in an empty slot with a compare-exchange,
 * the callback empties a slot with an exchange.
 *
 * A pooled handler's stack still holds what its last client's calls left
 * there; the next client of the same server gets that stack. This is
 * the server's own memory, read only by the server's own code (the
 * client never sees the handler's stack), so it is no leak between
 * clients; a server that must not carry one client's data into another's
 * calls clears what it must in its destructor (it runs on that stack).
 */
#include <ferry/ipc.h>
#include <stdatomic.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#define GUARD 4096ul
#define CB_STACK 16384ul

#define STR(x) #x
#define XSTR(x) STR(x)

struct ipc_server;

/* A handler's record, at the top of its stack. */
struct handler {
	ipc_handler_fn fn; /* a plain handler: its thread's entry */
	struct ipc_server *srv;
	cap_t self;	 /* our thread cap */
	uintptr_t base;	 /* the mapping of stack and record */
	size_t len;	 /* with its guard */
	uintptr_t shm;	 /* per-connection handlers: the shm ... */
	size_t shm_size; /* ... and its size (the guard is below) */
};

/* A server's record, at the top of its callback's stack. */
struct ipc_server {
	ipc_handler_fn fn;
	ipc_shm_handler_fn shm_fn; /* or this, told the connection's shm */
	ipc_shm_destructor_fn shm_destructor; /* with shm_fn, may be NULL */
	ipc_caps_handler_fn caps_fn; /* or this, also told the caps' count */
	ipc_destructor_fn destructor;
	unsigned max_conns;
	size_t stack_size;	 /* each handler's, without the guard */
	unsigned flags;		 /* IPC_SERVE_* */
	_Atomic unsigned nconns; /* open or being set up */
	struct handler *shared;	 /* IPC_SERVE_SHARED: the one handler */
	struct handler *spare;	 /* made, but refused by the kernel */
	/* Idle handlers, served before: their stacks already touched. */
	_Atomic(struct handler *) pool[IPC_SERVE_POOL];
};

static long lx_mmap(size_t len, int prot)
{
	return fy_syscall6(SYS_mmap, 0, (long)len, prot,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
}

static long lx_munmap(uintptr_t addr, size_t len)
{
	return fy_syscall2(SYS_munmap, (long)addr, (long)len);
}

/* A mapping of guard + len bytes, the part above the guard writable. */
static long region_new(size_t len)
{
	long base = lx_mmap(GUARD + len, PROT_NONE);

	if (base < 0)
		return base;
	if (fy_syscall3(SYS_mprotect, base + (long)GUARD, (long)len,
			PROT_READ | PROT_WRITE) < 0) {
		lx_munmap((uintptr_t)base, GUARD + len);
		return -ENOMEM;
	}
	return base;
}

/* Where the record of a region of guard + len bytes goes: its top. */
static void *region_top(uintptr_t base, size_t len, size_t rec)
{
	return (void *)((base + GUARD + len - rec) & ~(uintptr_t)15);
}

/*
 * The entry stubs. rsp = record - 8 at every entry (fy_thread_create
 * hands over stack_top - 8, and the kernel restarts passive threads
 * there), which is 8 mod 16, as a C function expects.
 *
 * A call to a plain handler needs no stub: the thread's entry is the
 * routine itself, and the slot at record - 8, where a call would have
 * put a return address, holds ferry_handler_return's (handler_new puts
 * it there once; nothing writes it again: the handler's frames lie
 * below, and the exit routine's C function never returns). So h->fn(msg,
 * badge) runs as if called, and its `ret` goes to ipc_return(its value,
 * no caps) with rsp = record, 16-aligned again: two instructions fewer
 * per call than a stub's `sub` and indirect `call`.
 * An exit run: ferry_exit_main(the kernel's five arguments, the record).
 */
void ferry_handler_return(void);
void ferry_shm_handler_entry(void);
_Noreturn void ferry_shm_call(struct ipc_msg *msg, uint64_t badge,
			      struct handler *h, uint32_t ncaps);
void ferry_exit_entry(void);
_Noreturn void ferry_handler_refused(void);
_Noreturn void ferry_exit_main(ipc_destructor_fn destructor, uint64_t badge,
			       uintptr_t shm, cap_t conn_cap, cap_t shm_cap,
			       struct handler *h);
__asm__(".text\n"
	".p2align 4\n"
	".globl ferry_handler_return\n"
	".type ferry_handler_return, @function\n"
	"ferry_handler_return:\n\t"
	"mov %rax, %rdi\n\t"
	"xor %esi, %esi\n\t"
	"mov $" XSTR(SYS_ipc_return) ", %eax\n\t"
				     "syscall\n\t"
				     "call ferry_handler_refused\n"
				     ".size ferry_handler_return, . - "
				     "ferry_handler_return\n"
				     ".p2align 4\n"
				     ".globl ferry_exit_entry\n"
				     ".type ferry_exit_entry, @function\n"
				     "ferry_exit_entry:\n\t"
				     "lea 8(%rsp), %r9\n\t"
				     "jmp ferry_exit_main\n"
				     ".size ferry_exit_entry, . - "
				     "ferry_exit_entry\n");

/*
 * A shm handler's entry: the same, calling ferry_shm_call with the
 * record as a third argument and the kernel's count of capabilities
 * the call carried (its rdx) as the fourth; that one returns from the
 * call itself.
 */
__asm__(".text\n"
	".p2align 4\n"
	".globl ferry_shm_handler_entry\n"
	".type ferry_shm_handler_entry, @function\n"
	"ferry_shm_handler_entry:\n\t"
	"sub $8, %rsp\n\t"
	"mov %edx, %ecx\n\t"
	"lea 16(%rsp), %rdx\n\t"
	"call ferry_shm_call\n"
	".size ferry_shm_handler_entry, . - ferry_shm_handler_entry\n");

/*
 * A call to a shm handler: the shm's place and size are the ones this
 * handler gave the kernel for its connection, so a client's writes to
 * the message header cannot move them. A stub of its own keeps the
 * plain handlers' path as it was. Ends the call (ipc_return, no caps).
 */
_Noreturn void ferry_shm_call(struct ipc_msg *msg, uint64_t badge,
			      struct handler *h, uint32_t ncaps)
{
	long r = h->srv->caps_fn ? h->srv->caps_fn(msg, badge, ncaps,
						   (void *)h->shm, h->shm_size)
				 : h->srv->shm_fn(msg, badge, (void *)h->shm,
						  h->shm_size);

	fy_ipc_return(r, 0);
	ferry_handler_refused();
}

/* The return was refused (it cannot be, for 0 caps): end the call. */
_Noreturn void ferry_handler_refused(void)
{
	for (;;)
		fy_ipc_return(-EINVAL, 0);
}

/*
 * IPC_SERVE_PREFAULT: every page of a stack touched now, so a handler's
 * memory does not grow later with the depth of the calls it serves (a
 * long-lived server whose frame counts must stay put between its
 * clients: procmgr, fs, under init's leak check).
 */
static void prefault(uintptr_t start, size_t len)
{
	for (size_t off = 0; off < len; off += 4096)
		*(volatile char *)(start + off) = 0;
}

/* A handler not yet given to the kernel: ready to serve. */
static struct handler *handler_new(struct ipc_server *srv)
{
	long base = region_new(srv->stack_size), t;
	struct handler *h;

	if (base < 0)
		return NULL;
	if (srv->flags & IPC_SERVE_PREFAULT)
		prefault((uintptr_t)base + GUARD, srv->stack_size);
	h = region_top((uintptr_t)base, srv->stack_size, sizeof(*h));
	h->fn = srv->fn;
	h->srv = srv;
	h->base = (uintptr_t)base;
	h->len = GUARD + srv->stack_size;
	/* A plain handler's "return address" (the entry stubs, above). */
	((uintptr_t *)h)[-1] = (uintptr_t)ferry_handler_return;
	t = fy_thread_create(
		CAP_SELF_GROUP,
		srv->shm_fn || srv->caps_fn
			? (fy_thread_entry_t)ferry_shm_handler_entry
			: (fy_thread_entry_t)srv->fn,
		h, NULL, THREAD_PASSIVE);
	if (t < 0) {
		lx_munmap((uintptr_t)base, h->len);
		return NULL;
	}
	h->self = (cap_t)t;
	return h;
}

/*
 * Frees a handler that never served. Its thread lingers, unreachable,
 * until the kernel reclaims such threads (or the process ends).
 */
static void handler_drop(struct handler *h)
{
	uintptr_t base = h->base;
	size_t len = h->len;

	fy_cap_delete(h->self);
	lx_munmap(base, len);
}

/*
 * An address for a shm of `size` bytes, a guard page below it: a free
 * range the kernel picks (so ranges are reused), left as a hole for the
 * kernel to map the shm into. 0 if there is no room.
 */
static uintptr_t shm_place(size_t size)
{
	long a = lx_mmap(GUARD + size, PROT_NONE);

	if (a < 0)
		return 0;
	lx_munmap((uintptr_t)a + GUARD, size);
	return (uintptr_t)a + GUARD;
}

/* Ends the shm's mapping (if made) and its guard. */
static void shm_unplace(uintptr_t shm, size_t size)
{
	lx_munmap(shm - GUARD, GUARD + size);
}

/* Puts an idle handler in an empty slot of the pool: 0 if it is full. */
static int pool_put(struct ipc_server *srv, struct handler *h)
{
	for (int i = 0; i < IPC_SERVE_POOL; i++) {
		struct handler *none = NULL;

		if (atomic_compare_exchange_strong(&srv->pool[i], &none, h))
			return 1;
	}
	return 0;
}

/* Takes an idle handler from the pool (the callback only); NULL: none. */
static struct handler *pool_take(struct ipc_server *srv)
{
	for (int i = 0; i < IPC_SERVE_POOL; i++) {
		struct handler *h;

		if (atomic_load_explicit(&srv->pool[i], memory_order_relaxed) &&
		    (h = atomic_exchange(&srv->pool[i], NULL)))
			return h;
	}
	return NULL;
}

/*
 * Unmaps the stack we run on, then ends the thread: nothing may touch
 * the stack between the two system calls, so they are one asm block.
 */
static _Noreturn void free_stack_and_exit(uintptr_t base, size_t len)
{
	__asm__ volatile("syscall\n\t"
			 "mov %[texit], %%eax\n\t"
			 "syscall\n\t"
			 "ud2"
			 :
			 : "a"((long)SYS_munmap), "D"(base),
			   "S"(len), [texit] "i"(SYS_thread_exit)
			 : "rcx", "r11", "memory");
	__builtin_unreachable();
}

/*
 * A closed connection, on its handler: the user's destructor, then give
 * back the shm and the caps. A per-connection handler then goes idle in
 * the pool or, the pool full, frees its stack and itself; the shared one
 * waits for the next call.
 *
 * Going idle: once in the pool the callback may give the handler to a
 * new connection at once, and write h->shm, while we still run here; so
 * nothing of the record is read after pool_put. The kernel sees us busy
 * (an exit run) until ipc_exit_routine_return: a call on the new
 * connection waits for it, and the kernel then starts the handler afresh
 * at its entry and stack (docs/ipc.md, "Handlers per connection").
 */
_Noreturn void ferry_exit_main(ipc_destructor_fn destructor, uint64_t badge,
			       uintptr_t shm, cap_t conn_cap, cap_t shm_cap,
			       struct handler *h)
{
	struct ipc_server *srv = h->srv;

	if (srv->shm_destructor)
		srv->shm_destructor(badge, (void *)shm);
	else if (destructor)
		destructor(badge);
	fy_cap_delete(shm_cap);
	fy_cap_delete(conn_cap);
	if (h == srv->shared) {
		fy_pmo_unmap(CAP_SELF_GROUP, shm);
		lx_munmap(shm - GUARD, GUARD);
		atomic_fetch_sub(&srv->nconns, 1);
		fy_ipc_exit_routine_return();
		for (;;)
			fy_thread_exit(); /* not an exit run: cannot happen */
	}
	shm_unplace(h->shm, h->shm_size);
	atomic_fetch_sub(&srv->nconns, 1);
	if (pool_put(srv, h)) {
		fy_ipc_exit_routine_return();
		for (;;)
			fy_thread_exit(); /* not an exit run: cannot happen */
	}
	fy_cap_delete(h->self);
	free_stack_and_exit(h->base, h->len);
}

/*
 * A new client: past the limit, refuse it; else a handler (the spare,
 * an idle one from the pool, or a new one) and a shm address for the kernel to
 * take. Neither success nor the refusal returns here.
 */
static void register_cb_entry(struct ipc_server *srv, cap_t shm_cap,
			      uint64_t shm_size, uint64_t badge)
{
	struct handler *h;

	(void)shm_cap;
	(void)badge;
	if (atomic_fetch_add(&srv->nconns, 1) >= srv->max_conns)
		goto refuse;
	h = srv->shared;
	if (!h) {
		h = srv->spare;
		srv->spare = NULL;
		if (!h)
			h = pool_take(srv);
		if (!h)
			h = handler_new(srv);
	}
	if (!h)
		goto refuse;
	for (int tries = 0; tries < 8; tries++) {
		uintptr_t shm = shm_place(shm_size);
		long r;

		if (!shm)
			break;
		h->shm = shm;
		h->shm_size = shm_size;
		r = fy_ipc_register_cb_return(h->self, (void *)ferry_exit_entry,
					      shm);
		/*
		 * Only a failure comes back. -EEXIST: another thread of ours
		 * mapped into the hole meanwhile; try another.
		 */
		shm_unplace(shm, shm_size);
		if (r == -ESRCH && h != srv->shared) {
			/* A pooled handler that has died: free its stack. */
			handler_drop(h);
			h = NULL;
			break;
		}
		if (r == -ESRCH) {
			/*
			 * The shared handler has died: we never serve again.
			 * End, so this client gets -ESRCH and later ones
			 * -EDEADSRV.
			 */
			fy_thread_exit();
		}
		if (r != -EEXIST)
			break;
	}
	if (h && h != srv->shared)
		srv->spare = h; /* refused by the kernel: the next client's */
refuse:
	atomic_fetch_sub(&srv->nconns, 1);
	fy_ipc_register_cb_return(IPC_REGISTER_REFUSE, NULL, 0);
	fy_thread_exit(); /* not in a registration: cannot happen */
}

long ipc_serve_with(const struct ipc_serve_config *cfg)
{
	size_t stack;
	struct ipc_server *srv;
	long base, cb, r;

	if (!cfg ||
	    !cfg->handler + !cfg->shm_handler + !cfg->caps_handler != 2 ||
	    (cfg->flags & ~(IPC_SERVE_SHARED | IPC_SERVE_PREFAULT)))
		return -EINVAL;
	/* One shared handler serves many shms: it cannot be told one. */
	if (!cfg->handler && (cfg->flags & IPC_SERVE_SHARED))
		return -EINVAL;
	if (cfg->shm_destructor && (cfg->handler || cfg->destructor))
		return -EINVAL;
	stack = cfg->stack_size ? cfg->stack_size : IPC_SERVE_STACK;
	if (stack > (1ul << 30))
		return -EINVAL;
	stack = (stack + 4095) & ~(size_t)4095;
	base = region_new(CB_STACK);
	if (base < 0)
		return base;
	if (cfg->flags & IPC_SERVE_PREFAULT)
		prefault((uintptr_t)base + GUARD, CB_STACK);
	srv = region_top((uintptr_t)base, CB_STACK, sizeof(*srv));
	srv->fn = cfg->handler;
	srv->shm_fn = cfg->shm_handler;
	srv->caps_fn = cfg->caps_handler;
	srv->flags = cfg->flags;
	srv->shm_destructor = cfg->shm_destructor;
	srv->destructor = cfg->destructor;
	srv->max_conns = cfg->max_conns ? cfg->max_conns : IPC_SERVE_MAX_CONNS;
	srv->stack_size = stack;
	atomic_init(&srv->nconns, 0);
	srv->shared = srv->spare = NULL;
	for (int i = 0; i < IPC_SERVE_POOL; i++)
		atomic_init(&srv->pool[i], NULL);
	cb = fy_thread_create(CAP_SELF_GROUP,
			      (fy_thread_entry_t)register_cb_entry, srv, NULL,
			      THREAD_PASSIVE);
	if (cb < 0) {
		r = cb;
		goto out_region;
	}
	if (cfg->flags & IPC_SERVE_SHARED) {
		srv->shared = handler_new(srv);
		if (!srv->shared) {
			r = -ENOMEM;
			goto out_cb;
		}
	}
	/* The kernel hands ipc_routine to the callback: our record. */
	r = fy_register_server((void *)srv, (cap_t)cb, (void *)cfg->destructor);
	if (r < 0)
		goto out_shared;
	return 0;
out_shared:
	if (srv->shared)
		handler_drop(srv->shared);
out_cb:
	fy_cap_delete((cap_t)cb);
out_region:
	lx_munmap((uintptr_t)base, GUARD + CB_STACK);
	return r;
}

long ipc_serve(ipc_handler_fn handler, ipc_destructor_fn destructor)
{
	struct ipc_serve_config cfg = {.handler = handler,
				       .destructor = destructor};

	return ipc_serve_with(&cfg);
}

long ipc_return_caps(struct ipc_msg *m, long ret, unsigned ncaps)
{
	(void)m;
	return fy_ipc_return(ret, ncaps);
}
