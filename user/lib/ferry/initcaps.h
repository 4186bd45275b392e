/*
 * A process's initial capabilities by name (uapi/ferry/initcaps.h): the
 * table its creator put on its stack, found through AT_FERRY_CAPS.
 */
#ifndef FERRY_INITCAPS_H
#define FERRY_INITCAPS_H

#include <uapi/ferry/cap.h>
#include <uapi/ferry/initcaps.h>

/* This process's table (from getauxval(AT_FERRY_CAPS)), or NULL. */
const struct initcap_table *fy_initcaps(void);

/*
 * Entry i of table t, for listing them: NULL past the end, for a NULL
 * table or one whose entry_size this library does not know.
 */
const struct initcap_entry *fy_initcap_at(const struct initcap_table *t,
					  unsigned i);

/* The slot named `name` in table t, or -ENOENT (t or name NULL too). */
long fy_initcaps_find(const struct initcap_table *t, const char *name);

/* The slot of this process's initial capability `name`, or -ENOENT. */
cap_t fy_initial_cap(const char *name);

#endif
