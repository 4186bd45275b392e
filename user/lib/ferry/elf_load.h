/*
 * ELF validation for a loader in user space (procmgr): decides whether an
 * untrusted file is a static x86_64 executable Ferry can map, and turns it
 * into a list of segments that need no further checks. Pure code with no
 * system calls, so it also runs on the host under the unit tests.
 *
 * The caller reads the file through a file server, so the parser works on
 * a prefix of it: `buf` holds the file's first `len` bytes, `file_size` is
 * the whole file's. When the headers (or the notes it looks into) lie past
 * `len`, fy_elf_parse asks for more by returning a positive byte count
 * instead of failing; the caller reads that many bytes from offset 0 and
 * calls again. Segment contents are never read: only their place in the
 * file is checked against `file_size`. docs/loader.md describes the rules.
 */
#ifndef FERRY_ELF_LOAD_H
#define FERRY_ELF_LOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The kernel's USER_TOP (kernel/arch/x86_64/arch_defs.h): user space ends. */
#define FY_USER_TOP 0x00007ffffffff000ull
/* No segment below this: page 0 and its neighbours stay unmapped, so NULL
 * pointer bugs fault (Linux's default vm.mmap_min_addr, 64 KiB). */
#define FY_ELF_MIN_VADDR 0x10000ull
#define FY_ELF_PAGE 4096ull
#define FY_ELF_MAX_SEGMENTS 16	      /* loadable segments: -E2BIG past it */
#define FY_ELF_MAX_PHNUM 128	      /* program headers: -ENOEXEC past it */
#define FY_ELF_MAX_MEMSZ (1ull << 30) /* sum of memsz: -ENOMEM past it */
/* The most the parser ever asks for: headers and notes must lie inside
 * this prefix (notes past it are ignored, headers past it are refused). */
#define FY_ELF_HEAD_MAX 16384u

struct fy_elf_segment {
	uint64_t vaddr;	 /* as in the file (not page-aligned) */
	uint64_t memsz;	 /* >= filesz; the rest is zero-filled */
	uint64_t filesz; /* bytes from the file */
	uint64_t offset; /* offset + filesz <= file_size */
	uint32_t prot;	 /* VM_READ | VM_WRITE | VM_EXEC (uapi/ferry/cap.h) */
};

struct fy_elf_info {
	uint64_t entry;
	uint64_t phdr_vaddr; /* AT_PHDR: the program headers, always loaded */
	uint16_t phnum;	     /* AT_PHNUM */
	uint16_t phentsize;  /* AT_PHENT */
	bool native; /* carries the Ferry note (uapi/ferry/elf_note.h) */
	uint32_t stack_prot; /* PT_GNU_STACK's VM_* bits; RW without one */
	uint64_t tls_vaddr;  /* PT_TLS (0 and 0 without one) */
	uint64_t tls_memsz;
	uint64_t image_end; /* page-aligned end of the last segment (brk) */
	int nsegs;
	struct fy_elf_segment segs[FY_ELF_MAX_SEGMENTS]; /* ascending */
};

/*
 * Validates the ELF file whose first `len` bytes are at `buf` and whose
 * size is `file_size` bytes (len > file_size is treated as file_size).
 * Returns
 *   0         a valid executable: *out is filled;
 *   N > 0     the headers or notes reach past `len`: call again with the
 *             file's first N bytes (N <= min(file_size, FY_ELF_HEAD_MAX));
 *   -ENOEXEC  not a static x86_64 ET_EXEC Ferry can load: bad magic,
 *             class, byte order, version, OS ABI, type (ET_DYN included:
 *             no relocation), machine, header sizes, program header
 *             count or place, PT_INTERP, a segment outside the file or
 *             outside [FY_ELF_MIN_VADDR, FY_USER_TOP), filesz > memsz,
 *             vaddr and offset not congruent mod 4096 (or mod p_align),
 *             segments out of order or sharing a page, an entry outside
 *             the file-backed part of an executable segment, program
 *             headers not inside a loaded segment, a bad PT_TLS/PT_PHDR;
 *   -E2BIG    more than FY_ELF_MAX_SEGMENTS non-empty PT_LOAD segments;
 *   -ENOMEM   segments adding up to more than FY_ELF_MAX_MEMSZ bytes;
 *   -EINVAL   buf or out NULL.
 * *out is written only on 0. A malformed PT_NOTE is skipped (notes are
 * advisory, as in Linux's loader): it only means "not native".
 */
int fy_elf_parse(const void *buf, size_t len, uint64_t file_size,
		 struct fy_elf_info *out);

#endif
