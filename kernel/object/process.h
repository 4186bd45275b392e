/*
 * Starting init from its ELF image (the boot loader's first module): a
 * new cap_group, its ELF segments
 * mapped as PMOs, a stack holding argv, envp and the auxiliary vector the
 * Linux ABI defines, and a main thread. This is the kernel's own loader,
 * for init alone: every other process is made in user space (init's
 * loader, procmgr; docs/process.md).
 */
#ifndef KERNEL_OBJECT_PROCESS_H
#define KERNEL_OBJECT_PROCESS_H

#include <lib/types.h>

struct cap_group;

#define USER_STACK_TOP 0x00007ffffff00000ul
#define USER_STACK_SIZE (8ul << 20)
#define USER_MMAP_BASE 0x0000100000000000ul
#define USER_BRK_MAX (256ul << 20)

/*
 * Starts the ELF image (size bytes, in kernel memory) as process `name`.
 * argv and envp are NULL-terminated arrays in kernel memory within the
 * limits of uapi/ferry/proc.h; the main thread runs at prio with MCP
 * mcp (the caller has checked both). On success the process is running;
 * *out, if given, receives a reference to it.
 * Errors: -ENOEXEC not a valid executable, -E2BIG arguments too large or
 * more than ELF_MAX_SEGMENTS loadable segments, -EINVAL empty argv or
 * prio/mcp above PRIO_MAX, -EAGAIN no process or thread id free,
 * -ENOMEM.
 */
int process_spawn(const char *name, const void *image, size_t size,
		  const char *const *argv, const char *const *envp, u32 prio,
		  u32 mcp, struct cap_group **out);

#endif
