/*
 * The platform capability: the rights over the machine itself that no
 * ordinary process has. One object, made at boot and given to init
 * alone (slot CAP_INIT_PLATFORM), which passes it on only to whom it
 * chooses (the shell, the test runner's programs), as seL4's initial
 * thread holds the IRQ control and domain caps.
 *
 * Rights on it: CAP_RIGHT_CONTROL powers the machine off
 * (SYS_poweroff); CAP_RIGHT_READ reads kernel counters (SYS_kstat).
 */
#ifndef KERNEL_OBJECT_PLATFORM_H
#define KERNEL_OBJECT_PLATFORM_H

#include <object/object.h>

struct cap_group;

#define PLATFORM_INIT_RIGHTS                                                   \
	(CAP_RIGHT_CONTROL | CAP_RIGHT_READ | CAP_RIGHT_GRANT)

/*
 * Makes the platform object and puts it in g's slot CAP_INIT_PLATFORM
 * (the next free one in a fresh init). 0; -ENOMEM; -EBUSY if that slot
 * was not the free one. Called once, before init first runs.
 */
int platform_give(struct cap_group *g);

/*
 * Checks that `cap` in the caller's table is the platform capability
 * with `rights`: 0 or -ECAPBILITY.
 */
int platform_check(int cap, u32 rights);

#endif
