/*
 * The System V initial stack of a new process, built by its creator
 * (procmgr) into a buffer that becomes the top of the process's stack.
 * Pure code, also run on the host by the unit tests. Layout, from the
 * stack pointer up (System V x86_64 psABI, "Initial Stack"):
 *   argc, argv[0..argc-1], NULL, envp[..], NULL, auxv pairs, AT_NULL
 *   (padding), the initial-capability table (uapi/ferry/initcaps.h),
 *   the strings, 16 AT_RANDOM bytes ending at the stack's top.
 * docs/loader.md lists the auxv entries.
 */
#ifndef FERRY_STACK_BUILD_H
#define FERRY_STACK_BUILD_H

#include <stddef.h>
#include <stdint.h>

#include <ferry/elf_load.h>
#include <uapi/ferry/cap.h>

/* One initial capability to name in the new process's table. */
struct fy_initcap_spec {
	const char *name; /* 1..INITCAP_NAME_MAX-1 chars, 0x21..0x7e */
	cap_t cap;	  /* its slot in the new process, >= 0 */
	uint32_t rights;  /* CAP_RIGHT_* bits, recorded for the process */
};

struct fy_stack_args {
	const char *const *argv; /* NULL-terminated; argv[0] required */
	const char *const *envp; /* NULL-terminated, or NULL for none */
	const struct fy_initcap_spec *caps; /* ncaps entries */
	size_t ncaps;			    /* 0: no AT_FERRY_CAPS entry */
	const struct fy_elf_info *elf;	    /* AT_PHDR/PHENT/PHNUM/ENTRY */
	const uint8_t *random;		    /* 16 fresh bytes: AT_RANDOM */
	uint64_t hwcap2;		    /* AT_HWCAP2 */
	const char *execfn; /* AT_EXECFN's path; NULL: argv[0] */
};

/*
 * The bytes the stack for `a` takes below its (16-byte aligned) top:
 * the smallest `size` fy_stack_build accepts. Returns it, or
 *   -EINVAL        a NULL argv, argv[0], elf or random; a cap name
 *                  empty or with a byte outside 0x21..0x7e; a negative
 *                  cap slot; rights outside CAP_RIGHT_ALL;
 *   -E2BIG         more than SPAWN_MAX_ARGS argv + envp entries, more
 *                  than SPAWN_MAX_STRINGS bytes of their strings (NULs
 *                  included), more than INITCAPS_MAX caps;
 *   -ENAMETOOLONG  a cap name of INITCAP_NAME_MAX characters or more,
 *                  an execfn of PATH_MAX_FERRY bytes or more;
 *   -EEXIST        two caps with the same name.
 */
long fy_stack_size(const struct fy_stack_args *a);

/*
 * Builds the stack for `a` into buf[0..size), which will appear at user
 * addresses [stack_top - size, stack_top) of the new process; pointers
 * on it are those user addresses. Returns the initial stack pointer (the
 * user address of argc, 16-byte aligned), or the errors of fy_stack_size,
 * -EINVAL for a NULL buf or a stack_top not 16-byte aligned or below
 * size, -ERANGE for a size below fy_stack_size(a). The rest of buf below
 * the stack pointer is left as it was.
 */
long fy_stack_build(void *buf, size_t size, uint64_t stack_top,
		    const struct fy_stack_args *a);

#endif
