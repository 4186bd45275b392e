/*
 * The processes and PMOs the hosted object tests make over and over:
 * include after cmocka and kernel_env.h (or ipc_env.h).
 */
#ifndef TESTS_UNIT_OBJECT_FIXTURES_H
#define TESTS_UNIT_OBJECT_FIXTURES_H

#include <object/cap_group.h>
#include <object/pmo.h>

/* A new process named `name` (a reference); the test fails if none. */
static inline struct cap_group *fx_group(const char *name)
{
	struct cap_group *g = NULL;

	assert_int_equal(cap_group_create(name, &g), 0);
	assert_non_null(g);
	return g;
}

/* What a parent does when the child is gone: release, then drop it. */
static inline void fx_group_end(struct cap_group *g)
{
	cap_group_teardown(g);
	obj_put(g);
}

/* A one-page anonymous PMO charged to nobody (a reference). */
static inline struct pmo *fx_pmo_page(void)
{
	struct pmo *p = NULL;

	assert_int_equal(pmo_create(PAGE_SIZE, PMO_ANONYMOUS, NULL, &p), 0);
	return p;
}

#endif
