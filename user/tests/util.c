#include <sys/mman.h>

#include <ferry/ferry.h>

#include "util.h"

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
