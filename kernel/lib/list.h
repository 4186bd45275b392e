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

static inline void list_insert_after(struct list_head *pos,
				     struct list_head *n)
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

#define list_for_each(pos, head, member)                                       \
	for (pos = list_entry((head)->next, __typeof__(*pos), member);         \
	     &pos->member != (head);                                           \
	     pos = list_entry(pos->member.next, __typeof__(*pos), member))

#define list_for_each_safe(pos, tmp, head, member)                             \
	for (pos = list_entry((head)->next, __typeof__(*pos), member),         \
	    tmp = list_entry(pos->member.next, __typeof__(*pos), member);      \
	     &pos->member != (head); pos = tmp,                                \
	    tmp = list_entry(tmp->member.next, __typeof__(*pos), member))

#endif
