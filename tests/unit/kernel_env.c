/*
 * The shared fixture (kernel_env.h). The arena is 4096-aligned, as real
 * RAM would be; frame_init() keeps its page array at the front, so the
 * first managed frame lies somewhat above the arena start.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "kernel_env.h"
#include <mm/frame.h>
#include <mm/kmalloc.h>
#include <object/object.h>
#include <sched/sched.h>

static void *arena;
static paddr_t zone_base;

/* Frames taken by kenv_take_all_frames(), linked through their first word. */
static paddr_t taken;

void kenv_boot(void)
{
	paddr_t pa;

	if (arena)
		return;
	if (posix_memalign(&arena, 4096, KENV_ARENA_SIZE))
		abort();
	frame_init(kenv_arena_start(), kenv_arena_end());
	for (pa = kenv_arena_start(); !frame_to_page(pa); pa += PAGE_SIZE)
		;
	zone_base = pa;
	sched_init();
}

paddr_t kenv_arena_start(void)
{
	return (paddr_t)arena;
}

paddr_t kenv_arena_end(void)
{
	return (paddr_t)arena + KENV_ARENA_SIZE;
}

paddr_t kenv_zone_base(void)
{
	return zone_base;
}

static void check_back(const char *what, size_t now, size_t before)
{
	if (now != before)
		fail_msg("leak check: %s %zu at the end, %zu at the start",
			 what, now, before);
}

void kenv_run(void **state)
{
	void (*fn)(void **) = (void (*)(void **)) * state;
	size_t frames, objects, kbytes;

	kenv_boot();
	frames = frame_free_count();
	objects = obj_live_count(OBJ_TYPE_NONE);
	kbytes = kmalloc_bytes_in_use();
	fn(state);
	check_back("free frames", frame_free_count(), frames);
	check_back("live objects", obj_live_count(OBJ_TYPE_NONE), objects);
	check_back("kmalloc bytes", kmalloc_bytes_in_use(), kbytes);
}

void kenv_run_forked(void **state)
{
	static const int fatal[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGSYS};
	int status;
	pid_t pid;

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		/*
		 * cmocka's handlers would resume the test list in the child:
		 * a failure must end the child instead (CMOCKA_TEST_ABORT
		 * makes a failed assertion abort).
		 */
		for (size_t i = 0; i < sizeof(fatal) / sizeof(fatal[0]); i++)
			signal(fatal[i], SIG_DFL);
		setenv("CMOCKA_TEST_ABORT", "1", 1);
		kenv_run(state);
		fflush(stdout);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (WIFSIGNALED(status))
		fail_msg("the case's child died of signal %d (report above)",
			 WTERMSIG(status));
	if (WEXITSTATUS(status) != 0)
		fail_msg("the case's child exited with %d (report above)",
			 WEXITSTATUS(status));
}

size_t kenv_take_all_frames(void)
{
	size_t n = 0;
	paddr_t pa;

	while ((pa = frame_alloc(0))) {
		*(paddr_t *)phys_to_virt(pa) = taken;
		taken = pa;
		n++;
	}
	return n;
}

size_t kenv_give_frames(size_t n)
{
	size_t given = 0;

	while (taken && given < n) {
		paddr_t pa = taken;

		taken = *(paddr_t *)phys_to_virt(pa);
		frame_free(pa);
		given++;
	}
	return given;
}
