/*
 * What a hostile program does to the CPU, one case per name, for
 * cpu_hostile (each case runs in a child that should die) and for the
 * same cases under Linux 6.1 (a fork per case), which is where the
 * expected signals come from. Plain libc and inline asm only.
 *
 * hostile_case(how) does it and returns 100 if it survived.
 */
#ifndef TESTS_HOSTILE_CASES_H
#define TESTS_HOSTILE_CASES_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* 256 stubs, 8 bytes apart: `int $n; ret`, encoded by hand (cd n). */
void hostile_int_stubs(void);
__asm__(".text\n"
	".align 8\n"
	"hostile_int_stubs:\n"
	".set hn, 0\n"
	".rept 256\n"
	"	.byte 0xcd, hn\n"
	"	ret\n"
	"	.byte 0x90, 0x90, 0x90, 0x90, 0x90\n"
	"	.set hn, hn + 1\n"
	".endr\n");

/*
 * A far return / iretq to a frame of our choosing: hostile_lret(cs)
 * returns to the next instruction with that cs; hostile_iretq(cs, ss,
 * flags) likewise through iretq, keeping rsp.
 */
void hostile_lret(uint64_t cs);
void hostile_iretq(uint64_t cs, uint64_t ss, uint64_t flags);
__asm__(".text\n"
	"hostile_lret:\n"
	"	leaq 1f(%rip), %rax\n"
	"	pushq %rdi\n"
	"	pushq %rax\n"
	"	lretq\n"
	"1:	ret\n"
	"hostile_iretq:\n"
	"	movq %rsp, %rax\n"
	"	pushq %rsi\n"
	"	pushq %rax\n"
	"	pushq %rdx\n"
	"	pushq %rdi\n"
	"	leaq 1f(%rip), %rax\n"
	"	pushq %rax\n"
	"	iretq\n"
	"1:	ret\n");

#define HOSTILE_TF 0x100ul
#define HOSTILE_IOPL 0x3000ul
#define HOSTILE_NT 0x4000ul

static inline void hostile_setflags(uint64_t f)
{
	__asm__ volatile("pushq %0\n\tpopfq" ::"r"(f) : "cc", "memory");
}

static inline uint64_t hostile_getflags(void)
{
	uint64_t f;
	__asm__ volatile("pushfq\n\tpopq %0" : "=r"(f));
	return f;
}

static inline void hostile_load_ds(uint16_t sel)
{
	__asm__ volatile("mov %0, %%ds" ::"r"(sel));
}

static int hostile_case(const char *how)
{
	static char fxarea[512] __attribute__((aligned(16)));
	uint16_t ss;

	__asm__ volatile("mov %%ss, %0" : "=r"(ss));
	if (!strncmp(how, "int:", 4)) {
		unsigned n = (unsigned)strtoul(how + 4, NULL, 0);

		((void (*)(void))((char *)hostile_int_stubs + 8 * (n & 255)))();
		return 100;
	}
	/* Privileged instructions at CPL 3 (SDM: #GP(0)). */
	if (!strcmp(how, "cli"))
		__asm__ volatile("cli");
	else if (!strcmp(how, "sti"))
		__asm__ volatile("sti");
	else if (!strcmp(how, "hlt"))
		__asm__ volatile("hlt");
	else if (!strcmp(how, "in"))
		__asm__ volatile("inb $0x80, %%al" ::: "rax");
	else if (!strcmp(how, "out"))
		__asm__ volatile("outb %%al, $0x80" ::"a"(0));
	else if (!strcmp(how, "outdx"))
		__asm__ volatile("outb %%al, %%dx" ::"a"(0), "d"(0xf4));
	else if (!strcmp(how, "ins"))
		__asm__ volatile("insb" ::"D"(fxarea), "d"(0x3f8) : "memory");
	else if (!strcmp(how, "rdmsr"))
		__asm__ volatile("rdmsr" ::"c"(0xc0000101) : "rax", "rdx");
	else if (!strcmp(how, "wrmsr"))
		__asm__ volatile("wrmsr" ::"c"(0xc0000102), "a"(0), "d"(0));
	else if (!strcmp(how, "movcr3"))
		__asm__ volatile("mov %%cr3, %%rax" ::: "rax");
	else if (!strcmp(how, "movcr4"))
		__asm__ volatile("mov %0, %%cr4" ::"r"(0ul));
	else if (!strcmp(how, "movdr7"))
		__asm__ volatile("mov %0, %%dr7" ::"r"(0x3ul));
	else if (!strcmp(how, "getdr6"))
		__asm__ volatile("mov %%dr6, %%rax" ::: "rax");
	else if (!strcmp(how, "lidt"))
		__asm__ volatile("lidt %0" ::"m"(fxarea));
	else if (!strcmp(how, "lgdt"))
		__asm__ volatile("lgdt %0" ::"m"(fxarea));
	else if (!strcmp(how, "ltr"))
		__asm__ volatile("ltr %w0" ::"r"(0x28));
	else if (!strcmp(how, "lldt"))
		__asm__ volatile("lldt %w0" ::"r"(0));
	else if (!strcmp(how, "clts"))
		__asm__ volatile("clts");
	else if (!strcmp(how, "invlpg"))
		__asm__ volatile("invlpg %0" ::"m"(fxarea));
	else if (!strcmp(how, "wbinvd"))
		__asm__ volatile("wbinvd");
	else if (!strcmp(how, "swapgs"))
		__asm__ volatile("swapgs");
	else if (!strcmp(how, "sysret"))
		__asm__ volatile("sysretq");
	else if (!strcmp(how, "rdpmc"))
		__asm__ volatile("rdpmc" ::"c"(0) : "rax", "rdx");
	/* popf cannot raise IOPL at CPL 3: cli must still fault. */
	else if (!strcmp(how, "iopl-cli")) {
		hostile_setflags(0x202 | HOSTILE_IOPL);
		__asm__ volatile("cli");
	}
	/* Nor can iretq: its IOPL is ignored at CPL 3. */
	else if (!strcmp(how, "iretq-iopl")) {
		hostile_iretq(0x23, ss, 0x202 | HOSTILE_IOPL);
		__asm__ volatile("outb %%al, $0x80" ::"a"(0));
	}
	/* Selectors ring 3 must not load (SDM: #GP(sel)). */
	else if (!strcmp(how, "ds-kcode"))
		hostile_load_ds(0x0b);
	else if (!strcmp(how, "ds-kdata"))
		hostile_load_ds(0x13);
	else if (!strcmp(how, "ds-tss"))
		hostile_load_ds(0x2b);
	else if (!strcmp(how, "ds-ldt"))
		hostile_load_ds(0x07);
	else if (!strcmp(how, "ds-limit"))
		hostile_load_ds(0x403);
	else if (!strcmp(how, "ss-null"))
		__asm__ volatile("mov %0, %%ss" ::"r"(0));
	else if (!strcmp(how, "ss-code")) /* our own code selector */
		__asm__ volatile("mov %%cs, %%ax\n\tmov %%ax, %%ss" ::: "rax");
	else if (!strcmp(how, "lret-user")) {
		uint16_t cs;
		__asm__ volatile("mov %%cs, %0" : "=r"(cs));
		hostile_lret(cs);
	} else if (!strcmp(how, "iretq-user")) {
		uint16_t cs;
		__asm__ volatile("mov %%cs, %0" : "=r"(cs));
		hostile_iretq(cs, ss, 0x202);
	} else if (!strcmp(how, "lcall-user")) {
		/*
		 * A far call (m16:64: QEMU 7.2 truncates the stack pointer of
		 * the m16:32 form) to the next instruction with our own CS.
		 */
		static struct {
			uint64_t off;
			uint16_t sel;
		} __attribute__((packed)) far;
		__asm__ volatile("leaq 1f(%%rip), %%rax\n\t"
				 "movq %%rax, %0\n\t"
				 "movw %%cs, %1\n\t"
				 "movq %%rsp, %%rbx\n\t"
				 "rex.w lcall *%0\n"
				 "1:\tmovq %%rbx, %%rsp"
				 : "+m"(far.off), "+m"(far.sel)
				 :
				 : "rax", "rbx", "memory");
	} else if (!strcmp(how, "lret-kcode"))
		hostile_lret(0x08);
	else if (!strcmp(how, "lret-kcode3"))
		hostile_lret(0x0b);
	else if (!strcmp(how, "lret-data"))
		hostile_lret(ss);
	else if (!strcmp(how, "lret-tss"))
		hostile_lret(0x2b);
	else if (!strcmp(how, "iretq-kcode"))
		hostile_iretq(0x08, ss, 0x202);
	else if (!strcmp(how, "iretq-ss0"))
		hostile_iretq(0x23, 0, 0x202);
	else if (!strcmp(how, "iretq-sscode"))
		hostile_iretq(0x23, 0x23, 0x202);
	/* iretq with NT set is a task return: #GP in 64-bit mode. */
	else if (!strcmp(how, "nt-iretq")) {
		hostile_setflags(0x202 | HOSTILE_NT);
		hostile_iretq(0x23, ss, 0x202);
	} else if (!strcmp(how, "ljmp-kcode")) {
		static const struct {
			uint64_t off;
			uint16_t sel;
		} __attribute__((packed)) far = {0, 0x08};
		__asm__ volatile("rex.w ljmp *%0" ::"m"(far));
	} else if (!strcmp(how, "lcall-tss")) {
		static const struct {
			uint32_t off;
			uint16_t sel;
		} __attribute__((packed)) far = {0, 0x28};
		__asm__ volatile("lcall *%0" ::"m"(far));
	}
	/* A non-canonical jump target (SDM: #GP at the jump). */
	else if (!strcmp(how, "jmp-noncanon"))
		__asm__ volatile("jmp *%0" ::"r"(0x0000800000000000ul));
	else if (!strcmp(how, "jmp-kernel"))
		__asm__ volatile("jmp *%0" ::"r"(0xffffffff80100000ul));
	/*
	 * The "mov ss" tricks (CVE-2018-8897): a load of SS delays the
	 * single-step trap past the next instruction, here syscall or int3.
	 */
	else if (!strcmp(how, "movss-tf-syscall"))
		__asm__ volatile("pushfq\n\t"
				 "orq $0x100, (%%rsp)\n\t"
				 "popfq\n\t"
				 "mov %0, %%ss\n\t"
				 "syscall\n\t"
				 "nop" ::"r"(ss),
				 "a"(39L)
				 : "rcx", "r11", "memory");
	else if (!strcmp(how, "popss")) /* pop %ss: #UD in 64-bit mode */
		__asm__ volatile("pushq %q0\n\t"
				 ".byte 0x17" ::"r"((uint64_t)ss));
	else if (!strcmp(how, "movss-int3"))
		__asm__ volatile("mov %0, %%ss\n\t"
				 "int3" ::"r"(ss));
	else if (!strcmp(how, "movss-tf-int3"))
		__asm__ volatile("pushfq\n\t"
				 "orq $0x100, (%%rsp)\n\t"
				 "popfq\n\t"
				 "mov %0, %%ss\n\t"
				 "int3" ::"r"(ss));
	else if (!strcmp(how, "movss-int80"))
		__asm__ volatile("mov %0, %%ss\n\t"
				 "int $0x80" ::"r"(ss),
				 "a"(39L));
	/* syscall with TF and DF set and every other flag: SIGTRAP after. */
	else if (!strcmp(how, "tf-df-ac-syscall"))
		__asm__ volatile("pushq $0x244fd7\n\t"
				 "popfq\n\t"
				 "syscall\n\t"
				 "cld" ::"a"(39L)
				 : "rcx", "r11", "memory");
	/* FPU: bad MXCSR through ldmxcsr and fxrstor (#GP in user). */
	else if (!strcmp(how, "ldmxcsr-bad")) {
		uint32_t m = 0xffff0000u;
		__asm__ volatile("ldmxcsr %0" ::"m"(m));
	} else if (!strcmp(how, "fxrstor-bad")) {
		__asm__ volatile("fxsave %0" : "=m"(fxarea));
		*(uint32_t *)(fxarea + 24) = 0xffffffffu;
		__asm__ volatile("fxrstor %0" ::"m"(fxarea));
	}
	/*
	 * An unmasked x87 exception left pending (fdiv by zero, ZE
	 * unmasked) across a system call and a switch: the kernel's
	 * fxsave/fxrstor must not take the #MF; the program's next fwait
	 * does (SIGFPE).
	 */
	else if (!strcmp(how, "x87-pending")) {
		uint16_t cw = 0x37b; /* ZE unmasked */
		__asm__ volatile("fninit\n\t"
				 "fldcw %0\n\t"
				 "fldz\n\t"
				 "fld1\n\t"
				 "fdivp" ::"m"(cw));
		__asm__ volatile("syscall" ::"a"(39L) : "rcx", "r11", "memory");
		__asm__ volatile("syscall" ::"a"(24L) : "rcx", "r11", "memory");
		__asm__ volatile("fwait");
	} else if (!strcmp(how, "sse-div0")) {
		uint32_t m = 0x1f80 & ~0x200u; /* ZE unmasked */
		__asm__ volatile("ldmxcsr %0\n\t"
				 "xorps %%xmm0, %%xmm0\n\t"
				 "movl $1, %%eax\n\t"
				 "cvtsi2ss %%eax, %%xmm1\n\t"
				 "divss %%xmm0, %%xmm1" ::"m"(m)
				 : "rax", "xmm0", "xmm1");
	}
	/* No AVX, no XSAVE for user space in this CPU model: #UD. */
	else if (!strcmp(how, "vzeroupper"))
		__asm__ volatile("vzeroupper");
	else if (!strcmp(how, "xgetbv"))
		__asm__ volatile("xgetbv" ::"c"(0) : "rax", "rdx");
	else if (!strcmp(how, "rdpid"))
		__asm__ volatile("rdpid %%rax" ::: "rax");
	else if (!strcmp(how, "sysenter"))
		__asm__ volatile("sysenter");
	else if (!strcmp(how, "ud2"))
		__asm__ volatile("ud2");
	/* Bases ring 3 cannot set: #GP in user. */
	else if (!strcmp(how, "wrfsbase-noncanon"))
		__asm__ volatile("wrfsbase %0" ::"r"(0x0000800000000000ul));
	else
		return 99; /* unknown case */
	return 100;
}

#endif
