/*
 * user/lib/elf_parse.c (libferry's fy_elf_parse, for procmgr): the
 * builder's valid image (elf_image.h) broken once per check: every header
 * field, each bound of every segment, overflow, order, shared pages, the
 * limits, the entry, PT_INTERP/PT_PHDR/PT_TLS/PT_GNU_STACK, and the
 * "read more" protocol. Notes, the build's real programs and a fuzz pass
 * are in test_elf_load_real.c.
 */
#include <elf.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <ferry/elf_load.h>
#include <uapi/ferry/cap.h>
#include <uapi/ferry/errno.h>

#include "../../kernel/arch/x86_64/arch_defs.h"
#include "elf_image.h"

_Static_assert(FY_USER_TOP == USER_TOP, "libferry's user top is the kernel's");

static void test_valid_image(void **state)
{
	struct fy_elf_info info;

	(void)state;
	assert_int_equal(parse(&info), 0);
	assert_int_equal(info.entry, TEXT + 0x800);
	assert_int_equal(info.phnum, 2);
	assert_int_equal(info.phentsize, 56);
	assert_int_equal(info.phdr_vaddr, TEXT + 64);
	assert_false(info.native);
	assert_int_equal(info.stack_prot, VM_READ | VM_WRITE);
	assert_int_equal(info.tls_memsz, 0);
	assert_int_equal(info.image_end, DATA + 0x2000);
	assert_int_equal(info.nsegs, 2);
	assert_int_equal(info.segs[0].vaddr, TEXT);
	assert_int_equal(info.segs[0].prot, VM_READ | VM_EXEC);
	assert_int_equal(info.segs[1].offset, 0x2000);
	assert_int_equal(info.segs[1].filesz, 0x800);
	assert_int_equal(info.segs[1].memsz, 0x2000);
	assert_int_equal(info.segs[1].prot, VM_READ | VM_WRITE);
}

static void test_null_arguments(void **state)
{
	struct fy_elf_info info;

	(void)state;
	assert_int_equal(fy_elf_parse(NULL, 0, IMG_SIZE, &info), -EINVAL);
	assert_int_equal(fy_elf_parse(img, IMG_SIZE, IMG_SIZE, NULL), -EINVAL);
}

static void test_bad_ident(void **state)
{
	static const struct {
		int at;
		uint8_t val;
	} bad[] = {
		{0, 0x7e},
		{1, 'e'},
		{2, 'l'},
		{3, 'G'},
		{EI_CLASS, ELFCLASS32},
		{EI_CLASS, 0},
		{EI_CLASS, 3},
		{EI_DATA, ELFDATA2MSB},
		{EI_DATA, 0},
		{EI_VERSION, 0},
		{EI_VERSION, 2},
		{EI_OSABI, 9 /* FreeBSD */},
		{EI_OSABI, 97 /* ARM */},
	};
	uint8_t saved;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		saved = img[bad[i].at];
		img[bad[i].at] = bad[i].val;
		assert_int_equal(parse_err(), -ENOEXEC);
		img[bad[i].at] = saved;
	}
	/* GNU/Linux's OS ABI is what some linkers write: accepted. */
	img[EI_OSABI] = ELFOSABI_GNU;
	assert_int_equal(parse_err(), 0);
}

static void test_bad_type_machine_version(void **state)
{
	static const uint16_t types[] = {ET_NONE, ET_REL, ET_DYN, ET_CORE,
					 0xfe00};

	(void)state;
	/* ET_DYN too: static-pie would need relocating, which we do not. */
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		eh()->e_type = types[i];
		assert_int_equal(parse_err(), -ENOEXEC);
	}
	eh()->e_type = ET_EXEC;
	eh()->e_machine = EM_386;
	assert_int_equal(parse_err(), -ENOEXEC);
	eh()->e_machine = EM_AARCH64;
	assert_int_equal(parse_err(), -ENOEXEC);
	eh()->e_machine = EM_X86_64;
	eh()->e_version = 2;
	assert_int_equal(parse_err(), -ENOEXEC);
	eh()->e_version = EV_CURRENT;
	assert_int_equal(parse_err(), 0);
}

static void test_bad_header_sizes(void **state)
{
	(void)state;
	eh()->e_ehsize = 52;
	assert_int_equal(parse_err(), -ENOEXEC);
	eh()->e_ehsize = 65;
	assert_int_equal(parse_err(), -ENOEXEC);
	eh()->e_ehsize = 64;
	eh()->e_phentsize = 32;
	assert_int_equal(parse_err(), -ENOEXEC);
	eh()->e_phentsize = 64;
	assert_int_equal(parse_err(), -ENOEXEC);
	eh()->e_phentsize = 56;
	assert_int_equal(parse_err(), 0);
}

static void test_phnum_limits(void **state)
{
	struct fy_elf_info info;
	uint8_t *big;
	size_t size = 64 + (FY_ELF_MAX_PHNUM + 1) * 56 + 0x3000;

	(void)state;
	set_phnum(0);
	assert_int_equal(parse_err(), -ENOEXEC);
	set_phnum(0xffff); /* PN_XNUM: the count is elsewhere; not for us */
	assert_int_equal(parse_err(), -ENOEXEC);

	/* FY_ELF_MAX_PHNUM headers (PT_NULL but two) parse; one more not. */
	big = calloc(1, size);
	assert_non_null(big);
	memcpy(big, img, 64);
	memcpy(big + 64, ph(0), 2 * 56);
	/* The text segment must hold the whole table (AT_PHDR). */
	((Elf64_Phdr *)(big + 64))[0].p_filesz = 0x2000;
	((Elf64_Phdr *)(big + 64))[0].p_memsz = 0x2000;
	((Elf64_Ehdr *)big)->e_phnum = FY_ELF_MAX_PHNUM;
	assert_int_equal(fy_elf_parse(big, size, size, &info), 0);
	assert_int_equal(info.phnum, FY_ELF_MAX_PHNUM);
	((Elf64_Ehdr *)big)->e_phnum = FY_ELF_MAX_PHNUM + 1;
	assert_int_equal(fy_elf_parse(big, size, size, &info), -ENOEXEC);
	free(big);
}

static void test_phoff_bounds(void **state)
{
	(void)state;
	eh()->e_phoff = ~0ull - 10;
	assert_int_equal(parse_err(), -ENOEXEC);
	eh()->e_phoff = ~0ull - 2 * 56 + 1; /* the sum wraps to 0 */
	assert_int_equal(parse_err(), -ENOEXEC);
	eh()->e_phoff = IMG_SIZE;
	assert_int_equal(parse_err(), -ENOEXEC);
	eh()->e_phoff = IMG_SIZE - 2 * 56 + 1; /* one byte past the file */
	assert_int_equal(parse_err(), -ENOEXEC);
}

static void test_phdrs_past_head_limit(void **state)
{
	struct fy_elf_info info;
	size_t size = FY_ELF_HEAD_MAX + 0x1000;
	uint8_t *big = calloc(1, size);

	(void)state;
	assert_non_null(big);
	memcpy(big, img, IMG_SIZE);
	/* The table ends one byte past what the parser ever reads. */
	((Elf64_Ehdr *)big)->e_phoff = FY_ELF_HEAD_MAX - 2 * 56 + 1;
	assert_int_equal(fy_elf_parse(big, size, size, &info), -ENOEXEC);
	free(big);
}

static void test_asks_for_more(void **state)
{
	struct fy_elf_info info;
	int rounds;

	(void)state;
	/* Nothing yet: the ELF header first, then the table. */
	assert_int_equal(fy_elf_parse(img, 0, IMG_SIZE, &info), 64);
	assert_int_equal(fy_elf_parse(img, 63, IMG_SIZE, &info), 64);
	assert_int_equal(fy_elf_parse(img, 64, IMG_SIZE, &info), 64 + 2 * 56);
	assert_int_equal(fy_elf_parse(img, 64 + 2 * 56 - 1, IMG_SIZE, &info),
			 64 + 2 * 56);
	assert_int_equal(fy_elf_parse(img, 64 + 2 * 56, IMG_SIZE, &info), 0);
	/* Segment data is never needed in the buffer. */
	assert_int_equal(parse_by_parts(img, IMG_SIZE, 0, &rounds, &info), 0);
	assert_int_equal(rounds, 3);
	assert_int_equal(info.nsegs, 2);
	/* A bad header is refused before anything more is asked for. */
	eh()->e_machine = EM_386;
	assert_int_equal(fy_elf_parse(img, 64, IMG_SIZE, &info), -ENOEXEC);
	/* A file too short to be an ELF at all. */
	assert_int_equal(fy_elf_parse(img, 0, 63, &info), -ENOEXEC);
}

static void test_file_size_bounds_segments(void **state)
{
	struct fy_elf_info info;

	(void)state;
	/* The data segment's file part ends at 0x2800. */
	assert_int_equal(fy_elf_parse(img, 0x1000, 0x2800, &info), 0);
	assert_int_equal(fy_elf_parse(img, 0x1000, 0x27ff, &info), -ENOEXEC);
	/* len above file_size counts as file_size. */
	assert_int_equal(fy_elf_parse(img, IMG_SIZE, 0x27ff, &info), -ENOEXEC);
}

static void test_every_truncation(void **state)
{
	struct fy_elf_info info;

	(void)state;
	for (uint64_t n = 0; n < 0x2800; n++)
		assert_true(fy_elf_parse(img, n < IMG_SIZE ? n : IMG_SIZE, n,
					 &info) == -ENOEXEC);
}

static void test_filesz_above_memsz(void **state)
{
	(void)state;
	set_ph(1, PT_LOAD, PF_R | PF_W, 0x2000, DATA, 0x801, 0x800);
	assert_int_equal(parse_err(), -ENOEXEC);
	set_ph(1, PT_LOAD, PF_R | PF_W, 0x2000, DATA, 0x800, 0x800);
	assert_int_equal(parse_err(), 0);
}

static void test_offset_filesz_overflow(void **state)
{
	(void)state;
	set_ph(1, PT_LOAD, PF_R | PF_W, 0xfffffffffffff000ull, DATA, 0x2000,
	       0x2000);
	assert_int_equal(parse_err(), -ENOEXEC);
	set_ph(1, PT_LOAD, PF_R | PF_W, 0x2000, DATA, ~0ull - 0x1000, ~0ull);
	assert_int_equal(parse_err(), -ENOEXEC);
	/* One byte past the file. */
	set_ph(1, PT_LOAD, PF_R | PF_W, 0x2000, DATA, 0x2001, 0x2001);
	assert_int_equal(parse_err(), -ENOEXEC);
	set_ph(1, PT_LOAD, PF_R | PF_W, 0x2000, DATA, 0x2000, 0x2000);
	assert_int_equal(parse_err(), 0);
}

static void test_vaddr_range(void **state)
{
	(void)state;
	/* The sum wraps. */
	set_ph(1, PT_LOAD, PF_R | PF_W, 0x2000, 0xfffffffffffff000ull, 0x800,
	       0x2000);
	assert_int_equal(parse_err(), -ENOEXEC);
	/* Kernel half. */
	set_ph(1, PT_LOAD, PF_R | PF_W, 0x2000, 0xffff800000002000ull, 0x800,
	       0x2000);
	assert_int_equal(parse_err(), -ENOEXEC);
	/* Ends exactly at the top: fine; one byte further: not. */
	set_ph(1, PT_LOAD, PF_R | PF_W, 0x2000, FY_USER_TOP - 0x2000, 0x800,
	       0x2000);
	assert_int_equal(parse_err(), 0);
	set_ph(1, PT_LOAD, PF_R | PF_W, 0x2000, FY_USER_TOP - 0x2000, 0x800,
	       0x2001);
	assert_int_equal(parse_err(), -ENOEXEC);
	/* Starts at the top. */
	set_ph(1, PT_LOAD, PF_R | PF_W, 0x2000, FY_USER_TOP, 0x800, 0x800);
	assert_int_equal(parse_err(), -ENOEXEC);
}

static void test_low_addresses(void **state)
{
	(void)state;
	eh()->e_entry = 0x800;
	set_ph(0, PT_LOAD, PF_R | PF_X, 0, 0, 0x1000, 0x1000);
	assert_int_equal(parse_err(), -ENOEXEC);
	eh()->e_entry = FY_ELF_MIN_VADDR - 0x800;
	set_ph(0, PT_LOAD, PF_R | PF_X, 0, FY_ELF_MIN_VADDR - 0x1000, 0x1000,
	       0x1000);
	assert_int_equal(parse_err(), -ENOEXEC);
	eh()->e_entry = FY_ELF_MIN_VADDR + 0x800;
	set_ph(0, PT_LOAD, PF_R | PF_X, 0, FY_ELF_MIN_VADDR, 0x1000, 0x1000);
	assert_int_equal(parse_err(), 0);
}

static void test_congruence_and_align(void **state)
{
	(void)state;
	set_ph(1, PT_LOAD, PF_R | PF_W, 0x2000, DATA + 0x10, 0x800, 0x2000);
	assert_int_equal(parse_err(), -ENOEXEC);
	set_ph(1, PT_LOAD, PF_R | PF_W, 0x2010, DATA + 0x10, 0x800, 0x2000);
	assert_int_equal(parse_err(), 0);
	/* p_align not a power of two. */
	ph(1)->p_align = 0x3000;
	assert_int_equal(parse_err(), -ENOEXEC);
	/* 2 MiB alignment claimed, and not kept (pages still line up). */
	set_ph(1, PT_LOAD, PF_R | PF_W, 0x2010, DATA + 0x1010, 0x800, 0x2000);
	assert_int_equal(parse_err(), 0);
	ph(1)->p_align = 0x200000;
	assert_int_equal(parse_err(), -ENOEXEC);
	/* Kept (0x602010 - 0x2010 is a multiple of 2 MiB). */
	set_ph(1, PT_LOAD, PF_R | PF_W, 0x2010, 0x602010, 0x800, 0x2000);
	ph(1)->p_align = 0x200000;
	assert_int_equal(parse_err(), 0);
	/* None claimed: pages still must line up. */
	ph(1)->p_align = 0;
	assert_int_equal(parse_err(), 0);
	ph(1)->p_vaddr += 8;
	assert_int_equal(parse_err(), -ENOEXEC);
}

static void test_overlap_and_order(void **state)
{
	(void)state;
	/* Starts one byte before the text segment ends. */
	set_ph(1, PT_LOAD, PF_R | PF_W, 0x1fff, TEXT + 0xfff, 0x10, 0x10);
	assert_int_equal(parse_err(), -ENOEXEC);
	/* The same range twice. */
	set_ph(1, PT_LOAD, PF_R | PF_W, 0, TEXT, 0x1000, 0x1000);
	assert_int_equal(parse_err(), -ENOEXEC);
	/* Swapped. */
	set_ph(0, PT_LOAD, PF_R | PF_W, 0x2000, DATA, 0x800, 0x2000);
	set_ph(1, PT_LOAD, PF_R | PF_X, 0, TEXT, 0x1000, 0x1000);
	assert_int_equal(parse_err(), -ENOEXEC);
}

static void test_segments_sharing_a_page(void **state)
{
	(void)state;
	/*
	 * What older linkers wrote (and the kernel's loader allowed): text
	 * ends mid-page, data starts in the same page. One page cannot be
	 * both shared text and private data.
	 */
	set_ph(0, PT_LOAD, PF_R | PF_X, 0, TEXT, 0xfc0, 0xfc0);
	set_ph(1, PT_LOAD, PF_R | PF_W, 0xfc0, TEXT + 0xfc0, 0x40, 0x1800);
	assert_int_equal(parse_err(), -ENOEXEC);
	/* bss reaching into the next segment's first page. */
	elf_image_reset();
	set_ph(0, PT_LOAD, PF_R | PF_X, 0, TEXT, 0x1000, 0x2001);
	assert_int_equal(parse_err(), -ENOEXEC);
	/* Up to the page before it: fine. */
	set_ph(0, PT_LOAD, PF_R | PF_X, 0, TEXT, 0x1000, 0x2000);
	assert_int_equal(parse_err(), 0);
}

static void add_small_loads(int first, int count)
{
	for (int i = first; i < first + count; i++)
		set_ph(i, PT_LOAD, PF_R, 0x3000, 0x500000 + i * 0x1000ull, 8,
		       8);
}

static void test_segment_limit(void **state)
{
	struct fy_elf_info info;

	(void)state;
	set_phnum(FY_ELF_MAX_SEGMENTS);
	add_small_loads(2, FY_ELF_MAX_SEGMENTS - 2);
	assert_int_equal(parse(&info), 0);
	assert_int_equal(info.nsegs, FY_ELF_MAX_SEGMENTS);
	assert_int_equal(info.image_end,
			 0x500000 + (FY_ELF_MAX_SEGMENTS - 1) * 0x1000ull +
				 0x1000);
	set_phnum(FY_ELF_MAX_SEGMENTS + 1);
	add_small_loads(2, FY_ELF_MAX_SEGMENTS - 1);
	assert_int_equal(parse_err(), -E2BIG);
}

static void test_absurd_sizes(void **state)
{
	struct fy_elf_info info;

	(void)state;
	/* One segment of 2^46 bytes: inside user space, but absurd. */
	set_ph(1, PT_LOAD, PF_R | PF_W, 0x2000, DATA, 0x800, 1ull << 46);
	assert_int_equal(parse_err(), -ENOMEM);
	/* The limit is on the sum: two halves that add up to it fit ... */
	set_ph(0, PT_LOAD, PF_R | PF_X, 0, TEXT, 0x1000, FY_ELF_MAX_MEMSZ / 2);
	set_ph(1, PT_LOAD, PF_R | PF_W, 0x2000, 0x80000000ull, 0x800,
	       FY_ELF_MAX_MEMSZ / 2);
	assert_int_equal(parse(&info), 0);
	/* ... one byte more does not. */
	ph(1)->p_memsz++;
	assert_int_equal(parse_err(), -ENOMEM);
}

static void test_empty_and_missing_loads(void **state)
{
	struct fy_elf_info info;

	(void)state;
	set_phnum(3);
	set_ph(2, PT_LOAD, PF_R, 0, 0, 0, 0); /* maps nothing: skipped */
	assert_int_equal(parse(&info), 0);
	assert_int_equal(info.nsegs, 2);
	/* Only headers that load nothing. */
	set_ph(0, PT_NULL, 0, 0, 0, 0, 0);
	set_ph(1, PT_GNU_STACK, PF_R | PF_W, 0, 0, 0, 0);
	assert_int_equal(parse_err(), -ENOEXEC);
}

static void test_entry(void **state)
{
	struct fy_elf_info info;

	(void)state;
	eh()->e_entry = DATA; /* not executable */
	assert_int_equal(parse_err(), -ENOEXEC);
	eh()->e_entry = TEXT + 0x1000; /* one past the text */
	assert_int_equal(parse_err(), -ENOEXEC);
	eh()->e_entry = 0;
	assert_int_equal(parse_err(), -ENOEXEC);
	eh()->e_entry = TEXT + 0xfff;
	assert_int_equal(parse(&info), 0);
	assert_int_equal(info.entry, TEXT + 0xfff);
	/* In the zero-filled part of an executable segment: nothing there. */
	set_ph(0, PT_LOAD, PF_R | PF_X, 0, TEXT, 0x800, 0x1000);
	eh()->e_entry = TEXT + 0x800;
	assert_int_equal(parse_err(), -ENOEXEC);
	/* Text readable but not executable. */
	set_ph(0, PT_LOAD, PF_R, 0, TEXT, 0x1000, 0x1000);
	eh()->e_entry = TEXT + 0x100;
	assert_int_equal(parse_err(), -ENOEXEC);
}

static void test_interp_rejected(void **state)
{
	(void)state;
	set_phnum(3);
	set_ph(2, PT_INTERP, PF_R, 0x200, TEXT + 0x200, 28, 28);
	assert_int_equal(parse_err(), -ENOEXEC);
}

static void test_phdrs_must_be_loaded(void **state)
{
	struct fy_elf_info info;

	(void)state;
	/* The text segment starts after the headers. */
	set_ph(0, PT_LOAD, PF_R | PF_X, 0x1000, TEXT + 0x1000, 0x1000, 0x1000);
	eh()->e_entry = TEXT + 0x1000;
	assert_int_equal(parse_err(), -ENOEXEC);
	/* Covers offset 64 but not the whole table. */
	elf_image_reset();
	set_ph(0, PT_LOAD, PF_R | PF_X, 0, TEXT, 100, 0x1000);
	eh()->e_entry = TEXT + 10;
	assert_int_equal(parse_err(), -ENOEXEC);
	/* Exactly the table. */
	ph(0)->p_filesz = 64 + 2 * 56;
	assert_int_equal(parse(&info), 0);
	assert_int_equal(info.phdr_vaddr, TEXT + 64);
}

static void test_pt_phdr(void **state)
{
	struct fy_elf_info info;
	Elf64_Phdr load0, load1;

	(void)state;
	/* As gABI wants it: first, describing the table. */
	load0 = *ph(0);
	load1 = *ph(1);
	set_phnum(3);
	set_ph(0, PT_PHDR, PF_R, 64, TEXT + 64, 3 * 56, 3 * 56);
	*ph(1) = load0;
	*ph(2) = load1;
	assert_int_equal(parse(&info), 0);
	assert_int_equal(info.phdr_vaddr, TEXT + 64);
	/* Saying the table is elsewhere. */
	ph(0)->p_vaddr = TEXT + 0x100;
	assert_int_equal(parse_err(), -ENOEXEC);
	ph(0)->p_vaddr = TEXT + 64;
	ph(0)->p_offset = 0x100;
	assert_int_equal(parse_err(), -ENOEXEC);
	ph(0)->p_offset = 64;
	ph(0)->p_filesz = 56;
	assert_int_equal(parse_err(), -ENOEXEC);
	ph(0)->p_filesz = 3 * 56;
	/* After a PT_LOAD, or twice. */
	*ph(0) = load0;
	set_ph(1, PT_PHDR, PF_R, 64, TEXT + 64, 3 * 56, 3 * 56);
	assert_int_equal(parse_err(), -ENOEXEC);
	*ph(2) = *ph(1);
	*ph(0) = *ph(1);
	*ph(1) = load0;
	assert_int_equal(parse_err(), -ENOEXEC);
}

static void test_tls(void **state)
{
	struct fy_elf_info info;

	(void)state;
	set_phnum(3);
	/* .tdata: 0x40 bytes inside the data segment's file part; .tbss. */
	set_ph(2, PT_TLS, PF_R, 0x2100, DATA + 0x100, 0x40, 0x80);
	ph(2)->p_align = 8;
	assert_int_equal(parse(&info), 0);
	assert_int_equal(info.tls_vaddr, DATA + 0x100);
	assert_int_equal(info.tls_memsz, 0x80);
	/* Image past the file-backed part. */
	ph(2)->p_filesz = 0x800;
	ph(2)->p_memsz = 0x800;
	assert_int_equal(parse_err(), -ENOEXEC);
	/* Not where the file says. */
	set_ph(2, PT_TLS, PF_R, 0x2100, DATA + 0x200, 0x40, 0x80);
	assert_int_equal(parse_err(), -ENOEXEC);
	/* filesz > memsz; alignment not a power of two; absurd size. */
	set_ph(2, PT_TLS, PF_R, 0x2100, DATA + 0x100, 0x40, 0x20);
	assert_int_equal(parse_err(), -ENOEXEC);
	set_ph(2, PT_TLS, PF_R, 0x2100, DATA + 0x100, 0x40, 0x80);
	ph(2)->p_align = 24;
	assert_int_equal(parse_err(), -ENOEXEC);
	ph(2)->p_align = 8;
	ph(2)->p_memsz = 1ull << 40;
	assert_int_equal(parse_err(), -ENOMEM);
	/* Only .tbss: nothing to find in memory. */
	set_ph(2, PT_TLS, PF_R, 0, 0, 0, 0x80);
	assert_int_equal(parse_err(), 0);
	/* Two. */
	set_phnum(4);
	*ph(3) = *ph(2);
	assert_int_equal(parse_err(), -ENOEXEC);
}

static void test_gnu_stack(void **state)
{
	struct fy_elf_info info;

	(void)state;
	set_phnum(3);
	set_ph(2, PT_GNU_STACK, PF_R | PF_W | PF_X, 0, 0, 0, 0);
	assert_int_equal(parse(&info), 0);
	assert_int_equal(info.stack_prot, VM_READ | VM_WRITE | VM_EXEC);
	ph(2)->p_flags = PF_R | PF_W;
	assert_int_equal(parse(&info), 0);
	assert_int_equal(info.stack_prot, VM_READ | VM_WRITE);
}

static void test_out_untouched_on_error(void **state)
{
	struct fy_elf_info info;

	(void)state;
	memset(&info, 0x5a, sizeof(info));
	eh()->e_machine = 40;
	assert_int_equal(parse(&info), -ENOEXEC);
	assert_int_equal(info.nsegs, 0x5a5a5a5a);
	eh()->e_machine = EM_X86_64;
	assert_int_equal(fy_elf_parse(img, 64, IMG_SIZE, &info), 64 + 2 * 56);
	assert_int_equal(info.nsegs, 0x5a5a5a5a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f)                                                                   \
	cmocka_unit_test_setup_teardown(f, elf_image_setup, elf_image_teardown)
		T(test_valid_image),
		T(test_null_arguments),
		T(test_bad_ident),
		T(test_bad_type_machine_version),
		T(test_bad_header_sizes),
		T(test_phnum_limits),
		T(test_phoff_bounds),
		T(test_phdrs_past_head_limit),
		T(test_asks_for_more),
		T(test_file_size_bounds_segments),
		T(test_every_truncation),
		T(test_filesz_above_memsz),
		T(test_offset_filesz_overflow),
		T(test_vaddr_range),
		T(test_low_addresses),
		T(test_congruence_and_align),
		T(test_overlap_and_order),
		T(test_segments_sharing_a_page),
		T(test_segment_limit),
		T(test_absurd_sizes),
		T(test_empty_and_missing_loads),
		T(test_entry),
		T(test_interp_rejected),
		T(test_phdrs_must_be_loaded),
		T(test_pt_phdr),
		T(test_tls),
		T(test_gnu_stack),
		T(test_out_untouched_on_error),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
