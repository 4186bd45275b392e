/*
 * The CPU state a user program controls, on purpose hostile: every
 * RFLAGS bit ring 3 can set (TF apart: it traps) and every selector it
 * may load into DS/ES/FS/GS, with FS/GS bases changed by those loads and
 * by wrfsbase/wrgsbase. Across each kind of kernel entry (native and
 * Linux syscalls, an unknown number, a yield that switches threads, an
 * IPC call, a page fault, timer interrupts) the kernel must live and give
 * back exactly the state it was entered with; other threads and another
 * process of this same binary must not see it (issue 6, inputs 1 and 2).
 * Children (this program with argv[1]) die by single step, int3, icebp
 * and a syscall at the top of user space: SIGTRAP (SIGILL for icebp,
 * which QEMU's TCG makes a #UD) / SIGSEGV, and the kernel lives.
 *
 * Linux 6.1 (../shared/linux-ref, same QEMU) gives the same flags back
 * across getpid, sched_yield, an unknown number, a page fault and timer
 * ticks, and its selectors (its GDT differs) across getpid and yield; it
 * returns from syscall with any rsp; it kills with SIGTRAP (5) for TF,
 * TF + syscall and int3, SIGILL (4) for icebp, and SIGSEGV (11) for the
 * syscall at the top (the return address 0x7ffffffff000 is unmapped).
 * One difference: Linux returns by sysret, which keeps a null selector
 * with RPL 1-3 in DS/ES; Ferry's iretq makes it 0 (see sel_same).
 *
 * While FS or GS is changed, nothing here may use TLS (musl's %fs):
 * calls go through the raw probes below, and the state is put back
 * before any libc call.
 */
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <unistd.h>

#include <ferry/ferry.h>
#include <ferry/ipc.h>

#include "tap.h"
#include "util.h"

#define F_CF 0x1ul
#define F_FIXED 0x2ul
#define F_PF 0x4ul
#define F_AF 0x10ul
#define F_ZF 0x40ul
#define F_SF 0x80ul
#define F_TF 0x100ul
#define F_IF 0x200ul
#define F_DF 0x400ul
#define F_OF 0x800ul
#define F_NT 0x4000ul
#define F_AC 0x40000ul
#define F_ID 0x200000ul
#define F_BASE (F_IF | F_FIXED) /* what user code runs with */

/* Every flag user code can set with popfq, TF apart. */
static const uint64_t one_flag[] = {F_CF, F_PF, F_AF, F_ZF, F_SF,
				    F_DF, F_OF, F_NT, F_AC, F_ID};
#define ALL_FLAGS                                                              \
	(F_CF | F_PF | F_AF | F_ZF | F_SF | F_DF | F_OF | F_NT | F_AC | F_ID)
#define NFLAGS (sizeof(one_flag) / sizeof(one_flag[0]) + 2)

static uint64_t flag_case(unsigned i)
{
	if (i < NFLAGS - 2)
		return F_BASE | one_flag[i];
	return i == NFLAGS - 2 ? F_BASE : F_BASE | ALL_FLAGS;
}

/* Selectors ring 3 may load into DS/ES/FS/GS: null, user data, code. */
static const uint16_t sels[] = {0,    1,    2,	  3,	0x18, 0x19,
				0x1a, 0x1b, 0x20, 0x21, 0x22, 0x23};
#define NSELS (sizeof(sels) / sizeof(sels[0]))
enum { DS, ES, FS, GS, NREGS };
static const char *const reg_name[NREGS] = {"ds", "es", "fs", "gs"};

/*
 * The probes: set RFLAGS, do one thing, read RFLAGS back, reset them.
 * probe_syscall: syscall with a[0] = number, a[1..4] = arguments.
 * probe_touch: a byte store (a page fault on a fresh page).
 * probe_spin: `loop` n times (no flag changes): timer interrupts.
 */
long probe_syscall(const uint64_t *a, uint64_t flags, uint64_t *flags_out);
void probe_touch(volatile char *p, uint64_t flags, uint64_t *flags_out);
void probe_spin(uint64_t n, uint64_t flags, uint64_t *flags_out);
__asm__(".text\n"
	"probe_syscall:\n"
	"	pushq %rbx\n"
	"	movq %rdx, %rbx\n"
	"	pushq %rsi\n"
	"	movq 0(%rdi), %rax\n"
	"	movq 16(%rdi), %rsi\n"
	"	movq 24(%rdi), %rdx\n"
	"	movq 32(%rdi), %r10\n"
	"	movq 8(%rdi), %rdi\n"
	"	popfq\n"
	"	syscall\n"
	"	pushfq\n"
	"	popq (%rbx)\n"
	"	pushq $0x202\n"
	"	popfq\n"
	"	popq %rbx\n"
	"	ret\n"
	"probe_touch:\n"
	"	pushq %rsi\n"
	"	popfq\n"
	"	movb $1, (%rdi)\n"
	"	pushfq\n"
	"	popq (%rdx)\n"
	"	pushq $0x202\n"
	"	popfq\n"
	"	ret\n"
	"probe_spin:\n"
	"	movq %rdi, %rcx\n"
	"	pushq %rsi\n"
	"	popfq\n"
	"1:	loop 1b\n"
	"	pushfq\n"
	"	popq (%rdx)\n"
	"	pushq $0x202\n"
	"	popfq\n"
	"	ret\n");

static inline void seg_set(int reg, uint16_t v)
{
	switch (reg) {
	case DS:
		__asm__ volatile("mov %0, %%ds" ::"r"(v));
		break;
	case ES:
		__asm__ volatile("mov %0, %%es" ::"r"(v));
		break;
	case FS:
		__asm__ volatile("mov %0, %%fs" ::"r"(v));
		break;
	default:
		__asm__ volatile("mov %0, %%gs" ::"r"(v));
	}
}

static inline uint16_t seg_get(int reg)
{
	uint16_t v;

	switch (reg) {
	case DS:
		__asm__ volatile("mov %%ds, %0" : "=r"(v));
		break;
	case ES:
		__asm__ volatile("mov %%es, %0" : "=r"(v));
		break;
	case FS:
		__asm__ volatile("mov %%fs, %0" : "=r"(v));
		break;
	default:
		__asm__ volatile("mov %%gs, %0" : "=r"(v));
	}
	return v;
}

static inline uint64_t fsbase(void)
{
	uint64_t v;
	__asm__ volatile("rdfsbase %0" : "=r"(v));
	return v;
}

static inline uint64_t gsbase(void)
{
	uint64_t v;
	__asm__ volatile("rdgsbase %0" : "=r"(v));
	return v;
}

static inline void set_fsbase(uint64_t v)
{
	__asm__ volatile("wrfsbase %0" ::"r"(v) : "memory");
}

static inline void set_gsbase(uint64_t v)
{
	__asm__ volatile("wrgsbase %0" ::"r"(v) : "memory");
}

static inline uint64_t seg_base(int reg)
{
	return reg == FS ? fsbase() : reg == GS ? gsbase() : 0;
}

/* musl's TLS: %fs:0 holds the thread pointer itself. */
static inline uint64_t tls_self(void)
{
	uint64_t v;
	__asm__ volatile("movq %%fs:0, %0" : "=r"(v));
	return v;
}

static uint64_t tls; /* our FS base, as musl set it */

/* Back to what musl expects: null selectors, FS base = TLS, GS base 0. */
static inline void seg_reset(void)
{
	seg_set(DS, 0);
	seg_set(ES, 0);
	seg_set(FS, 0);
	set_fsbase(tls);
	seg_set(GS, 0);
	set_gsbase(0);
}

/*
 * A null selector with RPL 1-3 may read back as 0 after a return by
 * iretq (SDM, IRET: a null DS/ES/FS/GS is made 0 on a return to an
 * outer level); anything else must come back exactly.
 */
static int sel_same(uint16_t before, uint16_t after)
{
	return after == before || (before < 4 && after == 0);
}

/* One failure, kept for the summary line (no printing mid-probe). */
struct fail {
	int n;
	char what[160];
};

static void fail_note(struct fail *f, const char *what, unsigned a, long b,
		      long c)
{
	if (!f->n++)
		snprintf(f->what, sizeof(f->what), "%s (%u): %lx != %lx", what,
			 a, (unsigned long)b, (unsigned long)c);
}

/* The calls every probe is made with. */
enum { C_NULL, C_GETPID, C_ENOSYS, C_YIELD, C_IPC, NCALLS };
static const char *const call_name[NCALLS] = {
	"native SYS_null", "Linux getpid", "an unknown syscall number",
	"sched_yield (thread switch)", "an IPC call"};
static uint64_t call_args[NCALLS][5];
static long call_want[NCALLS];

/*
 * The other thread of this process, so that a yield really switches:
 * its own flags-free loop with its own selectors and GS base, which it
 * checks after every yield.
 */
#define SIDE_GSBASE 0x5a5a000ul
static atomic_int side_stop, side_bad, side_rounds;
static char side_stack[16384] __attribute__((aligned(16)));

static void side(void *arg)
{
	(void)arg;
	seg_set(DS, 0x23);
	seg_set(ES, 0x18);
	seg_set(GS, 0x1b);
	set_gsbase(SIDE_GSBASE);
	while (!atomic_load(&side_stop)) {
		fy_yield();
		if (seg_get(DS) != 0x23 || seg_get(ES) != 0x18 ||
		    seg_get(GS) != 0x1b || gsbase() != SIDE_GSBASE ||
		    fsbase() != tls)
			atomic_fetch_add(&side_bad, 1);
		atomic_fetch_add(&side_rounds, 1);
	}
	seg_set(DS, 0);
	seg_set(ES, 0);
	seg_set(GS, 0);
	fy_thread_exit();
}

static void test_flags(void)
{
	static char *pages;
	struct fail f;
	uint64_t out;
	long r;

	for (int c = 0; c < NCALLS; c++) {
		memset(&f, 0, sizeof(f));
		for (unsigned i = 0; i < NFLAGS; i++) {
			r = probe_syscall(call_args[c], flag_case(i), &out);
			if (out != flag_case(i))
				fail_note(&f, "flags", i, out, flag_case(i));
			if (r != call_want[c])
				fail_note(&f, "result", i, r, call_want[c]);
		}
		tap_ok(!f.n, "RFLAGS come back exactly across %s (%d bad: %s)",
		       call_name[c], f.n, f.what);
	}

	/* Issue input 1 itself: NT set, then getpid. */
	r = probe_syscall(call_args[C_GETPID], F_BASE | F_NT, &out);
	tap_ok(r == call_want[C_GETPID] && out == (F_BASE | F_NT),
	       "NT set, then getpid: returns %ld with NT still set", r);

	/* The exception path: a fresh page faults in, flags untouched. */
	pages = mmap(0, NFLAGS * PAGE_SIZE_4K, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	memset(&f, 0, sizeof(f));
	for (unsigned i = 0; pages != MAP_FAILED && i < NFLAGS; i++) {
		probe_touch(pages + i * PAGE_SIZE_4K, flag_case(i), &out);
		if (out != flag_case(i))
			fail_note(&f, "flags", i, out, flag_case(i));
		if (pages[i * PAGE_SIZE_4K] != 1)
			fail_note(&f, "byte", i, pages[i * PAGE_SIZE_4K], 1);
	}
	tap_ok(pages != MAP_FAILED && !f.n,
	       "RFLAGS come back exactly across a page fault (%d bad: %s)", f.n,
	       f.what);
	if (pages != MAP_FAILED)
		munmap(pages, NFLAGS * PAGE_SIZE_4K);
}

static long ticks_now(void)
{
	struct {
		long sec, nsec;
	} ts = {0, 0};
	uint64_t a[5] = {228 /* clock_gettime */, 1 /* MONOTONIC */,
			 (uint64_t)&ts, 0, 0};
	uint64_t out;

	probe_syscall(a, F_BASE, &out);
	return ts.sec * 100 + ts.nsec / 10000000;
}

/*
 * Timer interrupts: spin in chunks with every flag set and every segment
 * register changed until at least 3 ticks have passed; nearly all the
 * time is inside the chunks, so interrupts land there.
 */
static void test_timer(void)
{
	const uint64_t fsb = 0x7000000ul, gsb = 0x9000000ul;
	long start = ticks_now(), chunks = 0, bad = 0;
	uint64_t out = 0;
	uint16_t d = 0, e = 0, fsel = 0, g = 0;
	uint64_t fb = 0, gb = 0;

	while (ticks_now() - start < 3 && chunks < 100000) {
		seg_set(DS, 0x1b);
		seg_set(ES, 0x20);
		seg_set(FS, 0x18);
		set_fsbase(fsb);
		seg_set(GS, 0x23);
		set_gsbase(gsb);
		probe_spin(1 << 20, F_BASE | ALL_FLAGS, &out);
		d = seg_get(DS);
		e = seg_get(ES);
		fsel = seg_get(FS);
		g = seg_get(GS);
		fb = fsbase();
		gb = gsbase();
		seg_reset();
		chunks++;
		if (out != (F_BASE | ALL_FLAGS) || d != 0x1b || e != 0x20 ||
		    fsel != 0x18 || g != 0x23 || fb != fsb || gb != gsb)
			bad++;
	}
	tap_ok(ticks_now() - start >= 3, "spun through %ld ticks in %ld chunks",
	       ticks_now() - start, chunks);
	tap_ok(!bad,
	       "flags, selectors and bases survive timer interrupts (%ld bad "
	       "chunks; last: flags %lx ds %x es %x fs %x gs %x fsbase %lx "
	       "gsbase %lx)",
	       bad, out, d, e, fsel, g, fb, gb);
}

/*
 * One selector in one register across one call, with every flag set:
 * the selector and the base it gave (or the base written after it) must
 * come back. Returns 0 or writes what went wrong into f.
 */
static void seg_probe(int reg, uint16_t sel, int write_base, int c,
		      struct fail *f, unsigned idx)
{
	const uint64_t want_base = 0x12345000ul + (uint64_t)reg * 0x1000;
	uint16_t before, after;
	uint64_t b_before, b_after, out;
	long r;

	seg_set(reg, sel);
	if (write_base)
		(reg == FS ? set_fsbase : set_gsbase)(want_base);
	before = seg_get(reg);
	b_before = seg_base(reg);
	r = probe_syscall(call_args[c], F_BASE | ALL_FLAGS, &out);
	after = seg_get(reg);
	b_after = seg_base(reg);
	seg_reset();
	if (!sel_same(before, after))
		fail_note(f, "selector", idx, after, before);
	if (b_after != b_before)
		fail_note(f, "base", idx, b_after, b_before);
	if (write_base && b_before != want_base)
		fail_note(f, "base written", idx, b_before, want_base);
	if (out != (F_BASE | ALL_FLAGS))
		fail_note(f, "flags", idx, out, F_BASE | ALL_FLAGS);
	if (r != call_want[c])
		fail_note(f, "result", idx, r, call_want[c]);
}

static void test_selectors(void)
{
	struct fail f;

	for (int c = 0; c < NCALLS; c++) {
		for (int reg = 0; reg < NREGS; reg++) {
			memset(&f, 0, sizeof(f));
			for (unsigned i = 0; i < NSELS; i++)
				seg_probe(reg, sels[i], 0, c, &f, sels[i]);
			if (reg == FS || reg == GS)
				for (unsigned i = 0; i < NSELS; i++)
					seg_probe(reg, sels[i], 1, c, &f,
						  sels[i]);
			tap_ok(!f.n,
			       "every loadable %s selector%s comes back across "
			       "%s (%d bad: %s)",
			       reg_name[reg], reg >= FS ? " and its base" : "",
			       call_name[c], f.n, f.what);
		}
	}
}

/* ARCH_SET_FS / ARCH_GET_FS see and set the live state, as on Linux. */
static void test_arch_prctl(void)
{
	uint64_t got = 0, out, sel;
	uint64_t get[5] = {158, 0x1003 /* ARCH_GET_FS */, (uint64_t)&got, 0, 0};
	uint64_t set[5] = {158, 0x1002 /* ARCH_SET_FS */, 0, 0, 0};
	long r1, r2;

	set_fsbase(0x4321000);
	r1 = probe_syscall(get, F_BASE, &out);
	seg_reset();
	tap_ok(r1 == 0 && got == 0x4321000,
	       "ARCH_GET_FS reads the base wrfsbase wrote (%ld, %lx)", r1, got);

	set[2] = tls;
	seg_set(FS, 0x1b); /* base 0 */
	r2 = probe_syscall(set, F_BASE, &out);
	sel = seg_get(FS);
	got = fsbase();
	seg_reset();
	tap_ok(r2 == 0 && sel == 0 && got == tls,
	       "ARCH_SET_FS after a selector load: selector %lx, base %s", sel,
	       got == tls ? "right" : "wrong");
}

/* A new thread starts with its creator's selectors and bases (clone). */
static atomic_int inh_done;
static uint64_t inh_gs, inh_fs;
static uint16_t inh_ds;
static char inh_stack[16384] __attribute__((aligned(16)));

static void inherit_child(void *arg)
{
	(void)arg;
	inh_gs = gsbase();
	inh_fs = fsbase();
	inh_ds = seg_get(DS);
	seg_set(DS, 0);
	set_gsbase(0);
	atomic_store(&inh_done, 1);
	fy_thread_exit();
}

static void test_inherit(void)
{
	long t;

	seg_set(DS, 0x1b);
	set_gsbase(0x777000);
	t = fy_thread_create(CAP_SELF_GROUP, inherit_child,
			     inh_stack + sizeof(inh_stack), NULL, 0);
	seg_reset();
	for (int i = 0; i < 10000 && !atomic_load(&inh_done); i++)
		fy_yield();
	tap_ok(t >= 0 && atomic_load(&inh_done) && inh_gs == 0x777000 &&
		       inh_fs == tls && inh_ds == 0x1b,
	       "a new thread inherits DS, FS and GS bases (%lx %lx %x)", inh_gs,
	       inh_fs, inh_ds);
	if (t >= 0)
		fy_cap_delete((cap_t)t);
}

/*
 * Odd stack pointers at syscall: the kernel never uses the user's rsp,
 * and gives it back as it was (Linux too).
 */
static long syscall_with_rsp(uint64_t rsp)
{
	long r;

	__asm__ volatile("movq %%rsp, %%r12\n\t"
			 "movq %[sp], %%rsp\n\t"
			 "syscall\n\t"
			 "movq %%rsp, %%r13\n\t"
			 "movq %%r12, %%rsp\n\t"
			 "cmpq %%r13, %[sp]\n\t"
			 "je 1f\n\t"
			 "movq $-1, %%rax\n"
			 "1:"
			 : "=a"(r)
			 : "a"(39L), [sp] "r"(rsp)
			 : "rcx", "r11", "r12", "r13", "memory", "cc");
	return r;
}

static void test_rsp(void)
{
	static const uint64_t sps[] = {0,
				       1,
				       0x0000800000000000ul,
				       0xffff800000000000ul,
				       ~0ul,
				       0x7ffffffff000ul};
	long pid = call_want[C_GETPID];

	for (unsigned i = 0; i < sizeof(sps) / sizeof(sps[0]); i++)
		tap_eq(syscall_with_rsp(sps[i]), pid,
		       "syscall with rsp %lx returns, rsp intact", sps[i]);
}

/* Issue input 2: a child's selector loads must not reach our TLS. */
static void test_other_process(void)
{
	const char *argv[] = {"tests/cpu_state", "tls-child", NULL};
	long proc = fy_spawn(argv[0], argv, NULL), status;
	int bad = 0;

	tap_ok(proc >= 0, "spawn a child of this binary (%ld)", proc);
	for (int i = 0; i < 50; i++) {
		fy_yield();
		if (tls_self() != tls || fsbase() != tls || gsbase() != 0 ||
		    seg_get(FS) != 0 || seg_get(GS) != 0 || seg_get(DS) != 0)
			bad++;
	}
	status = proc >= 0 ? fy_proc_wait((cap_t)proc) : proc;
	if (tls_self() != tls || fsbase() != tls)
		bad++;
	tap_eq(status, PROC_STATUS_EXITED(0), "the child exits 0");
	tap_ok(!bad, "our TLS (%%fs:0) and GS base are ours after it ran (%d)",
	       bad);
	if (proc >= 0)
		fy_cap_delete((cap_t)proc);
}

static void test_children(void)
{
	static const struct {
		const char *how, *what;
		long status;
	} cases[] = {
		{"tf", "single step (TF)", PROC_STATUS_KILLED(PROC_SIG_TRAP)},
		{"tf-syscall", "TF set, then syscall",
		 PROC_STATUS_KILLED(PROC_SIG_TRAP)},
		{"int3", "int3", PROC_STATUS_KILLED(PROC_SIG_TRAP)},
		/* #UD in QEMU 7.2's TCG: Linux there says SIGILL too. */
		{"icebp", "icebp", PROC_STATUS_KILLED(PROC_SIG_ILL)},
		{"top", "a syscall in the last bytes of user space",
		 PROC_STATUS_KILLED(PROC_SIG_SEGV)},
	};

	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *argv[] = {"tests/cpu_state", cases[i].how, NULL};

		tap_eq(spawn_wait(argv[0], argv), cases[i].status,
		       "a child dying by %s is killed with signal %ld",
		       cases[i].what, cases[i].status);
	}
}

static void test_bad_entry(void)
{
	static char st[4096] __attribute__((aligned(16)));
	static const uint64_t pcs[] = {0x0000800000000000ul,
				       0xffff800000000000ul, 0x7ffffffff000ul,
				       0x8000000000000000ul};

	for (unsigned i = 0; i < sizeof(pcs) / sizeof(pcs[0]); i++)
		tap_eq(fy_thread_create(CAP_SELF_GROUP,
					(fy_thread_entry_t)pcs[i],
					st + sizeof(st), NULL, 0),
		       -EINVAL, "thread_create at entry %lx is -EINVAL",
		       pcs[i]);
	tap_eq(fy_thread_create(CAP_SELF_GROUP, (fy_thread_entry_t)0x401000,
				(void *)0x0000800000001000ul, NULL, 0),
	       -EINVAL, "thread_create with a non-canonical stack is -EINVAL");
}

/* Children: each ends by a raw syscall, never through TLS-using libc. */
static _Noreturn void raw_exit(int code)
{
	for (;;)
		__asm__ volatile("syscall" ::"a"(231L), "D"((long)code)
				 : "rcx", "r11", "memory");
}

static int child(const char *how)
{
	if (!strcmp(how, "tls-child")) {
		/* Issue input 2: user data selector into FS, then yield. */
		__asm__ volatile("mov %%ss, %%ax\n\t"
				 "mov %%ax, %%fs\n\t"
				 "mov %%ax, %%gs\n\t"
				 "mov %%ax, %%ds" ::
					 : "rax");
		set_gsbase(0xdead0000);
		for (int i = 0; i < 50; i++)
			fy_yield();
		raw_exit(0);
	}
	if (!strcmp(how, "tf"))
		__asm__ volatile("pushfq\n\t"
				 "orq $0x100, (%rsp)\n\t"
				 "popfq\n\t"
				 "nop\n\t"
				 "nop");
	else if (!strcmp(how, "tf-syscall"))
		__asm__ volatile("pushfq\n\t"
				 "orq $0x100, (%%rsp)\n\t"
				 "popfq\n\t"
				 "syscall\n\t"
				 "nop" ::"a"(39L)
				 : "rcx", "r11", "memory");
	else if (!strcmp(how, "int3"))
		__asm__ volatile("int3");
	else if (!strcmp(how, "icebp"))
		__asm__ volatile(".byte 0xf1");
	else if (!strcmp(how, "top")) {
		/* syscall in the last two bytes below USER_TOP. */
		char *p = mmap((void *)0x7fffffffe000ul, PAGE_SIZE_4K,
			       PROT_READ | PROT_WRITE | PROT_EXEC,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);

		if (p == MAP_FAILED)
			return 3;
		p[PAGE_SIZE_4K - 2] = 0x0f;
		p[PAGE_SIZE_4K - 1] = 0x05;
		__asm__ volatile("jmp *%0" ::"r"(p + PAGE_SIZE_4K - 2),
				 "a"(39L));
	}
	return 100; /* survived: wrong */
}

int main(int argc, char **argv)
{
	struct echo_conn echo;
	long t;

	tls = fsbase();
	if (argc > 1)
		return child(argv[1]);
	tap_ok(tls && tls_self() == tls,
	       "FSGSBASE is on: rdfsbase gives musl's TLS pointer");
	/* Linux tells programs so in the auxv (HWCAP2_FSGSBASE, bit 1). */
	tap_ok(getauxval(AT_HWCAP2) & 2, "AT_HWCAP2 has HWCAP2_FSGSBASE");

	echo_open(&echo);
	call_want[C_NULL] = 0;
	call_args[C_NULL][0] = SYS_null;
	call_args[C_GETPID][0] = 39;
	call_want[C_GETPID] = getpid();
	call_args[C_ENOSYS][0] = 999;
	call_want[C_ENOSYS] = -ENOSYS;
	call_args[C_YIELD][0] = 24;
	call_args[C_IPC][0] = SYS_ipc_call;
	call_args[C_IPC][1] = echo.conn.cap;
	call_want[C_IPC] = fy_ipc_call(echo.conn.cap, NULL, 0, 0);
	tap_ok(call_want[C_IPC] > 0, "an empty IPC call returns the badge");

	t = fy_thread_create(CAP_SELF_GROUP, side,
			     side_stack + sizeof(side_stack), NULL, 0);
	tap_ok(t >= 0, "start a second thread that yields back");

	test_flags();
	test_selectors();
	test_timer();
	test_arch_prctl();
	test_rsp();

	side_stop_check(t, &side_stop, &side_rounds, &side_bad, "own state");

	test_inherit();
	test_other_process();
	test_children();
	test_bad_entry();

	echo_close(&echo);
	tap_eq(fy_null(), 0, "the kernel still answers");
	return tap_done();
}
