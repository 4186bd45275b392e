/*
 * The fixture shared by the hosted tests of memory and objects: a frame
 * arena handed to the real buddy allocator, the scheduler's idle thread
 * as `current`, and leak accounting around every case.
 *
 * Tests include cmocka (and what it needs) before this header.
 */
#ifndef TESTS_UNIT_KERNEL_ENV_H
#define TESTS_UNIT_KERNEL_ENV_H

#include <setjmp.h>

#include "host_stubs.h"
#include <lib/types.h>

/*
 * 32 MiB: order-FRAME_MAX_ORDER blocks plus smaller ones, and room for
 * an address space of VMSPACE_MAX_REGIONS (65,530) regions.
 */
#define KENV_ARENA_SIZE (32ul << 20)

/* Sets the kernel up once per process; later calls do nothing. */
void kenv_boot(void);

/* The arena as given to frame_init(), and the first frame it manages. */
paddr_t kenv_arena_start(void);
paddr_t kenv_arena_end(void);
paddr_t kenv_zone_base(void);

/*
 * A case run by kenv_run(): it boots, records free frames, live objects
 * and kmalloc bytes, runs the case, and fails it unless all three are
 * back. The check sits in the case itself (not a cmocka teardown) so a
 * leak counts as that case's failure.
 */
void kenv_run(void **state);

#define kenv_test(fn)                                                          \
	{                                                                      \
		.name = #fn, .test_func = kenv_run,                            \
		.initial_state = (void *)(fn)                                  \
	}

/*
 * The same, in a forked child: for a case that hits a known kernel bug
 * the sanitizers abort on, so that it fails alone instead of taking the
 * rest of the binary with it. The child's state never comes back.
 */
void kenv_run_forked(void **state);

#define kenv_test_forked(fn)                                                   \
	{                                                                      \
		.name = #fn, .test_func = kenv_run_forked,                     \
		.initial_state = (void *)(fn)                                  \
	}

/*
 * Frame exhaustion: takes every free frame, one at a time, into a list
 * threaded through the frames themselves, and gives them back.
 */
size_t kenv_take_all_frames(void);
/* Gives back up to n of the taken frames; returns how many it gave. */
size_t kenv_give_frames(size_t n);
static inline void kenv_give_all_frames(void)
{
	kenv_give_frames((size_t)-1);
}

/* Runs stmt and checks that it stops the kernel with a BUG/panic. */
#define assert_kernel_halts(stmt)                                              \
	do {                                                                   \
		jmp_buf jb_;                                                   \
		host_halt_jmp = &jb_;                                          \
		if (setjmp(jb_) == 0) {                                        \
			stmt;                                                  \
			host_halt_jmp = NULL;                                  \
			fail_msg("%s did not halt the kernel", #stmt);         \
		}                                                              \
		host_halt_jmp = NULL;                                          \
	} while (0)

#endif
