/*
 * ELF64 executable parsing. Works on an image already in kernel memory
 * (the initrd) and trusts nothing in it: every offset, size and count is
 * checked against the image and against user address space before use.
 */
#ifndef KERNEL_LIB_ELF_H
#define KERNEL_LIB_ELF_H

#include <lib/types.h>

#define ELF_MAX_SEGMENTS 16

struct elf_segment {
	u64 vaddr; /* page-unaligned start as in the file */
	u64 memsz; /* >= filesz */
	u64 filesz;
	u64 offset; /* into the image; offset + filesz <= image size */
	u32 flags;  /* VM_READ | VM_WRITE | VM_EXEC (uapi/ferry/cap.h) */
};

struct elf_info {
	u64 entry;
	u64 phdr_vaddr; /* user address of the program headers (AT_PHDR), 0 if
			   none */
	u16 phnum;	/* AT_PHNUM */
	u16 phentsize;
	bool ferry_native; /* carries the Ferry note (uapi/ferry/elf_note.h) */
	int nsegs;
	struct elf_segment segs[ELF_MAX_SEGMENTS];
};

/*
 * Parses an ELF64 x86_64 ET_EXEC image of `size` bytes at `image`.
 * PT_LOAD segments must lie below `user_top`, not overflow, not overlap,
 * and have vaddr % PAGE_SIZE == offset % PAGE_SIZE. The entry must fall in
 * an executable segment. PT_NOTE segments are searched for the Ferry note;
 * a malformed note segment is skipped (notes are advisory, as in Linux's
 * loader), so it never makes a program native.
 * Returns 0, or -ENOEXEC for anything malformed or unsupported, -E2BIG for
 * more than ELF_MAX_SEGMENTS loadable segments.
 */
int elf_parse(const void *image, size_t size, u64 user_top,
	      struct elf_info *out);

#endif
