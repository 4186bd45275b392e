/*
 * Boot: QEMU loads the flat image at 1 MiB through the Multiboot header's
 * a.out kludge (its loader refuses ELF64) and enters _start32 in 32-bit
 * protected mode with paging off. We build boot page tables mapping the
 * first 4 GiB three times (identity, direct map, kernel image at -2 GiB)
 * with 2 MiB pages, enable long mode and jump to kmain in the higher half.
 */
#include <arch_defs.h>

#define PHYS(x) ((x) - KERNEL_VMA)
#define MB_MAGIC 0x1BADB002
#define MB_FLAGS ((1 << 0) | (1 << 1) | (1 << 16))

	.section .multiboot, "a"
	.align 4
mb_header:
	.long MB_MAGIC
	.long MB_FLAGS
	.long -(MB_MAGIC + MB_FLAGS)
	.long PHYS(mb_header)
	.long PHYS(_load_start)
	.long PHYS(_load_end)
	.long PHYS(_bss_end)
	.long PHYS(_start32)

	.section .text.boot, "ax"
	.code32
	.global _start32
_start32:
	cli
	movl $PHYS(boot_stack_top), %esp
	movl %eax, %edi			/* multiboot magic */
	movl %ebx, %esi			/* multiboot info (physical) */

	/* Four page directories of 2 MiB pages: 0..4 GiB. */
	movl $PHYS(boot_pd), %ebx
	xorl %ecx, %ecx
1:	movl %ecx, %eax
	shll $21, %eax
	orl $0x83, %eax			/* present, writable, 2 MiB */
	movl %eax, (%ebx, %ecx, 8)
	movl %ecx, %eax
	shrl $11, %eax			/* high dword: address bits 32+ */
	movl %eax, 4(%ebx, %ecx, 8)
	incl %ecx
	cmpl $2048, %ecx
	jne 1b

	/* Low PDPT: GiB i -> boot_pd + i*4096. */
	movl $PHYS(boot_pdpt_low), %ebx
	movl $PHYS(boot_pd) + 3, %eax
	movl %eax, 0(%ebx)
	addl $4096, %eax
	movl %eax, 8(%ebx)
	addl $4096, %eax
	movl %eax, 16(%ebx)
	addl $4096, %eax
	movl %eax, 24(%ebx)

	/* High PDPT: -2 GiB -> the first GiB, -1 GiB -> the second. */
	movl $PHYS(boot_pdpt_high), %ebx
	movl $PHYS(boot_pd) + 3, %eax
	movl %eax, 510*8(%ebx)
	addl $4096, %eax
	movl %eax, 511*8(%ebx)

	movl $PHYS(boot_pml4), %ebx
	movl $PHYS(boot_pdpt_low) + 3, %eax
	movl %eax, 0(%ebx)		/* identity, dropped once in the high half */
	movl %eax, 256*8(%ebx)		/* PHYS_OFFSET direct map */
	movl $PHYS(boot_pdpt_high) + 3, %eax
	movl %eax, 511*8(%ebx)

	movl %cr4, %eax
	orl $((1 << 5) | (1 << 7)), %eax	/* PAE, PGE */
	movl %eax, %cr4
	movl $PHYS(boot_pml4), %eax
	movl %eax, %cr3
	movl $0xC0000080, %ecx		/* EFER: long mode, NX, syscall */
	rdmsr
	orl $((1 << 8) | (1 << 11) | (1 << 0)), %eax
	wrmsr
	movl %cr0, %eax
	orl $((1 << 31) | (1 << 16) | 1), %eax	/* PG, WP, PE */
	movl %eax, %cr0

	lgdt PHYS(boot_gdt_ptr)
	ljmp $0x08, $PHYS(start64_low)

	.code64
start64_low:
	movabsq $start64, %rax
	jmp *%rax

	.text
start64:
	movw $0x10, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	xorw %ax, %ax
	movw %ax, %fs
	movw %ax, %gs
	movabsq $boot_stack_top, %rsp
	movl %edi, %edi
	movl %esi, %esi
	xorl %ebp, %ebp
	call kmain
2:	hlt
	jmp 2b

	.section .rodata
	.align 16
boot_gdt:
	.quad 0
	.quad 0x00af9a000000ffff	/* 64-bit code */
	.quad 0x00cf92000000ffff	/* data */
boot_gdt_end:
boot_gdt_ptr:
	.word boot_gdt_end - boot_gdt - 1
	.long PHYS(boot_gdt)

	.section .bss
	.align 4096
	.global boot_pml4
boot_pml4:	.skip 4096
boot_pdpt_low:	.skip 4096
boot_pdpt_high:	.skip 4096
boot_pd:	.skip 4 * 4096
	.global boot_stack_top
boot_stack:	.skip 16384
boot_stack_top:

	.section .note.GNU-stack, "", @progbits
