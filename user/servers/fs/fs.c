/*
 * fs: the file server (docs/fs.md; protocol in proto/fs.h). It serves
 * the initial RAM disk, read-only, from the PMO init hands it (in our
 * slot FS_INITRD_SLOT: the kernel gives init CAP_INIT_INITRD), parsed
 * here in user space, and a writable tmpfs at /tmp.
 *
 * Every connection gets its own passive handler (libferry), told its
 * shm's true place and size; the handlers of different clients may run
 * interleaved (each on its caller's scheduling context, preemptible),
 * so one lock guards the state: taken for each request, never held
 * across a blocking call. A waiter sleeps a tick rather than spin, so a
 * lower-priority holder gets to finish.
 *
 * Memory stays flat once served: the initrd is mapped and every page
 * touched at start (the page tables are made then); tmpfs data lives in
 * PMOs the server never maps (pmo_read/pmo_write), freed with their
 * file; handles and nodes are fixed tables. So a client's requests
 * leave the server's frame and object counts as they were once its
 * files are gone and its connection closed (init's leak check).
 */
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>

#include <ferry/ipc.h>

#include "fs.h"
#include "ops.h"

/* Where init puts the initrd PMO (the first slot after 0-2). */
#define FS_INITRD_SLOT 3
#define WAIT_TICKS 500
#define FS_INITRD_VA 0x300000000000ul

static struct fs_state state;
static struct rd_node rd_nodes[FS_RD_NODES];
static atomic_flag fs_lock = ATOMIC_FLAG_INIT;

/* Handlers have no TLS: raw system calls only. */
static void tick_sleep(void)
{
	struct timespec t = {0, 1000 * 1000};

	fy_syscall2(SYS_nanosleep, (long)&t, 0);
}

static void lock(void)
{
	while (atomic_flag_test_and_set_explicit(&fs_lock,
						 memory_order_acquire))
		tick_sleep();
}

static void unlock(void)
{
	atomic_flag_clear_explicit(&fs_lock, memory_order_release);
}

/* tmpfs stores: an anonymous PMO per file, frames only where written. */
static long store_create(void *ctx)
{
	(void)ctx;
	return fy_pmo_create(FS_TMP_FILE_MAX, PMO_ANONYMOUS);
}

static int store_write(void *ctx, long id, uint64_t off, const void *buf,
		       size_t len)
{
	(void)ctx;
	return (int)fy_pmo_write((cap_t)id, off, buf, len);
}

static int store_read(void *ctx, long id, uint64_t off, void *buf, size_t len)
{
	(void)ctx;
	return (int)fy_pmo_read((cap_t)id, off, buf, len);
}

static void store_destroy(void *ctx, long id)
{
	(void)ctx;
	fy_cap_delete((cap_t)id);
}

static const struct tmp_store_ops pmo_store = {
	.create = store_create,
	.write = store_write,
	.read = store_read,
	.destroy = store_destroy,
};

static long fs_handler(struct ipc_msg *msg, uint64_t badge, void *shm,
		       size_t shm_size)
{
	struct fs_req q;
	long r;

	(void)msg;   /* the request is at the shm's start, wherever msg is */
	(void)badge; /* the process: handles are the connection's */
	if (shm_size < FS_SHM_MIN)
		return -EINVAL;
	memcpy(&q, shm, sizeof(q)); /* read once: the client may write on */
	lock();
	r = fs_dispatch(&state, shm, &q, (uintptr_t)shm,
			(char *)shm + FS_DATA_OFF, shm_size - FS_DATA_OFF);
	unlock();
	return r;
}

static void fs_destructor(uint64_t badge, void *shm)
{
	(void)badge;
	lock();
	fs_drop_client(&state, (uintptr_t)shm);
	unlock();
}

/* The PMO's size: a read succeeds below its end only (it is paged). */
static size_t pmo_size(cap_t pmo)
{
	size_t lo = 0, hi = (size_t)1 << 18; /* in pages: 1 GiB at most */
	char c;

	while (lo < hi) {
		size_t mid = (lo + hi + 1) / 2;

		if (fy_pmo_read(pmo, mid * 4096 - 1, &c, 1) == 0)
			lo = mid;
		else
			hi = mid - 1;
	}
	return lo * 4096;
}

/* Maps the initrd and touches every page: 0 and the archive, or error. */
static long initrd_map(const void **base, size_t *size)
{
	long info = -1, a, r;
	size_t len;

	for (int i = 0; i < WAIT_TICKS; i++) {
		info = fy_cap_info(FS_INITRD_SLOT);
		if (info >= 0 && FY_CAP_INFO_TYPE(info) == OBJ_TYPE_PMO)
			break;
		tick_sleep();
	}
	if (info < 0 || FY_CAP_INFO_TYPE(info) != OBJ_TYPE_PMO)
		return -ENOENT;
	len = pmo_size(FS_INITRD_SLOT);
	if (len == 0)
		return -EINVAL;
	/*
	 * Away from the mmap area, where handler stacks and shms come and
	 * go: those stay within the page tables the first ones made.
	 */
	a = (long)FS_INITRD_VA;
	r = fy_pmo_map(CAP_SELF_GROUP, FS_INITRD_SLOT, (uintptr_t)a, VM_READ);
	if (r < 0)
		return r;
	for (size_t off = 0; off < len; off += 4096)
		(void)*(volatile const char *)(a + (long)off);
	*base = (const void *)a;
	*size = len;
	return 0;
}

int main(void)
{
	/*
	 * Handler stacks touched whole when made: a pooled handler's stack
	 * must not grow under a later, deeper call (a path with more
	 * components), or the frames it takes count against that test.
	 */
	struct ipc_serve_config cfg = {.shm_handler = fs_handler,
				       .shm_destructor = fs_destructor,
				       .flags = IPC_SERVE_PREFAULT};
	struct timespec idle = {3600, 0};
	const void *ar = NULL;
	size_t size = 0;
	long r;

	setvbuf(stdout, NULL, _IONBF, 0);
	r = initrd_map(&ar, &size);
	if (r < 0)
		printf("fs: no initrd (error %ld): serving /tmp only\n", r);
	r = rd_build(&state.rd, rd_nodes, FS_RD_NODES, ar, ar ? size : 0);
	if (r < 0 && ar)
		printf("fs: the initrd is malformed (error %ld): serving "
		       "/tmp only\n",
		       r);
	tmp_init(&state.tmp, &pmo_store, NULL);
	r = ipc_serve_with(&cfg);
	if (r < 0) {
		printf("fs: cannot serve: error %ld\n", r);
		return 1;
	}
	for (;;)
		nanosleep(&idle, NULL);
}
