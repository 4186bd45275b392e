/*
 * A hostile program against the CPU's ways into the kernel: `int n` for
 * every vector 0-255 (only #BP's gate may be user-callable: `int 14`
 * would otherwise fake a page fault with no error code, `int 32` a timer
 * interrupt), privileged instructions, selectors and far returns ring 3
 * must not use, iretq from user mode with NT/IOPL/kernel selectors, the
 * "mov ss" delayed-trap tricks before syscall and int3 (CVE-2018-8897),
 * bad MXCSR images, an x87 exception left pending across the kernel's
 * fxsave/fxrstor, AVX/XSAVE where the CPU model has none. Each case runs
 * in a child (this program with argv[1], hostile_cases.h), which must be
 * killed by the signal Linux 6.1 kills it with, and the kernel must live.
 *
 * Expected signals are Linux 6.1's in the same QEMU (-cpu qemu64; the
 * same cases under ../shared/linux-ref). Differences, on purpose:
 *   - `int $0x80` is Linux's 32-bit system call (IA32 emulation); Ferry
 *     has no 32-bit ABI, so its gate is DPL 0 and the program gets
 *     SIGSEGV, as on a Linux without IA32 emulation.
 * Then, in this process: the FPU/SSE state (x87 control word and
 * registers, MXCSR, XMM0-15) comes back exactly across system calls, a
 * thread switch, an IPC call into another process, a page fault and
 * timer interrupts, and FS/GS bases set to kernel addresses survive
 * every entry (they are the user's, never the kernel's).
 */
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <ferry/ferry.h>
#include <ferry/ipc.h>

#include "hostile_cases.h"
#include "tap.h"
#include "util.h"

#define SIG(s) PROC_STATUS_KILLED(PROC_SIG_##s)
#define SURVIVED PROC_STATUS_EXITED(100)
/* Results that depend on the CPU model (tools/qemu.sh has both). */
#define SMAP_ONLY (-1L)	    /* SIGSEGV with SMAP, else survives */
#define FSGSBASE_ONLY (-2L) /* survives with FSGSBASE, else SIGILL */

/* CPUID leaf 7 (EBX), which user code may read: FSGSBASE, SMAP. */
static int cpu_has(unsigned bit)
{
	unsigned a = 7, b, c = 0, d;

	__asm__ volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
	return (b >> bit) & 1;
}
#define CPUID7_FSGSBASE 0
#define CPUID7_SMAP 20

/* Each case and how Linux 6.1 ends it (signal, or exit 100: survived). */
static const struct {
	const char *how;
	long status;
} cases[] = {
	/* Privileged at CPL 3: #GP(0), SIGSEGV. */
	{"cli", SIG(SEGV)},
	{"sti", SIG(SEGV)},
	{"hlt", SIG(SEGV)},
	{"in", SIG(SEGV)}, /* IOPL 0 and no I/O bitmap in the TSS */
	{"out", SIG(SEGV)},
	{"outdx", SIG(SEGV)}, /* the isa-debug-exit port */
	{"ins", SIG(SEGV)},
	{"rdmsr", SIG(SEGV)},
	{"wrmsr", SIG(SEGV)},
	{"movcr3", SIG(SEGV)},
	{"movcr4", SIG(SEGV)},
	{"movdr7", SIG(SEGV)}, /* no user debug registers */
	{"getdr6", SIG(SEGV)},
	{"lidt", SIG(SEGV)},
	{"lgdt", SIG(SEGV)},
	{"ltr", SIG(SEGV)},
	{"lldt", SIG(SEGV)},
	{"clts", SIG(SEGV)},
	{"invlpg", SIG(SEGV)},
	{"wbinvd", SIG(SEGV)},
	{"swapgs", SIG(SEGV)},
	{"sysret", SIG(SEGV)},
	{"rdpmc", SIG(SEGV)}, /* CR4.PCE off */
	{"iopl-cli", SIG(SEGV)},
	{"iretq-iopl", SIG(SEGV)},
	/* Selectors: #GP(selector). */
	{"ds-kcode", SIG(SEGV)},
	{"ds-kdata", SIG(SEGV)},
	{"ds-tss", SIG(SEGV)}, /* Linux's GDT has user data there: it lives */
	{"ds-ldt", SIG(SEGV)},
	{"ds-limit", SIG(SEGV)},
	{"ss-null", SIG(SEGV)},
	{"ss-code", SIG(SEGV)},
	/*
	 * Far calls and returns, iretq: QEMU 7.2's TCG makes their stack
	 * accesses supervisor accesses, which SMAP refuses (#PF without
	 * PF_USER), even for a good frame. Ferry kills with SIGSEGV; Linux 6.1
	 * on the same model oopses and kills with SIGKILL. Without SMAP (or on
	 * hardware) the bad frames are #GP, SIGSEGV, and the good ones
	 * (-user) live.
	 */
	{"lret-user", SMAP_ONLY},
	{"lcall-user", SMAP_ONLY},
	{"iretq-user", SMAP_ONLY},
	{"lret-kcode", SIG(SEGV)},
	{"lret-kcode3", SIG(SEGV)},
	{"lret-data", SIG(SEGV)},
	{"lret-tss", SIG(SEGV)},
	{"iretq-kcode", SIG(SEGV)},
	{"iretq-ss0", SIG(SEGV)},
	{"iretq-sscode", SIG(SEGV)},
	{"nt-iretq", SIG(SEGV)},
	{"ljmp-kcode", SIG(SEGV)},
	{"lcall-tss", SIG(SEGV)},
	{"jmp-noncanon", SIG(SEGV)},
	{"jmp-kernel", SIG(SEGV)},
	/* Delayed traps into the kernel's entry: SIGTRAP after it. */
	{"movss-tf-syscall", SIG(TRAP)},
	{"popss", SIG(ILL)}, /* pop %ss is #UD in 64-bit mode */
	{"movss-int3", SIG(TRAP)},
	{"movss-tf-int3", SIG(TRAP)},
	{"movss-int80", SIG(SEGV)}, /* Linux: a 32-bit getpid, see above */
	{"tf-df-ac-syscall", SIG(TRAP)},
	/* FPU and SSE. */
	/*
	 * QEMU 7.2's TCG checks no MXCSR reserved bits and raises no SIMD
	 * exception (#XM): these survive there, under Linux as here. (On
	 * hardware: SIGSEGV, SIGSEGV, SIGFPE. The kernel itself never loads
	 * an image a user wrote: fxrstor only reloads its own fxsave.)
	 */
	{"ldmxcsr-bad", SURVIVED},
	{"fxrstor-bad", SURVIVED},
	{"sse-div0", SURVIVED},
	{"x87-pending", SIG(FPE)},
	{"vzeroupper", SIG(ILL)},
	{"xgetbv", SIG(ILL)}, /* CR4.OSXSAVE off */
	{"rdpid", SIG(ILL)},
	{"sysenter", SIG(ILL)}, /* qemu64 is an AMD model: #UD in long mode */
	{"ud2", SIG(ILL)},
	/*
	 * QEMU 7.2's TCG takes any value (hardware: #GP); Linux with
	 * +fsgsbase lives too; without FSGSBASE it is #UD (Linux's
	 * qemu64: SIGILL). Nothing in the kernel trusts the base.
	 */
	{"wrfsbase-noncanon", FSGSBASE_ONLY},
};

static long run_case(const char *how)
{
	const char *argv[] = {"tests/cpu_hostile", how, NULL};

	return spawn_wait(argv[0], argv);
}

static void test_cases(void)
{
	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		long want = cases[i].status;

		if (want == SMAP_ONLY)
			want = cpu_has(CPUID7_SMAP) ? SIG(SEGV) : SURVIVED;
		else if (want == FSGSBASE_ONLY)
			want = cpu_has(CPUID7_FSGSBASE) ? SURVIVED : SIG(ILL);
		tap_eq(run_case(cases[i].how), want, "%s: the child %s %ld",
		       cases[i].how,
		       want == SURVIVED ? "lives: exit" : "is killed: signal",
		       want == SURVIVED ? 100 : want);
	}
}

/*
 * int $n from ring 3 reaches a gate only if its DPL is 3: #BP (int3,
 * SIGTRAP). Every other vector, present or beyond the IDT's limit, is a
 * #GP (SIGSEGV); in particular the exception vectors that push an error
 * code (8, 10-14, 17) and the PIC's IRQs, whose handlers would misread
 * the frame or EOI an interrupt that never came.
 */
static void test_int_vectors(void)
{
	int bad = 0, first = -1;
	long first_status = 0;
	char how[16];

	for (int n = 0; n < 256; n++) {
		long want = n == 3 ? SIG(TRAP) : SIG(SEGV), got;

		snprintf(how, sizeof(how), "int:%d", n);
		got = run_case(how);
		if (got != want && !bad++) {
			first = n;
			first_status = got;
		}
	}
	tap_ok(!bad,
	       "int $n for n = 0..255: SIGTRAP for 3, SIGSEGV for all others "
	       "(%d wrong, first: int $%d gave status %lx)",
	       bad, first, first_status);
}

/*
 * The FPU state: an fxsave image with patterns in the x87 control word,
 * ST0-7, MXCSR and XMM0-15. fpu_probe() loads it, makes one system call
 * (a[0] = number, a[1..3] = arguments) or touches a byte (a[0] = -1,
 * a[1] = address), or spins a[1] times (a[0] = -2), then saves the live
 * state: nothing in between uses the FPU.
 */
static uint8_t img_main[512] __attribute__((aligned(16)));
static uint8_t img_side[512] __attribute__((aligned(16)));
static uint8_t img_out[512] __attribute__((aligned(16)));
long fpu_probe(const uint8_t *in, const uint64_t *a, uint8_t *out);
__asm__(".text\n"
	"fpu_probe:\n"
	"	fxrstor (%rdi)\n"
	"	movq %rdx, %r9\n"
	"	movq 0(%rsi), %rax\n"
	"	cmpq $-1, %rax\n"
	"	je 1f\n"
	"	cmpq $-2, %rax\n"
	"	je 2f\n"
	"	movq 8(%rsi), %rdi\n"
	"	movq 24(%rsi), %rdx\n"
	"	movq 16(%rsi), %rsi\n"
	"	syscall\n"
	"	jmp 3f\n"
	"1:	movq 8(%rsi), %rdx\n"
	"	movb $1, (%rdx)\n"
	"	jmp 3f\n"
	"2:	movq 8(%rsi), %rcx\n"
	"4:	loop 4b\n"
	"3:	fxsave (%r9)\n"
	"	ret\n");

/* The part of an fxsave image that is state: header, ST0-7, XMM0-15. */
#define FX_STATE_BYTES 416

static void fpu_pattern(uint8_t *img, uint8_t seed, uint16_t fcw,
			uint32_t mxcsr)
{
	__asm__ volatile("fxsave %0" : "=m"(*(uint8_t(*)[512])img));
	memcpy(img, &fcw, 2);
	memcpy(img + 24, &mxcsr, 4);
	for (int i = 0; i < 8; i++) /* ST0-7: 10 bytes each, 16 apart */
		for (int b = 0; b < 10; b++)
			img[32 + 16 * i + b] = (uint8_t)(seed + 7 * i + b);
	for (int i = 0; i < 16 * 16; i++) /* XMM0-15 */
		img[160 + i] = (uint8_t)(seed * 3 + i);
}

static atomic_int side_stop, side_bad, side_rounds;
static char side_stack[16384] __attribute__((aligned(16)));

/* Another thread of ours with its own FPU state, checked after yields. */
static void side(void *arg)
{
	static uint8_t out[512] __attribute__((aligned(16)));
	const uint64_t yield[4] = {24, 0, 0, 0};

	(void)arg;
	while (!atomic_load(&side_stop)) {
		fpu_probe(img_side, yield, out);
		if (memcmp(out, img_side, FX_STATE_BYTES))
			atomic_fetch_add(&side_bad, 1);
		atomic_fetch_add(&side_rounds, 1);
	}
	fy_thread_exit();
}

static char big_buf[1 << 20];

/*
 * Flags and selectors across a long system call, whose preemption points
 * take interrupts in kernel mode (arch_irq_window): every flag ring 3 can
 * set but TF, DS/ES = the user code selector, GS = user data. Returns the
 * result; out[0] = flags after, out[1] = ds | es << 16 | gs << 32.
 */
long long_probe(const uint64_t *a, uint64_t flags, uint64_t *out);
__asm__(".text\n"
	"long_probe:\n"
	"	pushq %rbx\n"
	"	movq %rdx, %rbx\n"
	"	movq %cs, %rax\n"
	"	movl %eax, %ds\n"
	"	movl %eax, %es\n"
	"	movq %ss, %rax\n"
	"	movl %eax, %gs\n"
	"	pushq %rsi\n"
	"	movq 0(%rdi), %rax\n"
	"	movq 16(%rdi), %rsi\n"
	"	movq 24(%rdi), %rdx\n"
	"	movq 8(%rdi), %rdi\n"
	"	xorl %r10d, %r10d\n"
	"	popfq\n"
	"	syscall\n"
	"	pushfq\n"
	"	popq 0(%rbx)\n"
	"	pushq $0x202\n"
	"	popfq\n"
	"	xorl %ecx, %ecx\n"
	"	movw %gs, %cx\n"
	"	shlq $16, %rcx\n"
	"	movw %es, %cx\n"
	"	shlq $16, %rcx\n"
	"	movw %ds, %cx\n"
	"	movq %rcx, 8(%rbx)\n"
	"	xorl %ecx, %ecx\n"
	"	movl %ecx, %ds\n"
	"	movl %ecx, %es\n"
	"	movl %ecx, %gs\n"
	"	popq %rbx\n"
	"	ret\n");

static void test_long_call(void)
{
	/* CF PF AF ZF SF IF DF OF NT AC ID, and the fixed bit 1 */
	const uint64_t flags = 0x244ed7;
	uint64_t a[4] = {318, (uint64_t)big_buf, sizeof(big_buf), 0};
	uint64_t out[2] = {0, 0}, cs, ss;
	long r = long_probe(a, flags, out);

	__asm__("movq %%cs, %0\n\tmovq %%ss, %1" : "=r"(cs), "=r"(ss));
	tap_ok(r == (long)sizeof(big_buf) && out[0] == flags &&
		       out[1] == (cs | cs << 16 | ss << 32),
	       "a 1 MiB getrandom with every flag set and DS/ES/GS loaded "
	       "gives back %ld, flags %lx, selectors %lx",
	       r, out[0], out[1]);
}

static void test_fpu(cap_t conn_cap)
{
	static const struct {
		const char *what;
		uint64_t a[4];
	} calls[] = {
		{"getpid", {39, 0, 0, 0}},
		{"SYS_null", {SYS_null, 0, 0, 0}},
		{"an unknown number", {999, 0, 0, 0}},
		{"sched_yield (a switch)", {24, 0, 0, 0}},
		{"nanosleep 0", {35, 0, 0, 0}},
	};
	uint64_t a[4];
	char *page;
	long t;

	/* Round to zero, flush to zero, DAZ; x87 53-bit, round up. */
	fpu_pattern(img_main, 0x11, 0x0a7f, 0xff80 | 0x40);
	fpu_pattern(img_side, 0x5c, 0x037f, 0x1f80);
	a[0] = SYS_null;
	fpu_probe(img_main, a, img_out);
	tap_ok(!memcmp(img_out, img_main, FX_STATE_BYTES),
	       "fxrstor then fxsave gives the image back (the probe works)");

	t = fy_thread_create(CAP_SELF_GROUP, side,
			     side_stack + sizeof(side_stack), NULL, 0);
	tap_ok(t >= 0, "start a second thread with its own FPU state");
	for (unsigned i = 0; i < sizeof(calls) / sizeof(calls[0]); i++) {
		int bad = 0;

		for (int k = 0; k < 20; k++) {
			memset(img_out, 0, sizeof(img_out));
			fpu_probe(img_main, calls[i].a, img_out);
			bad += !!memcmp(img_out, img_main, FX_STATE_BYTES);
		}
		tap_ok(!bad,
		       "the FPU state comes back exactly across %s "
		       "(%d of 20 bad)",
		       calls[i].what, bad);
	}
	/* A long call: preemption points, interrupts taken in the kernel. */
	a[0] = 318; /* getrandom */
	a[1] = (uint64_t)big_buf;
	a[2] = sizeof(big_buf);
	a[3] = 0;
	memset(img_out, 0, sizeof(img_out));
	tap_ok(fpu_probe(img_main, a, img_out) == (long)sizeof(big_buf) &&
		       !memcmp(img_out, img_main, FX_STATE_BYTES),
	       "the FPU state comes back exactly across a 1 MiB getrandom "
	       "(preemption windows)");
	/* An IPC call: the handler runs in another process on our CPU. */
	a[0] = SYS_ipc_call;
	a[1] = conn_cap;
	a[2] = a[3] = 0;
	memset(img_out, 0, sizeof(img_out));
	tap_ok(fpu_probe(img_main, a, img_out) > 0 &&
		       !memcmp(img_out, img_main, FX_STATE_BYTES),
	       "the FPU state comes back exactly across an IPC call");
	/* Exceptions and interrupts. */
	page = mmap(0, PAGE_SIZE_4K, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	a[0] = (uint64_t)-1;
	a[1] = (uint64_t)page;
	memset(img_out, 0, sizeof(img_out));
	fpu_probe(img_main, a, img_out);
	tap_ok(page != MAP_FAILED && page[0] == 1 &&
		       !memcmp(img_out, img_main, FX_STATE_BYTES),
	       "the FPU state comes back exactly across a page fault");
	if (page != MAP_FAILED)
		munmap(page, PAGE_SIZE_4K);
	a[0] = (uint64_t)-2;
	a[1] = 200000000; /* a few ticks under TCG */
	memset(img_out, 0, sizeof(img_out));
	fpu_probe(img_main, a, img_out);
	tap_ok(!memcmp(img_out, img_main, FX_STATE_BYTES),
	       "the FPU state comes back exactly across timer interrupts");

	side_stop_check(t, &side_stop, &side_rounds, &side_bad, "FPU state");
}

/*
 * FS and GS bases at kernel addresses (wrfsbase/wrgsbase take any
 * canonical value): they are the user's, kept across every entry, and
 * the kernel's own GS (swapgs) is unaffected. No TLS use meanwhile.
 */
static uint64_t rdfs(void)
{
	uint64_t v;
	__asm__ volatile("rdfsbase %0" : "=r"(v));
	return v;
}

long base_probe(uint64_t fs, uint64_t gs, const uint64_t *a, uint64_t *out);
__asm__(".text\n"
	"base_probe:\n"
	"	pushq %rbx\n"
	"	movq %rcx, %rbx\n"
	"	rdfsbase %r8\n"
	"	rdgsbase %r9\n"
	"	pushq %r8\n"
	"	pushq %r9\n"
	"	wrfsbase %rdi\n"
	"	wrgsbase %rsi\n"
	"	movq 0(%rdx), %rax\n"
	"	movq 16(%rdx), %rsi\n"
	"	movq 8(%rdx), %rdi\n"
	"	xorl %r10d, %r10d\n"
	"	xorl %edx, %edx\n"
	"	syscall\n"
	"	rdfsbase %rcx\n"
	"	movq %rcx, 0(%rbx)\n"
	"	rdgsbase %rcx\n"
	"	movq %rcx, 8(%rbx)\n"
	"	popq %r9\n"
	"	popq %r8\n"
	"	wrgsbase %r9\n"
	"	wrfsbase %r8\n"
	"	popq %rbx\n"
	"	ret\n");

static void test_kernel_bases(cap_t conn_cap)
{
	static const uint64_t bases[] = {
		0xffff800000000000ul, /* the direct map */
		0xffffffff80000000ul, /* the kernel image */
		0xfffffffffffff000ul, /* the top */
		0x00007ffffffff000ul, /* just past user space */
		0x0000800000000000ul, /* non-canonical: TCG takes it */
		0x8000000000000000ul,
	};
	const unsigned nb = sizeof(bases) / sizeof(bases[0]);
	const uint64_t calls[][3] = {{39, 0, 0},
				     {SYS_null, 0, 0},
				     {24, 0, 0},
				     {SYS_ipc_call, conn_cap, 0}};
	int bad = 0;
	uint64_t out[2];
	char what[80] = "";

	for (unsigned b = 0; b < nb; b++)
		for (unsigned c = 0; c < 4; c++) {
			long r = base_probe(bases[b], bases[nb - 1 - b],
					    calls[c], out);

			if (r < 0 || out[0] != bases[b] ||
			    out[1] != bases[nb - 1 - b]) {
				if (!bad++)
					snprintf(what, sizeof(what),
						 "base %u call %u: %ld %lx %lx",
						 b, c, r, out[0], out[1]);
			}
		}
	tap_ok(!bad && rdfs() != 0,
	       "FS/GS bases at kernel addresses survive getpid, SYS_null, a "
	       "switch and an IPC call (%d bad %s)",
	       bad, what);
}

/*
 * Every pc the kernel will later enter user mode at is checked when it is
 * given (thread_create and register_server in cpu_state and ipc_hostile):
 * here the last one, the exit routine of ipc_register_cb_return. The
 * child "regsrv" is a server whose register callback first offers a
 * kernel, a non-canonical and the first non-user address (-EINVAL each),
 * then a good one; its handler answers the first call with 1 if all
 * three were refused.
 */
#define REG_SHM_VA 0x300000000000ul
static char reg_stack[2][8192] __attribute__((aligned(16)));
static long reg_handler = -1, reg_refused[3];

static void reg_handler_entry(struct ipc_msg *m, uint64_t badge)
{
	(void)m;
	(void)badge;
	fy_ipc_return(reg_refused[0] == -EINVAL && reg_refused[1] == -EINVAL &&
			      reg_refused[2] == -EINVAL,
		      0);
	fy_thread_exit();
}

static void reg_exit_entry(void)
{
	fy_ipc_exit_routine_return();
	fy_thread_exit();
}

static void reg_cb_entry(void)
{
	static const uint64_t bad[3] = {0xffff800000000000ul,
					0x0000800000000000ul, 0x7ffffffff000ul};

	for (int i = 0; i < 3; i++)
		reg_refused[i] = fy_ipc_register_cb_return(
			(cap_t)reg_handler, (void *)bad[i], REG_SHM_VA);
	fy_ipc_register_cb_return((cap_t)reg_handler, (void *)reg_exit_entry,
				  REG_SHM_VA);
	fy_thread_exit();
}

static int reg_server(void)
{
	long cb;

	reg_handler = fy_thread_create(
		CAP_SELF_GROUP, (fy_thread_entry_t)reg_handler_entry,
		reg_stack[0] + sizeof(reg_stack[0]), NULL, THREAD_PASSIVE);
	cb = fy_thread_create(CAP_SELF_GROUP, (fy_thread_entry_t)reg_cb_entry,
			      reg_stack[1] + sizeof(reg_stack[1]), NULL,
			      THREAD_PASSIVE);
	if (reg_handler < 0 || cb < 0 ||
	    fy_register_server((void *)reg_handler_entry, (cap_t)cb, NULL))
		return 2;
	for (;;)
		sleep(1000); /* killed by the test */
}

static void test_exit_routine(void)
{
	const char *argv[] = {"tests/cpu_hostile", "regsrv", NULL};
	long proc = fy_spawn(argv[0], argv, NULL), server;
	struct ipc_conn conn;
	long r = -1;

	server = proc >= 0 ? fy_cap_fetch((cap_t)proc, CAP_SELF_MAIN_THREAD,
					  CAP_RIGHT_CALL)
			   : -1;
	if (server >= 0 && ipc_connect((cap_t)server, 4096, &conn) == 0) {
		r = fy_ipc_call(conn.cap, NULL, 0, 0);
		ipc_close(&conn);
	}
	tap_eq(r, 1,
	       "ipc_register_cb_return refuses a kernel, a non-canonical and "
	       "the first non-user exit routine (-EINVAL), then connects");
	if (proc >= 0) {
		fy_proc_kill((cap_t)proc);
		fy_proc_wait((cap_t)proc);
		fy_cap_delete((cap_t)proc);
	}
	if (server >= 0)
		fy_cap_delete((cap_t)server);
}

int main(int argc, char **argv)
{
	struct echo_conn echo;

	if (argc > 1)
		return strcmp(argv[1], "regsrv") ? hostile_case(argv[1])
						 : reg_server();

	echo_open(&echo);

	test_cases();
	test_int_vectors();
	test_long_call();
	test_exit_routine();
	test_fpu(echo.conn.cap);
	if (cpu_has(CPUID7_FSGSBASE))
		test_kernel_bases(echo.conn.cap);
	else
		tap_ok(1, "# SKIP no FSGSBASE in this CPU model");

	echo_close(&echo);
	tap_eq(fy_null(), 0, "the kernel still answers");
	return tap_done();
}
