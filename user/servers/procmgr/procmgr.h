/*
 * procmgr's state, shared by its files (docs/process.md):
 *   main.c    start-up: the file server's cap, the two servers
 *   spawn.c   PROCMGR_SPAWN: a request checked, a process built
 *   image.c   per-file images: one PMO_PAGED per loadable segment, shared
 *             between the live processes of one initrd file
 *   pager.c   the pager server: a fault supplied from the file
 *   child.c   the children: the table, the reaper threads, PROCMGR_LIST
 *   file.c    reading a file through the file server
 *
 * Threads: the spawn and pager handlers (one per connection, each on its
 * caller's scheduling context), one reaper per child, the main thread
 * idle. They share the tables below under pm_lock, never held across a
 * system call that can wait (an IPC call, a wait).
 *
 * Memory: procmgr is long-lived and sits under init's leak check, which
 * counts every frame between two tests. So it has no heap: the tables
 * are static and touched at start, handler stacks are prefaulted
 * (IPC_SERVE_PREFAULT), and what a child takes (its image's PMOs, its
 * connections) goes when it is reaped.
 */
#ifndef PROCMGR_PROCMGR_H
#define PROCMGR_PROCMGR_H

#include <stdatomic.h>
#include <stdint.h>

#include <ferry/elf_load.h>
#include <ferry/ipc.h>
#include <uapi/ferry/proc.h>
#include <uapi/ferry/proto/procmgr.h>

#define PM_MAX_CHILDREN 48
#define PM_MAX_IMAGES 32
#define PM_REAPER_STACK 8192
#define PM_PAGE 4096ul

/* Where a child's stack goes (the kernel loader's layout). */
#define PM_STACK_TOP 0x7ffffff00000ul
#define PM_STACK_SIZE (8ul << 20)

/* Open connections kept for the next children (pool.c). */
#define PM_POOL_IDLE 8
struct pm_pool {
	cap_t server;
	size_t shm;
	int n; /* idle[0..n) are open and unused; under pm_lock */
	struct ipc_conn idle[PM_POOL_IDLE];
};

long pm_pool_get(struct pm_pool *p, struct ipc_conn *out);
/* Back to the pool, or closed (if the pool is full or `broken`). */
void pm_pool_put(struct pm_pool *p, struct ipc_conn *c, int broken);
void pm_pool_fill(struct pm_pool *p, void (*warm)(struct ipc_conn *));
/* An fs connection's warm-up: the calls a child's file makes. */
void pm_file_warm(struct ipc_conn *c);
int pm_pool_owns(struct pm_pool *p, cap_t slot); /* under pm_lock */

extern struct pm_pool pm_fs_pool, pm_pager_pool;

/* A lock for short sections: never held across a wait. */
void pm_lock(void);
void pm_unlock(void);

/* An open file on a connection to the file server of its own. */
struct pm_file {
	struct ipc_conn conn; /* conn.cap < 0: none (from pm_fs_pool) */
	int64_t handle;	      /* < 0: not open */
	uint64_t size;
	int broken; /* the server failed a call: the connection goes */
};

long pm_file_open(struct pm_file *f, const char *path);
/* Exactly len bytes at off into buf: 0, or -EIO (short, or fs failed). */
long pm_file_read(struct pm_file *f, uint64_t off, void *buf, uint64_t len);
/*
 * Reads one page of a segment straight into the PMO: the bytes
 * [file_off, file_off + len) go at pmo_off + skip, zeros elsewhere.
 */
long pm_file_page(struct pm_file *f, cap_t pmo, uint64_t pmo_off, uint64_t skip,
		  uint64_t file_off, uint64_t len);
void pm_file_close(struct pm_file *f);

/* One loadable segment of an image. */
struct pm_seg {
	uint64_t start;	   /* page-aligned vaddr */
	uint64_t file_end; /* page-aligned end of the file-backed pages */
	uint64_t mem_end;  /* page-aligned end of the segment */
	uint64_t vaddr, filesz, offset;
	uint32_t prot;
	cap_t pmo; /* PMO_PAGED of [start, file_end), or -1 (no file part) */
	/*
	 * A read-only segment's pmo again, with the segment's rights alone
	 * (MAP, READ, EXEC if it has it): children map it through this, so
	 * mprotect cannot make the text they share writable. -1 otherwise.
	 */
	cap_t map_pmo;
};

/* A file's pages as PMOs; shared while refs > 0 if `cached`. */
struct pm_image {
	int refs; /* 0: a free entry */
	int cached;
	char path[PATH_MAX_FERRY];
	uint64_t file_size;
	struct fy_elf_info elf;
	struct pm_seg segs[FY_ELF_MAX_SEGMENTS];
};

/*
 * The image of `path`, shared if the file is the initrd's: a new
 * reference, or a negative errno. If it is not cached, the file is
 * opened as f and its headers read (else f stays closed: the pager
 * opens it when it needs a page).
 */
long pm_image_get(const char *path, struct pm_file *f, struct pm_image **out);
void pm_image_put(struct pm_image *img);
/* A connection keeps the last image it spawned (a reference), or drops it. */
#define PM_KEPT 256
void pm_image_keep(uint64_t badge, struct pm_image *img);
void pm_image_forget(uint64_t badge);

enum pm_child_state { PM_FREE, PM_BUILDING, PM_LIVE, PM_REAPING };

struct pm_child {
	enum pm_child_state state;
	uint32_t gen; /* bumped at every reuse: keys name (index, gen) */
	int32_t pid;
	cap_t group;	       /* CONTROL */
	cap_t reaper;	       /* its reaper thread */
	struct ipc_conn pager; /* our connection to our pager, for it */
	struct pm_file file;   /* its program, for the pager */
	struct pm_image *img;
	uint64_t budget;
	char name[PROCMGR_NAME_MAX];
};

extern struct pm_child pm_children[PM_MAX_CHILDREN];
extern cap_t pm_fs_server;     /* the file server's thread (CALL|GRANT) */
extern cap_t pm_self_server;   /* our spawn server thread (CALL|GRANT) */
extern cap_t pm_pager_server;  /* our pager server thread */
extern cap_t pm_ns_server;     /* the name server's thread, or -1 */
extern uint64_t pm_budget_max; /* the most a child may be given */

void pm_child_init(void);
void pm_image_init(void);

/* A free entry, BUILDING, or NULL. Under no lock. */
struct pm_child *pm_child_alloc(void);
/* Gives back an entry whose build failed (all its parts released). */
void pm_child_abort(struct pm_child *c);
/* Starts the reaper of a built child; it is LIVE after this. */
long pm_child_watch(struct pm_child *c);
/* Fills the shm from PROCMGR_LIST_OFF up to shm_end: the live count. */
long pm_list(struct ipc_msg *m, const void *shm_end,
	     const struct procmgr_list_req *req);

/* Key of segment `seg` of child `c`, and back. */
uint64_t pm_key(const struct pm_child *c, unsigned seg);

long pm_spawn(struct ipc_msg *m, const void *shm, size_t shm_size,
	      const cap_t *caps, uint32_t ncaps, int privileged,
	      uint64_t badge);
long pm_pager_fault(struct ipc_msg *m, uint64_t badge);
/* Is `slot` one of procmgr's own caps (not one a client sent)? */
int pm_slot_owned(cap_t slot);

extern uint64_t pm_privileged_badge; /* init's connection */

#endif
