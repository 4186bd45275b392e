/* x86_64 instructions and per-CPU state used only inside arch/x86_64. */
#ifndef ARCH_X86_64_CPU_H
#define ARCH_X86_64_CPU_H

#include <arch_defs.h>
#include <lib/types.h>

#define MSR_EFER 0xc0000080
#define MSR_STAR 0xc0000081
#define MSR_LSTAR 0xc0000082
#define MSR_FMASK 0xc0000084
#define MSR_FS_BASE 0xc0000100
#define MSR_GS_BASE 0xc0000101
#define MSR_KERNEL_GS_BASE 0xc0000102

struct thread;

/*
 * %gs points here in the kernel; entry.S uses its one field.
 * Nothing here caches user state: user mode can change its segment
 * registers and bases at any time (thread.c reads them back instead).
 */
struct percpu {
	u64 scratch; /* user rsp during syscall entry */
};

_Static_assert(__builtin_offsetof(struct percpu, scratch) == PERCPU_SCRATCH,
	       "entry.S: PERCPU_SCRATCH");

extern struct percpu cpu0;

static inline void outb(u16 port, u8 v)
{
	__asm__ volatile("outb %0, %1" ::"a"(v), "Nd"(port));
}

static inline u8 inb(u16 port)
{
	u8 v;
	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline void outw(u16 port, u16 v)
{
	__asm__ volatile("outw %0, %1" ::"a"(v), "Nd"(port));
}

static inline void outl(u16 port, u32 v)
{
	__asm__ volatile("outl %0, %1" ::"a"(v), "Nd"(port));
}

static inline void wrmsr(u32 msr, u64 v)
{
	__asm__ volatile("wrmsr" ::"c"(msr), "a"((u32)v), "d"((u32)(v >> 32)));
}

/* rdmsr zero-extends both halves: merge them without a mask. */
static inline u64 rdmsr(u32 msr)
{
	u64 v;
	__asm__ volatile("rdmsr\n\t"
			 "shlq $32, %%rdx\n\t"
			 "orq %%rdx, %%rax"
			 : "=a"(v)
			 : "c"(msr)
			 : "rdx");
	return v;
}

static inline u64 read_cr2(void)
{
	u64 v;
	__asm__ volatile("mov %%cr2, %0" : "=r"(v));
	return v;
}

static inline u64 read_cr0(void)
{
	u64 v;
	__asm__ volatile("mov %%cr0, %0" : "=r"(v));
	return v;
}

static inline void write_cr0(u64 v)
{
	__asm__ volatile("mov %0, %%cr0" ::"r"(v) : "memory");
}

static inline u64 read_cr4(void)
{
	u64 v;
	__asm__ volatile("mov %%cr4, %0" : "=r"(v));
	return v;
}

static inline void write_cr4(u64 v)
{
	__asm__ volatile("mov %0, %%cr4" ::"r"(v) : "memory");
}

static inline void cpuid(u32 leaf, u32 sub, u32 *a, u32 *b, u32 *c, u32 *d)
{
	__asm__ volatile("cpuid"
			 : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d)
			 : "a"(leaf), "c"(sub));
}

static inline u64 read_cr3(void)
{
	u64 v;
	__asm__ volatile("mov %%cr3, %0" : "=r"(v));
	return v;
}

struct tss {
	u32 reserved0;
	u64 rsp0, rsp1, rsp2;
	u64 reserved1;
	u64 ist[7];
	u64 reserved2;
	u16 reserved3;
	u16 iomap_base;
} __attribute__((packed));

_Static_assert(sizeof(struct tss) == 104, "TSS layout");
_Static_assert(__builtin_offsetof(struct tss, rsp0) == TSS_RSP0,
	       "entry.S: TSS_RSP0");

extern struct tss tss;

/* Interrupt stack table slots (1-based, as the IDT gate holds them). */
#define IST_DF 1
#define IST_NMI 2

/* Inline: both run on every thread switch, IPC migration included. */
static inline void tss_set_rsp0(u64 rsp0)
{
	tss.rsp0 = rsp0;
}

static inline void pt_activate(paddr_t root)
{
	if (read_cr3() != root)
		__asm__ volatile("mov %0, %%cr3" ::"r"(root) : "memory");
}

#define CR0_AM (1ul << 18)
#define CR4_FSGSBASE (1ul << 16)
#define CR4_SMEP (1ul << 20)
#define CR4_SMAP (1ul << 21)

/* CPU features found at boot (cpu_features.c). */
extern bool cpu_has_smap, cpu_has_smep, cpu_has_fsgsbase;

void gdt_init(void);
void cpu_features_init(void);
void idt_init(void);
void syscall_init(void);
void fpu_init(void);
void pic_init(void);
void pic_eoi(int irq);
void pit_init(unsigned hz);
void serial_init(void);
void serial_irq(void);
void paging_init(void);

#endif
