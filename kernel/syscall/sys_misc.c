/* Small native syscalls: null, debug output, counters, initrd, poweroff. */
#include <arch/arch.h>
#include <lib/initrd.h>
#include <mm/frame.h>
#include <mm/kmalloc.h>
#include <mm/uaccess.h>
#include <object/object.h>
#include <object/platform.h>
#include <sched/sched.h>
#include <syscall/native.h>
#include <uapi/ferry/errno.h>

/* Writes one byte to the console. */
long sys_debug_putc(u64 c)
{
	arch_console_putc((char)c);
	return 0;
}

/*
 * A kernel counter (KSTAT_*), for a holder of the platform capability
 * with READ. KSTAT_TICKS is the clock, open to everyone (as Linux's
 * uptime is); the others tell about the whole machine. -ECAPBILITY
 * without the right (checked first), -EINVAL for an unknown id.
 */
long sys_kstat(u64 platform_cap, u64 id)
{
	int ret;

	if (id == KSTAT_TICKS)
		return (long)sched_ticks();
	ret = platform_check((int)platform_cap, CAP_RIGHT_READ);
	if (ret)
		return ret;
	switch (id) {
	case KSTAT_FREE_FRAMES:
		return (long)frame_free_count();
	case KSTAT_TOTAL_FRAMES:
		return (long)frame_total_count();
	case KSTAT_LIVE_OBJECTS:
		return (long)obj_live_count(OBJ_TYPE_NONE);
	case KSTAT_KMALLOC_BYTES:
		return (long)kmalloc_bytes_in_use();
	}
	if (id > KSTAT_LIVE_BY_TYPE && id < KSTAT_LIVE_BY_TYPE + OBJ_TYPE_NR)
		return (long)obj_live_count((u32)(id - KSTAT_LIVE_BY_TYPE));
	return -EINVAL;
}

/*
 * Ends the machine: QEMU exits, successfully for code 0 (code & 0x7f).
 * Only for a holder of the platform capability with CONTROL: otherwise
 * -ECAPBILITY and nothing happens.
 */
long sys_poweroff(u64 platform_cap, u64 code)
{
	int ret = platform_check((int)platform_cap, CAP_RIGHT_CONTROL);

	if (ret)
		return ret;
	arch_poweroff((int)(code & 0x7f));
}
