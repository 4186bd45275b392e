/*
 * Makes unstarted processes and exits without deleting a cap to any of
 * them (tests/proc_create): one empty, one with a held thread, a stack
 * and a PMO in its table, and two holding each other. Its exit must take
 * them all down. argv[1] "kill": ends by SYS_proc_kill on itself
 * instead of returning.
 */
#include <string.h>

#include <ferry/ferry.h>

/* jmp . : never runs (the process is never started). */
static const unsigned char spin[] = {0xeb, 0xfe};

int main(int argc, char **argv)
{
	long a = fy_proc_create("orphan_a", 0);
	long b = fy_proc_create("orphan_b", PROC_CREATE_NATIVE);
	long c = fy_proc_create("orphan_c", 0);
	long d = fy_proc_create("orphan_d", 0);
	long code = fy_pmo_create(4096, PMO_DATA);
	long stack = fy_pmo_create(4096, PMO_ANONYMOUS);

	if (a < 0 || b < 0 || c < 0 || d < 0 || code < 0 || stack < 0)
		return 2;
	if (fy_pmo_write((cap_t)code, 0, spin, sizeof(spin)) ||
	    fy_pmo_map((cap_t)b, (cap_t)code, 0x400000, VM_READ | VM_EXEC) ||
	    fy_pmo_map((cap_t)b, (cap_t)stack, 0x600000, VM_READ | VM_WRITE))
		return 3;
	if (fy_syscall5(SYS_thread_create, b, 0x400000, 0x601000, 0, 0) < 0)
		return 4;
	if (fy_cap_transfer((cap_t)b, (cap_t)code, CAP_RIGHT_ALL, 3) != 3 ||
	    fy_cap_transfer((cap_t)c, (cap_t)d, CAP_RIGHT_ALL, 2) != 2 ||
	    fy_cap_transfer((cap_t)d, (cap_t)c, CAP_RIGHT_ALL, 2) != 2)
		return 5;
	if (argc > 1 && !strcmp(argv[1], "kill"))
		fy_proc_kill(CAP_SELF_GROUP);
	return 0;
}
