/*
 * Things several system tests need: bad pointers, a free VA, spawning,
 * ending a checking thread.
 */
#ifndef TESTS_UTIL_H
#define TESTS_UTIL_H

#include <stdatomic.h>
#include <stdint.h>

#include <ferry/ipc.h>

/* The first byte of the kernel half: never a valid user pointer. */
#define KERNEL_PTR ((void *)0xffff800000000000ul)
/* Not canonical at all. */
#define NONCANON_PTR ((void *)0x0000800000000000ul)

/*
 * A user address range the tests map PMOs at by hand, far from where the
 * ELF, the heap, mmap and the stack live. Each program uses it alone.
 */
#define SCRATCH_VA 0x200000000000ul
#define PAGE_SIZE_4K 4096ul

/*
 * Brings in every page of our own program now: procmgr's pager loads a
 * program page by page as it runs, and writable pages are copied at
 * their first write, so a test that counts free frames around some work
 * calls this first, or its own code and data coming in count too.
 */
void touch_own_pages(void);

/* A user address with nothing mapped behind it (a freed mmap page). */
void *unmapped_ptr(void);

/*
 * Spawns path with the NULL-terminated argv (argv[0] = path if NULL),
 * waits, deletes the cap. Returns the wait status or a negative errno.
 */
long spawn_wait(const char *path, const char *const *argv);

/*
 * procmgr's reaper releases what it held for a child (its pager
 * connection, its image) a little after our wait for the child returns:
 * before counts are compared, this waits (at most ~100 ms, yielding and
 * sleeping) until free frames and live objects are back at f0 and o0. A
 * real leak still shows in the comparison that follows.
 */
void counts_settle(long f0, long o0);

/*
 * Waits (at most ~200 ms) until the live-object count holds still over
 * three samples 2 ms apart, for a baseline taken while earlier children
 * may still be torn down (by procmgr's reaper, after our wait returned).
 * Returns the count.
 */
long objects_quiesce(void);

/*
 * fy_spawn_sched, passing on our platform capability (the initial cap
 * "platform" init gave us) under that name: for helpers that read
 * kernel counters (SYS_kstat needs it).
 */
long spawn_platform(const char *path, const char *const *argv,
		    const char *const *envp, long prio, long mcp);

/* helpers/ipc_echo, spawned, and our connection to it. */
struct echo_conn {
	long proc;   /* its process cap, or a negative errno */
	long server; /* CALL on its main thread, or negative */
	struct ipc_conn conn;
};

/*
 * Spawns helpers/ipc_echo and connects to it with a 4096-byte shm,
 * printing one TAP line: whether it worked.
 */
void echo_open(struct echo_conn *e);
/* Closes the connection, kills and reaps the echo, deletes its caps. */
void echo_close(struct echo_conn *e);

/*
 * Ends a checking thread t of ours (its cap, or negative if it never
 * started), which loops until *stop is set, counting its rounds and the
 * rounds that found its state changed: sets *stop, yields up to 1000
 * times so it sees it, prints one TAP line (ok when it ran at least once
 * and found nothing changed; `what` names the state in it), then deletes
 * its cap.
 */
void side_stop_check(long t, atomic_int *stop, atomic_int *rounds,
		     atomic_int *bad, const char *what);

#endif
