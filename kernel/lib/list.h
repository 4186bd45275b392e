/* Intrusive doubly linked lists, as in Linux and ChCore. */
#ifndef KERNEL_LIST_H
#define KERNEL_LIST_H

#include <lib/types.h>

struct list_head {
	struct list_head *prev, *next;
};

static inline void list_init(struct list_head *h)
{
	h->prev = h->next = h;
}

static inline bool list_empty(const struct list_head *h)
{
	return h->next == h;
}

static inline void list_insert_after(struct list_head *pos, struct list_head *n)
{
	n->next = pos->next;
	n->prev = pos;
	pos->next->prev = n;
	pos->next = n;
}

static inline void list_append(struct list_head *head, struct list_head *n)
{
	list_insert_after(head->prev, n);
}

static inline void list_push(struct list_head *head, struct list_head *n)
{
	list_insert_after(head, n);
}

static inline void list_del(struct list_head *n)
{
	n->prev->next = n->next;
	n->next->prev = n->prev;
	n->prev = n->next = n;
}

#define list_entry(ptr, type, member) container_of(ptr, type, member)
#define list_first(head, type, member) list_entry((head)->next, type, member)

/*
 * The iterators walk list_head pointers and convert to the entry only
 * for real entries: turning the head itself into an entry pointer (as
 * the classic macros do) is undefined when the types' alignments differ.
 */
#define list_for_each(pos, head, member)                                       \
	for (struct list_head *pos##_n = (head)->next;                         \
	     pos##_n != (head) &&                                              \
	     ((pos = list_entry(pos##_n, __typeof__(*pos), member)), 1);       \
	     pos##_n = pos##_n->next)

/* Safe against removing `pos`; `tmp` names the saved next node. */
#define list_for_each_safe(pos, tmp, head, member)                             \
	for (struct list_head *tmp##_n = (head)->next, *tmp##_next;            \
	     tmp##_n != (head) &&                                              \
	     ((tmp##_next = tmp##_n->next),                                    \
	      (pos = list_entry(tmp##_n, __typeof__(*pos), member)), 1);       \
	     tmp##_n = tmp##_next)

#endif
