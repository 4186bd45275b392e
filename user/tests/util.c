#include <elf.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <time.h>

#include <ferry/ferry.h>

#include "tap.h"
#include "util.h"

void touch_own_pages(void)
{
	const Elf64_Phdr *ph = (const Elf64_Phdr *)getauxval(AT_PHDR);
	unsigned long n = getauxval(AT_PHNUM);

	for (unsigned long i = 0; ph && i < n; i++) {
		uintptr_t p = ph[i].p_vaddr & ~(PAGE_SIZE_4K - 1);

		if (ph[i].p_type != PT_LOAD)
			continue;
		for (; p < ph[i].p_vaddr + ph[i].p_memsz; p += PAGE_SIZE_4K) {
			volatile char *c = (volatile char *)p;

			if (ph[i].p_flags & PF_W)
				*c = *c; /* its own copy, now */
			else
				(void)*c;
		}
	}
}

void *unmapped_ptr(void)
{
	void *p = mmap(0, PAGE_SIZE_4K, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return (void *)0x600000000000ul; /* hopefully nothing there */
	munmap(p, PAGE_SIZE_4K);
	return p;
}

long spawn_wait(const char *path, const char *const *argv)
{
	static const char *const envp[] = {"PATH=/", NULL};
	const char *const self[] = {path, NULL};
	long proc, status;

	proc = fy_spawn(path, argv ? argv : self, envp);
	if (proc < 0)
		return proc;
	status = fy_proc_wait((cap_t)proc);
	fy_cap_delete((cap_t)proc);
	return status;
}

void counts_settle(long f0, long o0)
{
	const struct timespec ms = {0, 1000000};

	for (int i = 0; i < 100; i++) {
		if (fy_kstat(KSTAT_FREE_FRAMES) == f0 &&
		    fy_kstat(KSTAT_LIVE_OBJECTS) == o0)
			return;
		fy_yield();
		nanosleep(&ms, NULL);
	}
}

long objects_quiesce(void)
{
	const struct timespec ms2 = {0, 2000000};
	long o = fy_kstat(KSTAT_LIVE_OBJECTS);

	for (int i = 0, same = 0; i < 100 && same < 3; i++) {
		long now;

		nanosleep(&ms2, NULL);
		now = fy_kstat(KSTAT_LIVE_OBJECTS);
		same = now == o ? same + 1 : 0;
		o = now;
	}
	return o;
}

long spawn_platform(const char *path, const char *const *argv,
		    const char *const *envp, long prio, long mcp)
{
	static const char *const names[] = {"platform"};
	cap_t caps[] = {fy_platform_cap()};
	struct fy_spawn_attr a = {.prio = prio,
				  .mcp = mcp,
				  .ncaps = 1,
				  .names = names,
				  .caps = caps};

	return fy_spawn_caps(path, argv, envp, &a);
}

void side_stop_check(long t, atomic_int *stop, atomic_int *rounds,
		     atomic_int *bad, const char *what)
{
	atomic_store(stop, 1);
	for (int i = 0; i < 1000 && t >= 0; i++)
		fy_yield();
	tap_ok(atomic_load(rounds) > 0 && !atomic_load(bad),
	       "the other thread kept its %s over %d switches (%d bad)", what,
	       atomic_load(rounds), atomic_load(bad));
	if (t >= 0)
		fy_cap_delete((cap_t)t);
}

void echo_open(struct echo_conn *e)
{
	e->proc =
		fy_spawn("helpers/ipc_echo",
			 (const char *const[]){"helpers/ipc_echo", NULL}, NULL);
	e->server = e->proc >= 0
			    ? fy_cap_fetch((cap_t)e->proc, CAP_SELF_MAIN_THREAD,
					   CAP_RIGHT_CALL)
			    : -1;
	tap_ok(e->server >= 0 &&
		       ipc_connect((cap_t)e->server, 4096, &e->conn) == 0,
	       "connect to helpers/ipc_echo");
}

void echo_close(struct echo_conn *e)
{
	ipc_close(&e->conn);
	fy_proc_kill((cap_t)e->proc);
	fy_proc_wait((cap_t)e->proc);
	fy_cap_delete((cap_t)e->server);
	fy_cap_delete((cap_t)e->proc);
}
