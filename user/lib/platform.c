/*
 * The platform capability as libferry finds it (kernel/object/platform.h):
 * the initial capability named "platform" that a creator passed on, or,
 * in init (which has no table: the kernel made it), slot
 * CAP_INIT_PLATFORM.
 */
#include <ferry/ferry.h>
#include <ferry/initcaps.h>

cap_t fy_platform_cap(void)
{
	/* Looked up once: the table and the slot never change. */
	static cap_t cached = -1;
	cap_t c = __atomic_load_n(&cached, __ATOMIC_RELAXED);

	if (c >= 0)
		return c;
	c = fy_initial_cap("platform");
	if (c < 0 && FY_CAP_INFO_TYPE(fy_cap_info(CAP_INIT_PLATFORM)) ==
			     OBJ_TYPE_PLATFORM)
		c = CAP_INIT_PLATFORM;
	if (c < 0)
		return -1; /* the kernel answers -ECAPBILITY */
	__atomic_store_n(&cached, c, __ATOMIC_RELAXED);
	return c;
}
