/*
 * Looking up this process's initial capabilities by name. The table is
 * on our own stack, written by our creator; it is still read defensively
 * (an unknown entry size or a count past INITCAPS_MAX is not trusted),
 * since a bad table must give -ENOENT rather than a wild read.
 */
#include <errno.h> /* before the uapi list, which then keeps libc's values */
#include <string.h>
#include <sys/auxv.h>

#include <ferry/initcaps.h>
#include <uapi/ferry/errno.h>

const struct initcap_table *fy_initcaps(void)
{
	return (const struct initcap_table *)getauxval(AT_FERRY_CAPS);
}

const struct initcap_entry *fy_initcap_at(const struct initcap_table *t,
					  unsigned i)
{
	if (!t || t->entry_size != sizeof(struct initcap_entry) ||
	    i >= t->count || i >= INITCAPS_MAX)
		return NULL;
	return &t->entries[i];
}

long fy_initcaps_find(const struct initcap_table *t, const char *name)
{
	const struct initcap_entry *e;

	if (!name || strnlen(name, INITCAP_NAME_MAX) == INITCAP_NAME_MAX)
		return -ENOENT;
	for (unsigned i = 0; (e = fy_initcap_at(t, i)); i++)
		if (!strncmp(e->name, name, INITCAP_NAME_MAX))
			return e->cap;
	return -ENOENT;
}

cap_t fy_initial_cap(const char *name)
{
	return (cap_t)fy_initcaps_find(fy_initcaps(), name);
}
