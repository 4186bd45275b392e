/*
 * syscall_regs: which registers a system call and an IPC round trip give
 * back, now that the entry saves less on some paths (issue 11): the fast
 * IPC return reserves, without saving, the room of the registers C keeps
 * (stored only if it falls back to the general path), and a plain
 * handler is entered at its routine with a return address planted on
 * its stack.
 *
 * As on Linux (the x86_64 syscall ABI: rcx and r11 are the CPU's, rax
 * the result), a system call leaves every other register as it was. A
 * handler's registers at entry hold nothing of its client's. A handler
 * whose return is refused (the general path's -EINVAL for too many caps)
 * gets its own registers back. The client's flags (DF, AC set for every
 * call) come back to it and never reach the handler, whose registers at
 * entry hold no kernel address either.
 *
 * The program runs itself again as the server ("syscall_regs server").
 */
#include <ferry/ipc.h>
#include <stdint.h>
#include <string.h>

#include "tap.h"

#define STR(x) #x
#define XSTR(x) STR(x)

/* The client's values carry this in their top half: a handler must see none. */
#define TAG 0xC11E4700u
#define TAGGED(i) (((uint64_t)TAG << 32) | (uint64_t)(i))

/* Indexes of regs_probe's arrays: rax first, then what must survive. */
enum {
	R_RAX,
	R_RBX,
	R_RBP,
	R_R12,
	R_R13,
	R_R14,
	R_R15,
	R_RSI,
	R_RDX,
	R_R8,
	R_R9,
	R_R10,
	R_RDI,
	NR
};
static const char *const reg_names[NR] = {"rax", "rbx", "rbp", "r12", "r13",
					  "r14", "r15", "rsi", "rdx", "r8",
					  "r9",	 "r10", "rdi"};

/*
 * Loads every register from in[] (rax the number), makes the system
 * call with DF and AC set, stores every register into out[] and the
 * flags after the call into out[NR], then clears DF and AC again (C
 * wants DF clear). rcx and r11 are the CPU's.
 */
void regs_probe(const uint64_t *in, uint64_t *out);
__asm__(".text\n"
	"regs_probe:\n"
	"	pushq %rbx\n"
	"	pushq %rbp\n"
	"	pushq %r12\n"
	"	pushq %r13\n"
	"	pushq %r14\n"
	"	pushq %r15\n"
	"	pushq %rsi\n" /* out, at 0(%rsp) after the call */
	"	movq 8(%rdi), %rbx\n"
	"	movq 16(%rdi), %rbp\n"
	"	movq 24(%rdi), %r12\n"
	"	movq 32(%rdi), %r13\n"
	"	movq 40(%rdi), %r14\n"
	"	movq 48(%rdi), %r15\n"
	"	movq 56(%rdi), %rsi\n"
	"	movq 64(%rdi), %rdx\n"
	"	movq 72(%rdi), %r8\n"
	"	movq 80(%rdi), %r9\n"
	"	movq 88(%rdi), %r10\n"
	"	movq 0(%rdi), %rax\n"
	"	movq 96(%rdi), %rdi\n"
	"	pushfq\n"
	"	orq $0x40400, (%rsp)\n" /* AC, DF */
	"	popfq\n"
	"	syscall\n"
	"	pushfq\n"
	"	popq %r11\n"
	"	pushq $0x202\n"
	"	popfq\n"
	"	movq 0(%rsp), %rcx\n"
	"	movq %r11, 104(%rcx)\n"
	"	movq %rax, 0(%rcx)\n"
	"	movq %rbx, 8(%rcx)\n"
	"	movq %rbp, 16(%rcx)\n"
	"	movq %r12, 24(%rcx)\n"
	"	movq %r13, 32(%rcx)\n"
	"	movq %r14, 40(%rcx)\n"
	"	movq %r15, 48(%rcx)\n"
	"	movq %rsi, 56(%rcx)\n"
	"	movq %rdx, 64(%rcx)\n"
	"	movq %r8, 72(%rcx)\n"
	"	movq %r9, 80(%rcx)\n"
	"	movq %r10, 88(%rcx)\n"
	"	movq %rdi, 96(%rcx)\n"
	"	addq $8, %rsp\n"
	"	popq %r15\n"
	"	popq %r14\n"
	"	popq %r13\n"
	"	popq %r12\n"
	"	popq %rbp\n"
	"	popq %rbx\n"
	"	ret\n");

/*
 * The server's handler, entered by the kernel at this very address
 * (libferry makes a plain handler's routine its thread's entry): it
 * records every register it was entered with, then goes on in C with
 * its arguments and return address untouched.
 */
uint64_t entry_regs[14]; /* rax, rbx, rcx, rdx, rbp, r8-r15, rflags */
long reg_handler(struct ipc_msg *msg, uint64_t badge);
long reg_handler_c(struct ipc_msg *msg, uint64_t badge);
__asm__(".text\n"
	"reg_handler:\n"
	"	movq %rax, entry_regs+0(%rip)\n"
	"	movq %rbx, entry_regs+8(%rip)\n"
	"	movq %rcx, entry_regs+16(%rip)\n"
	"	movq %rdx, entry_regs+24(%rip)\n"
	"	movq %rbp, entry_regs+32(%rip)\n"
	"	movq %r8, entry_regs+40(%rip)\n"
	"	movq %r9, entry_regs+48(%rip)\n"
	"	movq %r10, entry_regs+56(%rip)\n"
	"	movq %r11, entry_regs+64(%rip)\n"
	"	movq %r12, entry_regs+72(%rip)\n"
	"	movq %r13, entry_regs+80(%rip)\n"
	"	movq %r14, entry_regs+88(%rip)\n"
	"	movq %r15, entry_regs+96(%rip)\n"
	"	pushfq\n"
	"	popq entry_regs+104(%rip)\n"
	"	jmp reg_handler_c\n");

/*
 * Sets rbx, rbp, r12-r15 to known values, asks ipc_return for 1000
 * caps (refused, -EINVAL: the fast return falls back, having only
 * reserved those six registers' room), and returns that error if all
 * six came back, else 0x7777.
 */
long refused_return(void);
/* clang-format off */
__asm__(".text\n"
	"refused_return:\n"
	"	pushq %rbx\n"
	"	pushq %rbp\n"
	"	pushq %r12\n"
	"	pushq %r13\n"
	"	pushq %r14\n"
	"	pushq %r15\n"
	"	movabsq $0x5151000000000001, %rbx\n"
	"	movabsq $0x5151000000000002, %rbp\n"
	"	movabsq $0x5151000000000003, %r12\n"
	"	movabsq $0x5151000000000004, %r13\n"
	"	movabsq $0x5151000000000005, %r14\n"
	"	movabsq $0x5151000000000006, %r15\n"
	"	xorl %edi, %edi\n"
	"	movl $1000, %esi\n"
	"	movl $" XSTR(SYS_ipc_return) ", %eax\n"
	"	syscall\n"
	"	movabsq $0x5151000000000001, %rcx\n"
	"	cmpq %rcx, %rbx\n"
	"	jne 2f\n"
	"	movabsq $0x5151000000000002, %rcx\n"
	"	cmpq %rcx, %rbp\n"
	"	jne 2f\n"
	"	movabsq $0x5151000000000003, %rcx\n"
	"	cmpq %rcx, %r12\n"
	"	jne 2f\n"
	"	movabsq $0x5151000000000004, %rcx\n"
	"	cmpq %rcx, %r13\n"
	"	jne 2f\n"
	"	movabsq $0x5151000000000005, %rcx\n"
	"	cmpq %rcx, %r14\n"
	"	jne 2f\n"
	"	movabsq $0x5151000000000006, %rcx\n"
	"	cmpq %rcx, %r15\n"
	"	jne 2f\n"
	"	jmp 4f\n"
	"2:\n"
	"	movl $0x7777, %eax\n"
	"4:\n"
	"	popq %r15\n"
	"	popq %r14\n"
	"	popq %r13\n"
	"	popq %r12\n"
	"	popq %rbp\n"
	"	popq %rbx\n"
	"	ret\n");
/* clang-format on */

/*
 * No message: the mask of registers (bit i: entry_regs[i]) that held a
 * value of the client's (TAG in the top half). A message: the refused
 * return's check.
 */
long reg_handler_c(struct ipc_msg *msg, uint64_t badge)
{
	long mask = 0;

	(void)badge;
	if (msg)
		return refused_return();
	for (int i = 0; i < 13; i++) {
		if ((uint32_t)(entry_regs[i] >> 32) == TAG)
			mask |= 1l << i;
		/* Nor anything of the kernel's (an address in its half). */
		if (entry_regs[i] >= 0xffff800000000000ull)
			mask |= 1l << 14;
	}
	/* The client's DF and AC (and any TF) stay with the client. */
	if (entry_regs[13] & 0x40500)
		mask |= 1l << 13;
	return mask;
}

static int server(void)
{
	if (ipc_serve(reg_handler, NULL) < 0)
		return 1;
	fy_thread_exit();
}

/* One system call through regs_probe: rax as wanted, the rest intact. */
static void probe(const char *what, uint64_t nr, const uint64_t *args,
		  long want)
{
	uint64_t in[NR], out[NR + 1];
	int bad = -1;

	for (int i = 0; i < NR; i++)
		in[i] = TAGGED(i);
	in[R_RAX] = nr;
	/* The arguments the call reads: rdi, rsi, rdx, r10. */
	if (args) {
		in[R_RDI] = args[0];
		in[R_RSI] = args[1];
		in[R_RDX] = args[2];
		in[R_R10] = args[3];
	}
	memset(out, 0, sizeof(out));
	regs_probe(in, out);
	for (int i = 1; i < NR && bad < 0; i++)
		if (out[i] != in[i])
			bad = i;
	tap_eq((long)out[R_RAX], want, "%s: the result", what);
	tap_ok(bad < 0, "%s: every register but rax, rcx, r11 as it was%s%s",
	       what, bad < 0 ? "" : ", not ", bad < 0 ? "" : reg_names[bad]);
	/* As Linux (r11 restores them): the caller's DF and AC come back. */
	tap_eq((long)(out[NR] & 0x40400), 0x40400, "%s: DF and AC as they were",
	       what);
}

int main(int argc, char **argv)
{
	const char *sargv[] = {"tests/syscall_regs", "server", NULL};
	struct ipc_conn c;
	long proc, srv, r;

	if (argc > 1 && !strcmp(argv[1], "server"))
		return server();

	probe("SYS_null", SYS_null, NULL, 0);
	probe("SYS_yield", SYS_yield, NULL, 0);
	/* getpid(2) always succeeds; a Linux number from a native program. */
	probe("getpid", 39, NULL, fy_syscall0(39));
	/* A number no table has: -ENOSYS, as on Linux (syscall(2)). */
	probe("number 999", 999, NULL, -ENOSYS);

	proc = fy_spawn("tests/syscall_regs", sargv, NULL);
	srv = proc >= 0 ? fy_cap_fetch((cap_t)proc, CAP_SELF_MAIN_THREAD,
				       CAP_RIGHT_CALL)
			: -1;
	tap_ok(srv >= 0 && ipc_connect((cap_t)srv, 4096, &c) == 0,
	       "connect to the server");
	if (srv < 0)
		return tap_done();

	/* An empty call: the fast path both ways (or the general path). */
	uint64_t call[4] = {(uint64_t)c.cap, 0, 0, 0};

	for (int i = 0; i < 3; i++)
		probe("ipc_call, empty", SYS_ipc_call, call, 0);

	/* A call with a message: the handler's refused return. */
	struct ipc_msg *m = ipc_msg_init(&c, 8, 0);

	tap_ok(m != NULL, "a message fits the shm");
	call[1] = (uint64_t)m;
	for (int i = 0; i < 3; i++)
		probe("ipc_call, a refused return first", SYS_ipc_call, call,
		      -EINVAL);
	/* And after it, empty calls again find the handler clean. */
	call[1] = 0;
	probe("ipc_call, empty after", SYS_ipc_call, call, 0);
	r = ipc_call(&c, NULL, 0);
	tap_eq(r, 0, "ipc_call: the handler saw none of our registers");

	ipc_close(&c);
	fy_proc_kill((cap_t)proc);
	fy_proc_wait((cap_t)proc);
	fy_cap_delete((cap_t)srv);
	fy_cap_delete((cap_t)proc);
	return tap_done();
}
