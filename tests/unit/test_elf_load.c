/*
 * user/lib/elf_parse.c (libferry's fy_elf_parse, for procmgr): a small ELF
 * builder makes a valid image, each test breaks one thing in it; then
 * the "read more" protocol, the build's real programs and a fuzz pass.
 * Images live in heap blocks of exactly the length passed, so ASan flags
 * any read past the end.
 */
#include <elf.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <ferry/elf_load.h>
#include <uapi/ferry/cap.h>
#include <uapi/ferry/elf_note.h>
#include <uapi/ferry/errno.h>

#include "../../kernel/arch/x86_64/arch_defs.h"

_Static_assert(FY_USER_TOP == USER_TOP, "libferry's user top is the kernel's");

#define IMG_SIZE 0x4000
#define TEXT 0x400000ull
#define DATA 0x402000ull

/*
 * The builder's base image: the headers and a text segment (R X) in the
 * file's first page at TEXT, a data segment (RW, with bss) from offset
 * 0x2000 at DATA. Room for MAX_PH program headers after the ELF header.
 */
#define MAX_PH 40
static uint8_t *img;

static Elf64_Ehdr *eh(void)
{
	return (Elf64_Ehdr *)img;
}

static Elf64_Phdr *ph(int i)
{
	return (Elf64_Phdr *)(img + sizeof(Elf64_Ehdr)) + i;
}

static void set_ph(int i, uint32_t type, uint32_t flags, uint64_t off,
		   uint64_t vaddr, uint64_t filesz, uint64_t memsz)
{
	*ph(i) = (Elf64_Phdr){.p_type = type,
			      .p_flags = flags,
			      .p_offset = off,
			      .p_vaddr = vaddr,
			      .p_paddr = vaddr,
			      .p_filesz = filesz,
			      .p_memsz = memsz,
			      .p_align = 0x1000};
}

static void set_phnum(int n)
{
	eh()->e_phnum = (uint16_t)n;
}

/* (Re)writes the base image into img. */
static void build_base(void)
{
	memset(img, 0, IMG_SIZE);
	memcpy(eh()->e_ident, ELFMAG, SELFMAG);
	eh()->e_ident[EI_CLASS] = ELFCLASS64;
	eh()->e_ident[EI_DATA] = ELFDATA2LSB;
	eh()->e_ident[EI_VERSION] = EV_CURRENT;
	eh()->e_type = ET_EXEC;
	eh()->e_machine = EM_X86_64;
	eh()->e_version = EV_CURRENT;
	eh()->e_entry = TEXT + 0x800;
	eh()->e_phoff = sizeof(Elf64_Ehdr);
	eh()->e_ehsize = sizeof(Elf64_Ehdr);
	eh()->e_phentsize = sizeof(Elf64_Phdr);
	set_phnum(2);
	set_ph(0, PT_LOAD, PF_R | PF_X, 0, TEXT, 0x1000, 0x1000);
	set_ph(1, PT_LOAD, PF_R | PF_W, 0x2000, DATA, 0x800, 0x2000);
}

static int setup(void **state)
{
	(void)state;
	img = calloc(1, IMG_SIZE);
	if (!img)
		return -1;
	build_base();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	free(img);
	img = NULL;
	return 0;
}

static int parse(struct fy_elf_info *info)
{
	return fy_elf_parse(img, IMG_SIZE, IMG_SIZE, info);
}

static int parse_err(void)
{
	struct fy_elf_info info;

	return parse(&info);
}

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

/* The caller's loop: read what fy_elf_parse asks for until it decides. */
static int parse_by_parts(const uint8_t *file, size_t file_size, size_t first,
			  int *rounds, struct fy_elf_info *info)
{
	size_t len = first < file_size ? first : file_size;
	int ret;

	for (*rounds = 1;; (*rounds)++) {
		uint8_t *part = malloc(len ? len : 1);

		assert_non_null(part);
		memcpy(part, file, len);
		ret = fy_elf_parse(part, len, file_size, info);
		free(part);
		if (ret <= 0)
			return ret;
		assert_true((size_t)ret > len);
		assert_true((size_t)ret <= file_size);
		assert_true(ret <= (int)FY_ELF_HEAD_MAX);
		assert_true(*rounds < 4);
		len = (size_t)ret;
	}
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
	build_base();
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
	build_base();
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

/*
 * The Ferry note (uapi/ferry/elf_note.h) in a PT_NOTE segment at
 * note_off. put_note() writes one note there (or after the previous one)
 * and returns its size with padding to `align`.
 */
static size_t note_off = 0x300;

static size_t put_note(size_t at, uint32_t namesz, const char *name,
		       uint32_t descsz, uint32_t type, uint32_t desc,
		       size_t align)
{
	Elf64_Nhdr nh = {namesz, descsz, type};
	size_t name_len = (namesz + align - 1) & ~(align - 1);
	size_t desc_len = (descsz + align - 1) & ~(align - 1);

	memcpy(img + note_off + at, &nh, sizeof(nh));
	memcpy(img + note_off + at + sizeof(nh), name, strlen(name) + 1);
	if (descsz >= 4)
		memcpy(img + note_off + at + sizeof(nh) + name_len, &desc, 4);
	return sizeof(nh) + name_len + desc_len;
}

static size_t put_ferry_note(size_t at)
{
	return put_note(at, sizeof(FERRY_NOTE_NAME), FERRY_NOTE_NAME, 4,
			FERRY_NOTE_NATIVE, FERRY_NOTE_ABI_VERSION, 4);
}

static void set_note_ph(uint64_t filesz, uint64_t align)
{
	set_phnum(3);
	set_ph(2, PT_NOTE, PF_R, note_off, TEXT + note_off, filesz, filesz);
	ph(2)->p_align = align;
}

static bool native(void)
{
	struct fy_elf_info info;

	assert_int_equal(parse(&info), 0);
	return info.native;
}

static void test_notes(void **state)
{
	size_t n;

	(void)state;
	assert_false(native());
	set_note_ph(put_ferry_note(0), 4);
	assert_true(native());
	/* After another note. */
	n = put_note(0, 4, "GNU", 16, 3, 0x1234, 4);
	n += put_ferry_note(n);
	set_note_ph(n, 4);
	assert_true(native());
	/* Padded to 8, as .note.gnu.property. */
	n = put_note(0, 4, "GNU", 12, 5, 0, 8);
	n += put_note(n, sizeof(FERRY_NOTE_NAME), FERRY_NOTE_NAME, 4,
		      FERRY_NOTE_NATIVE, FERRY_NOTE_ABI_VERSION, 8);
	set_note_ph(n, 8);
	assert_true(native());
}

static void test_wrong_and_malformed_notes(void **state)
{
	size_t n;

	(void)state;
	/* One defect away from the Ferry note each. */
	n = put_note(0, 6, "Ferrz", 4, FERRY_NOTE_NATIVE, 1, 4);
	set_note_ph(n, 4);
	assert_false(native());
	put_note(0, 6, "Ferry", 4, FERRY_NOTE_NATIVE + 1, 1, 4);
	assert_false(native());
	put_note(0, 6, "Ferry", 4, FERRY_NOTE_NATIVE, 2, 4);
	assert_false(native());
	put_note(0, 5, "Ferr", 4, FERRY_NOTE_NATIVE, 1, 4);
	assert_false(native());
	/* Cut short, sizes that wrap, outside the file, empty: skipped. */
	n = put_ferry_note(0);
	set_note_ph(n - 1, 4);
	assert_false(native());
	set_note_ph(n, 4);
	((Elf64_Nhdr *)(img + note_off))->n_namesz = 0xffffffff;
	assert_false(native());
	put_ferry_note(0);
	((Elf64_Nhdr *)(img + note_off))->n_descsz = 0xfffffffc;
	assert_false(native());
	put_ferry_note(0);
	ph(2)->p_offset = IMG_SIZE - 4;
	assert_false(native());
	ph(2)->p_offset = ~0ull - 2;
	assert_false(native());
	set_note_ph(0, 4);
	assert_false(native());
}

/* A note past the headers is asked for; one past the head limit ignored. */
static void test_note_needs_more(void **state)
{
	struct fy_elf_info info;
	size_t n, size = FY_ELF_HEAD_MAX + 0x2000;
	uint8_t *saved = img;

	(void)state;
	img = calloc(1, size);
	assert_non_null(img);
	memcpy(img, saved, IMG_SIZE);
	set_ph(1, PT_LOAD, PF_R | PF_W, FY_ELF_HEAD_MAX + 0x1000, DATA, 0x800,
	       0x2000);
	note_off = 0x3000;
	n = put_ferry_note(0);
	set_note_ph(n, 4);
	assert_int_equal(fy_elf_parse(img, 0x1000, size, &info),
			 (int)(0x3000 + n));
	assert_int_equal(fy_elf_parse(img, 0x3000 + n, size, &info), 0);
	assert_true(info.native);
	/* Ending past FY_ELF_HEAD_MAX: never asked for, so not native. */
	note_off = FY_ELF_HEAD_MAX - 8;
	put_ferry_note(0);
	set_note_ph(n, 4);
	assert_int_equal(fy_elf_parse(img, 0x1000, size, &info), 0);
	assert_false(info.native);
	note_off = 0x300;
	free(img);
	img = saved;
}

static uint8_t *read_file(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	long n;

	if (!f)
		fail_msg("cannot open %s", path);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n > 0);
	rewind(f);
	buf = malloc((size_t)n);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*size = (size_t)n;
	return buf;
}

/* What every real static musl executable must give. */
static void check_real(const char *path, bool want_native)
{
	struct fy_elf_info info, whole;
	size_t size;
	uint8_t *bin = read_file(path, &size);
	Elf64_Ehdr h;
	int rounds, exec = 0;

	memcpy(&h, bin, sizeof(h));
	/* As procmgr reads it: a first page, then what is asked for. */
	assert_int_equal(parse_by_parts(bin, size, 4096, &rounds, &info), 0);
	assert_int_equal(fy_elf_parse(bin, size, size, &whole), 0);
	assert_memory_equal(&info, &whole, sizeof(info));
	assert_int_equal(info.entry, h.e_entry);
	assert_int_equal(info.phnum, h.e_phnum);
	assert_int_equal(info.phdr_vaddr, info.segs[0].vaddr + h.e_phoff);
	assert_true(info.native == want_native);
	assert_true(info.nsegs >= 2);
	for (int i = 0; i < info.nsegs; i++) {
		const struct fy_elf_segment *s = &info.segs[i];

		assert_true(s->offset + s->filesz <= size);
		assert_true(s->vaddr % 4096 == s->offset % 4096);
		if (i)
			assert_true(s->vaddr >= info.segs[i - 1].vaddr +
							info.segs[i - 1].memsz);
		exec += !!(s->prot & VM_EXEC);
	}
	assert_int_equal(exec, 1);
	/* One byte short of the last segment's file part. */
	assert_int_equal(fy_elf_parse(bin, 4096,
				      info.segs[info.nsegs - 1].offset +
					      info.segs[info.nsegs - 1].filesz -
					      1,
				      &info),
			 -ENOEXEC);
	free(bin);
}

static void test_real_fixtures(void **state)
{
	(void)state;
	check_real(UNIT_FIXTURES "/hello", false);
	check_real(UNIT_FIXTURES "/hello_native", true);
}

/* init, sh, console, hello carry the note; linux_abi_misc does not. */
static void test_real_build_programs(void **state)
{
	char list[] = UNIT_REAL_ELFS;
	int n = 0;

	(void)state;
	for (char *p = strtok(list, " "); p; p = strtok(NULL, " "), n++)
		check_real(p, !strstr(p, "/linux_abi_"));
	assert_int_equal(n, 5);
}

/* Random corruption of the headers: never a crash, never a bad result. */
static void test_fuzz_headers(void **state)
{
	struct fy_elf_info info;
	uint8_t pristine[sizeof(Elf64_Ehdr) + 2 * sizeof(Elf64_Phdr)];
	unsigned int seed = 4321;
	int ret;

	(void)state;
	memcpy(pristine, img, sizeof(pristine));
	for (int iter = 0; iter < 30000; iter++) {
		memcpy(img, pristine, sizeof(pristine));
		for (int k = 0; k < 1 + iter % 4; k++) {
			seed = seed * 1103515245u + 12345u;
			img[(seed >> 8) % sizeof(pristine)] =
				(uint8_t)(seed >> 20);
		}
		ret = parse(&info);
		assert_true(ret <= 0 ||
			    (ret > IMG_SIZE && ret <= (int)FY_ELF_HEAD_MAX) ||
			    ret == -ENOEXEC);
		if (ret != 0)
			continue;
		assert_true(info.nsegs >= 1 &&
			    info.nsegs <= FY_ELF_MAX_SEGMENTS);
		for (int i = 0; i < info.nsegs; i++) {
			const struct fy_elf_segment *s = &info.segs[i];

			assert_true(s->filesz <= s->memsz);
			assert_true(s->offset + s->filesz <= IMG_SIZE);
			assert_true(s->vaddr >= FY_ELF_MIN_VADDR);
			assert_true(s->vaddr + s->memsz <= FY_USER_TOP);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
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
		T(test_notes),
		T(test_wrong_and_malformed_notes),
		T(test_note_needs_more),
		T(test_real_fixtures),
		T(test_real_build_programs),
		T(test_fuzz_headers),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
