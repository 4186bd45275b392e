/*
 * The table of initial capabilities by name, as L4Re's environment gives
 * a new task its named capabilities: whoever builds a process's stack
 * (procmgr, with libferry's fy_stack_build) puts this table on it, and the
 * auxv entry AT_FERRY_CAPS holds its address. libferry's fy_initial_cap()
 * looks a name up in it. A process started without one has no such auxv
 * entry (getauxval returns 0): every lookup is -ENOENT.
 *
 * Layout at the AT_FERRY_CAPS address (8-byte aligned, read-only by
 * convention):
 *   struct initcap_table { count, entry_size }
 *   struct initcap_entry entries[count]
 * Names are 1..INITCAP_NAME_MAX-1 printable ASCII characters (0x21-0x7e,
 * so no blanks), unique within the table, NUL-padded to INITCAP_NAME_MAX.
 */
#ifndef FERRY_UAPI_INITCAPS_H
#define FERRY_UAPI_INITCAPS_H

#include <stdint.h>

#define AT_FERRY_CAPS 0x46455259 /* "FERY": the table's user address */

#define INITCAP_NAME_MAX 24 /* bytes, with at least one NUL */
#define INITCAPS_MAX 32	    /* entries in one table */

struct initcap_entry {
	char name[INITCAP_NAME_MAX]; /* NUL-padded */
	int32_t cap;		     /* slot in the process's table */
	uint32_t rights;	     /* CAP_RIGHT_* it was given (advice) */
};

struct initcap_table {
	uint32_t count;	     /* entries that follow, <= INITCAPS_MAX */
	uint32_t entry_size; /* sizeof(struct initcap_entry), for growth */
	struct initcap_entry entries[];
};

_Static_assert(sizeof(struct initcap_entry) == 32, "initcap entry layout");
_Static_assert(sizeof(struct initcap_table) == 8, "initcap table layout");

#endif
