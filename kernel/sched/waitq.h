/* A queue of blocked threads, woken with a result value. */
#ifndef KERNEL_SCHED_WAITQ_H
#define KERNEL_SCHED_WAITQ_H

#include <lib/list.h>

struct waitq {
	struct list_head threads;
};

static inline void waitq_init(struct waitq *wq)
{
	list_init(&wq->threads);
}

#endif
