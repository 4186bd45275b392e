/*
 * Reviewer's repro: SYS_thread_create must refuse unknown flags with
 * -EINVAL (docs/syscalls.md), but sys_thread_create passes (u32)flags to
 * thread_create, so bits 32..63 are silently dropped.
 */
#include <ferry/ferry.h>
#include <ferry/syscall.h>

#include "tap.h"

static _Alignas(16) char stack[16384];

static void entry(void *arg)
{
	(void)arg;
	fy_thread_exit();
}

int main(void)
{
	long r;

	r = fy_syscall5(SYS_thread_create, CAP_SELF_GROUP, (long)entry,
			(long)(stack + sizeof(stack) - 8), 0, 1l << 32);
	tap_eq(r, -EINVAL, "thread_create flags 1<<32 is -EINVAL");
	if (r >= 0)
		fy_cap_delete((cap_t)r);
	r = fy_syscall5(SYS_thread_create, CAP_SELF_GROUP, (long)entry,
			(long)(stack + sizeof(stack) - 8), 0,
			(1l << 63) | THREAD_PASSIVE);
	tap_eq(r, -EINVAL, "thread_create flags 1<<63|PASSIVE is -EINVAL");
	if (r >= 0)
		fy_cap_delete((cap_t)r);
	for (int i = 0; i < 10; i++)
		fy_yield();
	return tap_done();
}
