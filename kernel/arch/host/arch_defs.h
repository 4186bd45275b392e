/*
 * The hosted arch: kernel code runs as a normal Linux process for unit
 * tests and fuzzing. "Physical" memory is a host arena and physical
 * addresses are host pointers (PHYS_OFFSET 0); page tables use the x86_64
 * entry format, so the generic walker is the one under test.
 */
#ifndef ARCH_HOST_DEFS_H
#define ARCH_HOST_DEFS_H

#define PHYS_OFFSET 0x0ul
#define USER_TOP 0x00007ffffffff000ul
#define KSTACK_SIZE 16384

#include <lib/types.h>

#include <arch/x86_64/regs.h>

static inline void *phys_to_virt(paddr_t pa)
{
	return (void *)(pa + PHYS_OFFSET);
}

static inline paddr_t virt_to_phys(const void *va)
{
	return (paddr_t)va - PHYS_OFFSET;
}

/* Hosted tests observe thread switches through these (host.c). */
#include <setjmp.h>
struct thread;
extern jmp_buf *host_switch_jmp;
extern struct thread *host_switched_to;
extern bool host_switched_to_user;
/*
 * arch.ksp on the host: 0 when the thread's next switch-in starts from
 * its user frame (new, or arch_thread_reset_kctx), HOST_KCTX_PARKED once
 * arch_switch_to has left it parked inside the kernel.
 */
#define HOST_KCTX_PARKED 1ul

#endif
