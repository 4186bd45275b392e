/*
 * The ELF64 on-disk layout, as far as the loader reads it. Our own
 * definitions with fixed-width types: the kernel has no <elf.h>, and the
 * sizes are checked so that a layout slip cannot pass unnoticed.
 */
#ifndef KERNEL_LIB_ELF_FORMAT_H
#define KERNEL_LIB_ELF_FORMAT_H

#include <lib/types.h>

#define EI_NIDENT 16
#define EI_CLASS 4
#define EI_DATA 5
#define EI_VERSION 6

#define ELFMAG0 0x7f
#define ELFCLASS64 2
#define ELFDATA2LSB 1
#define EV_CURRENT 1
#define ET_EXEC 2
#define EM_X86_64 62

#define PT_NULL 0
#define PT_LOAD 1
#define PT_INTERP 3
#define PT_NOTE 4
#define PT_PHDR 6

#define PF_X (1u << 0)
#define PF_W (1u << 1)
#define PF_R (1u << 2)

typedef struct {
	u8 e_ident[EI_NIDENT];
	u16 e_type;
	u16 e_machine;
	u32 e_version;
	u64 e_entry;
	u64 e_phoff;
	u64 e_shoff;
	u32 e_flags;
	u16 e_ehsize;
	u16 e_phentsize;
	u16 e_phnum;
	u16 e_shentsize;
	u16 e_shnum;
	u16 e_shstrndx;
} Elf64_Ehdr;

typedef struct {
	u32 p_type;
	u32 p_flags;
	u64 p_offset;
	u64 p_vaddr;
	u64 p_paddr;
	u64 p_filesz;
	u64 p_memsz;
	u64 p_align;
} Elf64_Phdr;

typedef struct {
	u32 n_namesz; /* the name's bytes, with its NUL */
	u32 n_descsz;
	u32 n_type;
} Elf64_Nhdr; /* then the name and the descriptor, each padded */

_Static_assert(sizeof(Elf64_Nhdr) == 12, "ELF note header is 12 bytes");
_Static_assert(sizeof(Elf64_Ehdr) == 64, "ELF64 header is 64 bytes");
_Static_assert(sizeof(Elf64_Phdr) == 56, "ELF64 program header is 56 bytes");

#endif
