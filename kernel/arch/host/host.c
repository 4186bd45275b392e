/*
 * The arch interface for hosted tests. Nothing here can switch threads or
 * enter user mode: tests drive object and memory code directly, and a
 * call that would need a real CPU aborts loudly.
 */
#include <arch/arch.h>
#include <object/thread.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static u64 kernel_root[512] __attribute__((aligned(4096)));
paddr_t host_active_root;
size_t host_tlb_flushes;

void arch_poweroff(int code)
{
	exit(code);
}

void arch_idle_wait(void)
{
}

/* No kernel stacks to fault on, no NMIs here. */
void arch_boot_stack_fault(void)
{
	abort();
}

void arch_boot_nmi(void)
{
}

void arch_boot_nmi_at_iret(void *page, u64 user_va)
{
	(void)page;
	(void)user_va;
	abort();
}

void arch_pt_activate(paddr_t root)
{
	host_active_root = root;
}

void arch_tlb_flush_page(vaddr_t va)
{
	(void)va;
	host_tlb_flushes++;
}

paddr_t arch_kernel_pt_root(void)
{
	return virt_to_phys(kernel_root);
}

/* "User" pointers in hosted tests are host pointers. */
void arch_zero_page(void *p)
{
	memset(p, 0, PAGE_SIZE);
}

void arch_copy_page(void *dst, const void *src)
{
	memcpy(dst, src, PAGE_SIZE);
}

int arch_copy_from_user(void *dst, const void __user *src, size_t n)
{
	if (!src)
		return -14;
	memcpy(dst, src, n);
	return 0;
}

int arch_copy_to_user(void __user *dst, const void *src, size_t n)
{
	if (!dst)
		return -14;
	memcpy(dst, src, n);
	return 0;
}

void arch_thread_init(struct thread *t)
{
	memset(thread_regs(t), 0, sizeof(struct arch_regs));
	arch_regs_init_segs(thread_regs(t)); /* as x86_64: set once, here */
	t->arch.ksp = 0;
	memset(&t->arch.seg, 0, sizeof(t->arch.seg));
}

/*
 * Thread switches on the host: a test that expects one arms
 * host_switch_jmp; the switch records who would run next and jumps back
 * to the test, abandoning the kernel path (as the real kernel abandons
 * or parks the stack). Unarmed, a switch is a test bug: abort.
 */
jmp_buf *host_switch_jmp;
struct thread *host_switched_to;
bool host_switched_to_user;

static __attribute__((noreturn)) void host_switch(struct thread *next,
						  bool to_user)
{
	host_switched_to = next;
	host_switched_to_user = to_user;
	if (host_switch_jmp)
		longjmp(*host_switch_jmp, 1);
	fprintf(stderr, "host arch: an unexpected thread switch\n");
	abort();
}

/*
 * prev parks its kernel continuation here (the real switch saves its
 * stack pointer): mark it, so that tests can tell a thread that would
 * resume inside the kernel from one reset to start at its user frame.
 */
void arch_switch_to(struct thread *prev, struct thread *next)
{
	prev->arch.ksp = HOST_KCTX_PARKED;
	host_switch(next, false);
}

void arch_thread_reset_kctx(struct thread *t)
{
	t->arch.ksp = 0;
}

void arch_switch_to_user(struct thread *prev, struct thread *next)
{
	(void)prev;
	host_switch(next, true);
}

void arch_set_tls(struct thread *t, u64 base)
{
	t->arch.seg.fs = 0;
	t->arch.seg.fs_base = base;
}

/* No user mode on the host: the saved value is the live one. */
u64 arch_get_tls(const struct thread *t)
{
	return t->arch.seg.fs_base;
}

u64 arch_user_hwcap2(void)
{
	return 0;
}

/* glibc 2.36 has no strlcpy; the kernel's contract (kernel/lib/string.h). */
size_t strlcpy(char *d, const char *s, size_t n)
{
	size_t len = strlen(s);

	if (n) {
		size_t k = len < n - 1 ? len : n - 1;
		memcpy(d, s, k);
		d[k] = '\0';
	}
	return len;
}

void arch_thread_inherit_tls(struct thread *t, const struct thread *from)
{
	t->arch.seg = from->arch.seg;
}
