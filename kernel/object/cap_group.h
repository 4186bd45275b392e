/*
 * A cap_group is a process: a capability table, an address space, its
 * threads and its exit state. A capability (cap_t) is an index into the
 * table; a slot holds an object reference and the rights granted with it.
 *
 * Exit: cap_group_exit() records the status and kills every thread; when
 * the last one is gone the table and vmspace are released and waiters
 * wake. The struct itself lives on while anyone holds a capability to it
 * (a parent waiting for the status).
 *
 * Start: a process made by SYS_proc_create is not started. Its active
 * threads are held (made, not queued) until cap_group_start() queues
 * them all. Being unreachable ends it: it lives while a started process
 * holds a capability to it in a table other than its own (`holders`),
 * and is killed when the last such slot empties. Its own slot 0, its
 * threads' references and caps in other unstarted tables do not count,
 * so no cycle among unstarted processes outlives its creator. Every
 * other process is started from birth. docs/architecture.md, "Process
 * lifecycle".
 *
 * Free slots: a two-level bitmap beside the table, one bit per slot
 * (set: below nslots and empty) and one summary bit per word of it
 * (set: that word has a set bit). The lowest free slot is two
 * find-first-sets away however full the table is; filling or emptying a
 * slot flips a bit or two. docs/architecture.md, "Capability tables".
 *
 * Locking: g->lock guards slots, the free bitmap, threads, `started` and
 * the exit fields; `holders` is atomic, changed under the lock of the
 * table whose slot fills or empties.
 */
#ifndef KERNEL_OBJECT_CAP_GROUP_H
#define KERNEL_OBJECT_CAP_GROUP_H

#include <lib/list.h>
#include <lib/lock.h>
#include <object/object.h>
#include <sched/waitq.h>
#include <syscall/linux/state.h>

struct budget;
struct vmspace;

struct cap_slot {
	void *obj; /* NULL when free */
	u32 rights;
};

struct cap_group {
	struct object obj;
	struct spinlock lock;
	struct cap_slot *slots;
	u32 nslots;			  /* capacity, grows to CAP_TABLE_MAX */
	u64 free_words;			  /* bit w: free_map[w] != 0 */
	u64 free_map[CAP_TABLE_MAX / 64]; /* bit i: slot i < nslots, empty */
	struct vmspace *vmspace;	  /* holds a reference until exit */
	struct list_head threads;
	u32 nthreads;
	u32 threads_made; /* the first thread's tid is the pid */
	u32 pid;	  /* task_id.h: held until the group is destroyed */
	u64 badge; /* unforgeable process identity for IPC, never reused */
	/* Native Ferry program (ELF note): both syscall ranges, else Linux's.
	 */
	bool native;
	char name[32];
	bool exiting;  /* no new threads; threads are dying */
	bool dead;     /* all threads gone, resources being released */
	bool released; /* ... and released: proc_wait returns */
	bool started;  /* its threads may run (false only after proc_create) */
	u32 holders;   /* slots of started tables, not its own, holding it */
	int exit_status;
	u64 dead_cpu_tsc; /* CPU time of threads that have left, TSC ticks */
	struct waitq exit_wait;
	struct list_head ipc_conns; /* connections we are the client of */
	struct linux_proc lx; /* Linux-personality state (syscall/linux/) */
	/* Its memory budget (mm/budget.h): a reference held until the
	 * struct is destroyed; set at creation, never changed. */
	struct budget *budget;
	/*
	 * Death watches (ipc/death_watch.h), guarded by its death_lock, not
	 * g->lock: those set on us, those we set and their count, and
	 * whether ours have fired (no new one waits after that).
	 */
	struct list_head death_watchers;
	struct list_head death_watching;
	u32 ndeath_watching;
	bool death_fired;
};

/*
 * A new process with an empty vmspace and its two standard slots, Linux
 * personality until the loader says it is native. Its memory budget's
 * limit is the creating process's (current's), or all of RAM when the
 * kernel makes it; its struct, table and vmspace are charged to it.
 * Errors: -ENOMEM, -EAGAIN when no process id is free.
 */
int cap_group_create(const char *name, struct cap_group **out);
void cap_group_destroy(void *obj);

/* Puts obj (taking a new reference) in a free slot: the slot or -ENOMEM. */
int cap_alloc(struct cap_group *g, void *obj, u32 rights);
/*
 * Puts obj in exactly slot `cap` (0 <= cap < CAP_TABLE_MAX, the table
 * grows to reach it): the slot, -EEXIST if it is taken, -EINVAL out of
 * range, -ESRCH once g is dead, -ENOMEM.
 */
int cap_alloc_at(struct cap_group *g, int cap, void *obj, u32 rights);
/*
 * Looks a capability up: it must hold an object of `type` (or any type
 * for OBJ_TYPE_NONE) with all of `rights`. 0 and a new reference in *out,
 * or -ECAPBILITY.
 */
int cap_get(struct cap_group *g, int cap, u32 type, u32 rights, void **out);
/* cap_get, and the slot's rights in *have (a mapping's ceiling). */
int cap_get_rights(struct cap_group *g, int cap, u32 type, u32 rights,
		   void **out, u32 *have);
/*
 * Drops the reference a slot held (after cap_take): as obj_put, and a
 * passive thread nobody can reach any more is reclaimed
 * (thread_drop_ref). Never under a lock.
 */
void cap_put(void *obj);
/* Empties a slot only if it still holds obj (undoing what we filled). */
void cap_remove_if(struct cap_group *g, int cap, void *obj);
/* Empties a slot: 0 or -ECAPBILITY. */
int cap_remove(struct cap_group *g, int cap);
/* Empties a slot, handing its reference to the caller in *out: 0 or
 * -ECAPBILITY. */
int cap_take(struct cap_group *g, int cap, void **out);
/*
 * Copies src's capability `cap` into dst with rights & mask. Any copy,
 * even within one table, needs CAP_RIGHT_GRANT. The new slot, or an error.
 */
int cap_copy(struct cap_group *src, int cap, struct cap_group *dst, u32 mask);
/* The same into slot `at` of dst, or the lowest free one if at < 0. */
int cap_copy_at(struct cap_group *src, int cap, struct cap_group *dst, u32 mask,
		int at);

/* Its address space with a new reference, or NULL once it has exited. */
struct vmspace *cap_group_vmspace(struct cap_group *g);

void cap_group_exit(struct cap_group *g, int status);
/* Blocks until g is dead: its status, or -EINTR if the waiter is killed. */
long cap_group_wait(struct cap_group *g);
/* Called by the last thread: releases the table and the address space. */
void cap_group_teardown(struct cap_group *g);
/*
 * Called by the last thread on its own way out, just before the
 * teardown: frees the bulk of the process's memory (every mapping, and
 * the PMOs only its table holds) with preemption points, so that the
 * teardown itself is short. The process has no threads left and is
 * exiting, so nobody sees it half emptied.
 */
void cap_group_shed_memory(struct cap_group *g);

/*
 * Lets an unstarted process run: its held threads are queued. 0;
 * -EINVAL if it was started already; -ESRCH if it is exiting or dead. A
 * process with no thread at all ends at once (status exit 0), as a
 * process does whose last thread leaves. cap_group_life.c.
 */
int cap_group_start(struct cap_group *g);
/*
 * An unstarted process's last holder went (cap_put): it is killed and,
 * having no thread that could do it, torn down here. Never under a lock.
 */
void cap_group_unreachable(struct cap_group *g);
/* A snapshot for SYS_proc_info (uapi/ferry/proc.h). */
struct proc_info;
void cap_group_info(struct cap_group *g, struct proc_info *out);

#endif
