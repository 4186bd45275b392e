/*
 * A scheduling context: the right to run, separate from the thread that
 * runs on it (priority and time slice). A thread without one is passive:
 * it runs only when IPC lends it its caller's context (or, for a
 * handler's exit routines, on a context the handler keeps for them).
 */
#ifndef KERNEL_OBJECT_SCHED_CONTEXT_H
#define KERNEL_OBJECT_SCHED_CONTEXT_H

#include <object/object.h>

struct budget;

#define SC_SLICE_TICKS 5 /* 50 ms at 100 Hz */

struct sched_context {
	struct object obj;
	u32 prio;      /* PRIO_MIN..PRIO_MAX, higher runs first */
	u32 slice;     /* ticks per round */
	u32 remaining; /* ticks left in this round */
	/*
	 * Inherited priority (0: none): the best caller waiting for a
	 * passive thread that runs, or will run, on this context
	 * (kernel/ipc/wait.c). The scheduler uses sc_prio().
	 */
	u32 boost;
	/*
	 * Weak: the active thread the context was made for, until it is
	 * reaped (a context can outlive it, lent to an orphaned handler).
	 * Whose chain of calls a boost is recomputed from when an orphan
	 * running on the context leaves (wait.c).
	 */
	struct thread *owner;
	struct budget *budget; /* charged for this struct; a reference */
};

/* The priority the scheduler gives a thread running on sc. */
static inline u32 sc_prio(const struct sched_context *sc)
{
	return sc->boost > sc->prio ? sc->boost : sc->prio;
}

/* A context of priority prio charged to b: 0, -EINVAL, -ENOMEM. */
int sched_context_create(u32 prio, struct budget *b,
			 struct sched_context **out);
void sched_context_destroy(void *obj);

#endif
