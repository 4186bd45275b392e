/*
 * Raw system calls: the x86_64 `syscall` instruction with Ferry's (and
 * Linux's) register convention. The number goes in rax, the arguments in
 * rdi, rsi, rdx, r10, r8, r9; the result comes back in rax, negative errno
 * on failure. The CPU itself overwrites rcx (return rip) and r11 (rflags),
 * and the kernel may read or write any user memory we pointed it at, hence
 * the "memory" clobber on every call.
 */
#ifndef FERRY_SYSCALL_H
#define FERRY_SYSCALL_H

static inline long fy_syscall0(long n)
{
	long ret;

	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(n)
			 : "rcx", "r11", "memory");
	return ret;
}

static inline long fy_syscall1(long n, long a1)
{
	long ret;

	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(n), "D"(a1)
			 : "rcx", "r11", "memory");
	return ret;
}

static inline long fy_syscall2(long n, long a1, long a2)
{
	long ret;

	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(n), "D"(a1), "S"(a2)
			 : "rcx", "r11", "memory");
	return ret;
}

static inline long fy_syscall3(long n, long a1, long a2, long a3)
{
	long ret;

	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(n), "D"(a1), "S"(a2), "d"(a3)
			 : "rcx", "r11", "memory");
	return ret;
}

/* The fourth argument lives in r10 because `syscall` takes rcx. */
static inline long fy_syscall4(long n, long a1, long a2, long a3, long a4)
{
	register long r10 __asm__("r10") = a4;
	long ret;

	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(n), "D"(a1), "S"(a2), "d"(a3), "r"(r10)
			 : "rcx", "r11", "memory");
	return ret;
}

static inline long fy_syscall5(long n, long a1, long a2, long a3, long a4,
			       long a5)
{
	register long r10 __asm__("r10") = a4;
	register long r8 __asm__("r8") = a5;
	long ret;

	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(n), "D"(a1), "S"(a2), "d"(a3), "r"(r10), "r"(r8)
			 : "rcx", "r11", "memory");
	return ret;
}

static inline long fy_syscall6(long n, long a1, long a2, long a3, long a4,
			       long a5, long a6)
{
	register long r10 __asm__("r10") = a4;
	register long r8 __asm__("r8") = a5;
	register long r9 __asm__("r9") = a6;
	long ret;

	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(n), "D"(a1), "S"(a2), "d"(a3), "r"(r10), "r"(r8),
			   "r"(r9)
			 : "rcx", "r11", "memory");
	return ret;
}

#endif
