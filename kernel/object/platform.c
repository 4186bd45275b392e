/*
 * The platform capability (platform.h). The object holds nothing: its
 * only meaning is the rights a slot grants on it.
 */
#include <object/cap_group.h>
#include <object/platform.h>
#include <object/thread.h>
#include <sched/sched.h>
#include <uapi/ferry/errno.h>

struct platform {
	struct object obj;
};

int platform_give(struct cap_group *g)
{
	struct platform *p = obj_alloc(OBJ_TYPE_PLATFORM, sizeof(*p));
	int ret;

	if (!p)
		return -ENOMEM;
	ret = cap_alloc(g, p, PLATFORM_INIT_RIGHTS);
	if (ret >= 0 && ret != CAP_INIT_PLATFORM) {
		cap_remove_if(g, ret, p);
		ret = -EBUSY; /* not a fresh init */
	}
	obj_put(p); /* the slot holds it now, or it goes */
	return ret < 0 ? ret : 0;
}

int platform_check(int cap, u32 rights)
{
	void *p;
	int ret = cap_get(current->group, cap, OBJ_TYPE_PLATFORM, rights, &p);

	if (ret)
		return ret;
	obj_put(p);
	return 0;
}
