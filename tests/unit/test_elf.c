/*
 * kernel/lib/elf.c: hand-built images, one defect each, then a real static
 * musl executable and a fuzz pass. Every image lives in a heap block of
 * exactly its size, so ASan flags any read past the end.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <lib/elf.h>
#include <lib/elf_format.h>
#include <uapi/ferry/cap.h>
#include <uapi/ferry/elf_note.h>
#include <uapi/ferry/errno.h>

#define TOP 0x00007ffffffff000ull
#define IMG_SIZE 0x3000

/*
 * The base image: a text segment at 0x400000 holding the headers and the
 * entry point, and a data segment with bss at 0x402000.
 */
static u8 *img;

static Elf64_Ehdr *eh(void)
{
	return (Elf64_Ehdr *)img;
}

static Elf64_Phdr *ph(int i)
{
	return (Elf64_Phdr *)(img + sizeof(Elf64_Ehdr)) + i;
}

static void set_ph(int i, u32 type, u32 flags, u64 off, u64 vaddr, u64 filesz,
		   u64 memsz)
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

static int setup(void **state)
{
	(void)state;
	img = calloc(1, IMG_SIZE);
	if (!img)
		return -1;
	memcpy(eh()->e_ident,
	       "\x7f"
	       "ELF\x02\x01\x01",
	       7);
	eh()->e_type = ET_EXEC;
	eh()->e_machine = EM_X86_64;
	eh()->e_version = 1;
	eh()->e_entry = 0x400100;
	eh()->e_phoff = sizeof(Elf64_Ehdr);
	eh()->e_ehsize = sizeof(Elf64_Ehdr);
	eh()->e_phentsize = sizeof(Elf64_Phdr);
	eh()->e_phnum = 2;
	set_ph(0, PT_LOAD, PF_R | PF_X, 0, 0x400000, 0x1000, 0x1000);
	set_ph(1, PT_LOAD, PF_R | PF_W, 0x2000, 0x402000, 0x800, 0x2000);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	free(img);
	img = NULL;
	return 0;
}

static int parse(struct elf_info *info)
{
	return elf_parse(img, IMG_SIZE, TOP, info);
}

static int parse_err(void)
{
	struct elf_info info;

	return parse(&info);
}

/* Grows the program header table to n entries (within the image). */
static void set_phnum(int n)
{
	eh()->e_phnum = (u16)n;
}

static void test_valid_image(void **state)
{
	struct elf_info info;

	(void)state;
	assert_int_equal(parse(&info), 0);
	assert_int_equal(info.entry, 0x400100);
	assert_int_equal(info.phnum, 2);
	assert_int_equal(info.phentsize, 56);
	assert_int_equal(info.nsegs, 2);
	assert_int_equal(info.segs[0].vaddr, 0x400000);
	assert_int_equal(info.segs[0].flags, VM_READ | VM_EXEC);
	assert_int_equal(info.segs[1].offset, 0x2000);
	assert_int_equal(info.segs[1].filesz, 0x800);
	assert_int_equal(info.segs[1].memsz, 0x2000);
	assert_int_equal(info.segs[1].flags, VM_READ | VM_WRITE);
	/* No PT_PHDR: found through the segment that holds offset 64. */
	assert_int_equal(info.phdr_vaddr, 0x400040);
}

static void test_pt_phdr_wins(void **state)
{
	struct elf_info info;

	(void)state;
	set_phnum(3);
	set_ph(2, PT_PHDR, PF_R, 64, 0x400abc, 112, 112);
	assert_int_equal(parse(&info), 0);
	assert_int_equal(info.phdr_vaddr, 0x400abc);
	assert_int_equal(info.phnum, 3);
}

static void test_phdrs_not_loaded_gives_zero(void **state)
{
	struct elf_info info;

	(void)state;
	set_ph(0, PT_LOAD, PF_R | PF_X, 0x1000, 0x401000, 0x1000, 0x1000);
	eh()->e_entry = 0x401000;
	assert_int_equal(parse(&info), 0);
	assert_int_equal(info.phdr_vaddr, 0);
}

static void test_phdrs_partly_loaded_gives_zero(void **state)
{
	struct elf_info info;

	(void)state;
	/* The segment covers offset 64 but not the whole table. */
	set_ph(0, PT_LOAD, PF_R | PF_X, 0, 0x400000, 100, 0x1000);
	assert_int_equal(parse(&info), 0);
	assert_int_equal(info.phdr_vaddr, 0);
}

static void test_every_truncation_of_headers(void **state)
{
	struct elf_info info;
	size_t need = sizeof(Elf64_Ehdr) + 2 * sizeof(Elf64_Phdr), n;
	u8 *copy;

	(void)state;
	for (n = 0; n < need; n++) {
		copy = malloc(n ? n : 1);
		assert_non_null(copy);
		memcpy(copy, img, n);
		assert_int_equal(elf_parse(copy, n, TOP, &info), -ENOEXEC);
		free(copy);
	}
}

static void test_truncated_segment_data(void **state)
{
	struct elf_info info;

	(void)state;
	assert_int_equal(elf_parse(img, 0x2000 + 0x7ff, TOP, &info), -ENOEXEC);
	assert_int_equal(elf_parse(img, 0x2000 + 0x800, TOP, &info), 0);
}

static void test_bad_ident(void **state)
{
	static const struct {
		int at;
		u8 val;
	} bad[] = {
		{0, 0x7e},	 {1, 'e'}, {3, 'G'}, /* magic */
		{EI_CLASS, 1},			     /* ELFCLASS32 */
		{EI_DATA, 2},			     /* big endian */
		{EI_VERSION, 0},
	};
	size_t i;
	u8 saved;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		saved = img[bad[i].at];
		img[bad[i].at] = bad[i].val;
		assert_int_equal(parse_err(), -ENOEXEC);
		img[bad[i].at] = saved;
	}
	assert_int_equal(parse_err(), 0);
}

static void test_bad_type_machine_version(void **state)
{
	(void)state;
	eh()->e_type = 3; /* ET_DYN: PIE or shared object */
	assert_int_equal(parse_err(), -ENOEXEC);
	eh()->e_type = ET_EXEC;
	eh()->e_machine = 3; /* i386 */
	assert_int_equal(parse_err(), -ENOEXEC);
	eh()->e_machine = EM_X86_64;
	eh()->e_version = 2;
	assert_int_equal(parse_err(), -ENOEXEC);
}

static void test_bad_phentsize_and_phnum(void **state)
{
	(void)state;
	eh()->e_phentsize = 32;
	assert_int_equal(parse_err(), -ENOEXEC);
	eh()->e_phentsize = 64;
	assert_int_equal(parse_err(), -ENOEXEC);
	eh()->e_phentsize = 56;
	set_phnum(0);
	assert_int_equal(parse_err(), -ENOEXEC);
	/* 0xffff entries run far past the image. */
	set_phnum(0xffff);
	assert_int_equal(parse_err(), -ENOEXEC);
}

static void test_phoff_overflow(void **state)
{
	(void)state;
	eh()->e_phoff = ~0ull - 10;
	assert_int_equal(parse_err(), -ENOEXEC);
	eh()->e_phoff = ~0ull - 2 * 56 + 1;
	assert_int_equal(parse_err(), -ENOEXEC);
	eh()->e_phoff = IMG_SIZE;
	assert_int_equal(parse_err(), -ENOEXEC);
	eh()->e_phoff = IMG_SIZE - 2 * 56 + 1;
	assert_int_equal(parse_err(), -ENOEXEC);
}

static void test_phdr_table_at_very_end(void **state)
{
	(void)state;
	memcpy(img + IMG_SIZE - 2 * 56, ph(0), 2 * 56);
	eh()->e_phoff = IMG_SIZE - 2 * 56;
	assert_int_equal(parse_err(), 0);
}

static void test_filesz_above_memsz(void **state)
{
	(void)state;
	set_ph(1, PT_LOAD, PF_R | PF_W, 0x2000, 0x402000, 0x801, 0x800);
	assert_int_equal(parse_err(), -ENOEXEC);
}

static void test_offset_filesz_overflow(void **state)
{
	(void)state;
	set_ph(1, PT_LOAD, PF_R | PF_W, 0xfffffffffffff000ull, 0x402000, 0x2000,
	       0x2000);
	assert_int_equal(parse_err(), -ENOEXEC);
	set_ph(1, PT_LOAD, PF_R | PF_W, 0x2000, 0x402000, ~0ull - 0x1000,
	       ~0ull);
	assert_int_equal(parse_err(), -ENOEXEC);
	/* Just one byte past the image. */
	set_ph(1, PT_LOAD, PF_R | PF_W, 0x2000, 0x402000, 0x1001, 0x1001);
	assert_int_equal(parse_err(), -ENOEXEC);
}

static void test_vaddr_memsz_overflow(void **state)
{
	(void)state;
	set_ph(1, PT_LOAD, PF_R | PF_W, 0x2000, 0xfffffffffffff000ull, 0x800,
	       0x2000);
	assert_int_equal(parse_err(), -ENOEXEC);
	set_ph(1, PT_LOAD, PF_R | PF_W, 0x2000, 0x402000, 0x800,
	       0xffffffffffbfe000ull);
	assert_int_equal(parse_err(), -ENOEXEC);
}

static void test_user_top_limit(void **state)
{
	struct elf_info info;

	(void)state;
	/* The data segment ends at exactly 0x404000. */
	assert_int_equal(elf_parse(img, IMG_SIZE, 0x404000, &info), 0);
	assert_int_equal(elf_parse(img, IMG_SIZE, 0x403fff, &info), -ENOEXEC);
	/* A top inside a page: that page could not be mapped whole. */
	set_ph(1, PT_LOAD, PF_R | PF_W, 0x2000, 0x402000, 0x800, 0x1800);
	assert_int_equal(elf_parse(img, IMG_SIZE, 0x403800, &info), -ENOEXEC);
	assert_int_equal(elf_parse(img, IMG_SIZE, 0x404000, &info), 0);
}

static void test_page_zero_rejected(void **state)
{
	(void)state;
	set_ph(0, PT_LOAD, PF_R | PF_X, 0, 0, 0x1000, 0x1000);
	eh()->e_entry = 0x100;
	assert_int_equal(parse_err(), -ENOEXEC);
	set_ph(0, PT_LOAD, PF_R | PF_X, 0xfff, 0xfff, 0x1, 0x1);
	eh()->e_entry = 0xfff;
	assert_int_equal(parse_err(), -ENOEXEC);
	set_ph(0, PT_LOAD, PF_R | PF_X, 0, 0x1000, 0x1000, 0x1000);
	eh()->e_entry = 0x1000;
	assert_int_equal(parse_err(), 0);
}

static void test_vaddr_offset_congruence(void **state)
{
	(void)state;
	set_ph(1, PT_LOAD, PF_R | PF_W, 0x2000, 0x402010, 0x800, 0x2000);
	assert_int_equal(parse_err(), -ENOEXEC);
	set_ph(1, PT_LOAD, PF_R | PF_W, 0x2010, 0x402010, 0x800, 0x2000);
	assert_int_equal(parse_err(), 0);
}

static void test_overlapping_segments(void **state)
{
	(void)state;
	/* Starts one byte before the text segment ends. */
	set_ph(1, PT_LOAD, PF_R | PF_W, 0xfff, 0x400fff, 0x10, 0x10);
	assert_int_equal(parse_err(), -ENOEXEC);
	/* Identical ranges. */
	set_ph(1, PT_LOAD, PF_R | PF_W, 0, 0x400000, 0x1000, 0x1000);
	assert_int_equal(parse_err(), -ENOEXEC);
}

static void test_segments_sharing_a_page(void **state)
{
	struct elf_info info;

	(void)state;
	/* As musl's linker output: text ends mid-page, data starts there. */
	set_ph(0, PT_LOAD, PF_R | PF_X, 0, 0x400000, 0xfc0, 0xfc0);
	set_ph(1, PT_LOAD, PF_R | PF_W, 0xfc0, 0x400fc0, 0x40, 0x1800);
	assert_int_equal(parse(&info), 0);
	assert_int_equal(info.nsegs, 2);
}

static void test_unsorted_segments(void **state)
{
	(void)state;
	set_ph(0, PT_LOAD, PF_R | PF_W, 0x2000, 0x402000, 0x800, 0x2000);
	set_ph(1, PT_LOAD, PF_R | PF_X, 0, 0x400000, 0x1000, 0x1000);
	assert_int_equal(parse_err(), -ENOEXEC);
}

static void add_small_loads(int first, int count)
{
	int i;

	for (i = first; i < first + count; i++)
		set_ph(i, PT_LOAD, PF_R, 0x2000, 0x500000 + i * 0x1000ull, 8,
		       8);
}

static void test_segment_limit(void **state)
{
	struct elf_info info;

	(void)state;
	set_phnum(ELF_MAX_SEGMENTS);
	add_small_loads(2, ELF_MAX_SEGMENTS - 2);
	assert_int_equal(parse(&info), 0);
	assert_int_equal(info.nsegs, ELF_MAX_SEGMENTS);

	set_phnum(ELF_MAX_SEGMENTS + 1);
	add_small_loads(2, ELF_MAX_SEGMENTS - 1);
	assert_int_equal(parse_err(), -E2BIG);
}

static void test_other_headers_do_not_count(void **state)
{
	struct elf_info info;
	int i;

	(void)state;
	/* 20 headers, only 2 loadable: GNU_STACK and NULL are ignored. */
	set_phnum(20);
	for (i = 2; i < 20; i++)
		set_ph(i, i % 2 ? 0x6474e551 : PT_NULL, PF_R | PF_W, 0, 0, 0,
		       0);
	assert_int_equal(parse(&info), 0);
	assert_int_equal(info.nsegs, 2);
	assert_int_equal(info.phnum, 20);
}

static void test_empty_load_ignored(void **state)
{
	struct elf_info info;

	(void)state;
	set_phnum(3);
	set_ph(2, PT_LOAD, PF_R, 0, 0, 0, 0);
	assert_int_equal(parse(&info), 0);
	assert_int_equal(info.nsegs, 2);
}

static void test_entry_must_be_executable(void **state)
{
	struct elf_info info;

	(void)state;
	eh()->e_entry = 0x402000; /* the data segment */
	assert_int_equal(parse_err(), -ENOEXEC);
	eh()->e_entry = 0x401000; /* one past the text segment */
	assert_int_equal(parse_err(), -ENOEXEC);
	eh()->e_entry = 0;
	assert_int_equal(parse_err(), -ENOEXEC);
	eh()->e_entry = 0x400fff;
	assert_int_equal(parse(&info), 0);
	assert_int_equal(info.entry, 0x400fff);
	/* Text readable but not executable. */
	ph(0)->p_flags = PF_R;
	eh()->e_entry = 0x400100;
	assert_int_equal(parse_err(), -ENOEXEC);
}

static void test_interp_rejected(void **state)
{
	(void)state;
	set_phnum(3);
	set_ph(2, PT_INTERP, PF_R, 0x200, 0x400200, 28, 28);
	assert_int_equal(parse_err(), -ENOEXEC);
}

static void test_out_untouched_on_error(void **state)
{
	struct elf_info info;

	(void)state;
	memset(&info, 0x5a, sizeof(info));
	eh()->e_machine = 40;
	assert_int_equal(parse(&info), -ENOEXEC);
	assert_int_equal(info.nsegs, 0x5a5a5a5a);
}

/*
 * The Ferry note (uapi/ferry/elf_note.h) in a PT_NOTE segment at NOTE_OFF.
 * put_note() writes one note there (or after the previous one) and
 * returns its size with padding to `align`.
 */
#define NOTE_OFF 0x300

static size_t put_note(size_t at, u32 namesz, const char *name, u32 descsz,
		       u32 type, u32 desc, size_t align)
{
	Elf64_Nhdr nh = {namesz, descsz, type};
	size_t name_len = (namesz + align - 1) & ~(align - 1);
	size_t desc_len = (descsz + align - 1) & ~(align - 1);

	memcpy(img + NOTE_OFF + at, &nh, sizeof(nh));
	memcpy(img + NOTE_OFF + at + sizeof(nh), name, strlen(name) + 1);
	if (descsz >= 4)
		memcpy(img + NOTE_OFF + at + sizeof(nh) + name_len, &desc, 4);
	return sizeof(nh) + name_len + desc_len;
}

static size_t put_ferry_note(size_t at)
{
	return put_note(at, sizeof(FERRY_NOTE_NAME), FERRY_NOTE_NAME, 4,
			FERRY_NOTE_NATIVE, FERRY_NOTE_ABI_VERSION, 4);
}

static void set_note_ph(u64 filesz, u64 align)
{
	set_phnum(3);
	set_ph(2, PT_NOTE, PF_R, NOTE_OFF, 0x400000 + NOTE_OFF, filesz, filesz);
	ph(2)->p_align = align;
}

static bool native(void)
{
	struct elf_info info;

	assert_int_equal(parse(&info), 0);
	return info.ferry_native;
}

static void test_no_note_is_linux(void **state)
{
	(void)state;
	assert_false(native());
}

static void test_ferry_note_is_native(void **state)
{
	(void)state;
	set_note_ph(put_ferry_note(0), 4);
	assert_true(native());
}

static void test_ferry_note_after_another(void **state)
{
	size_t n;

	(void)state;
	n = put_note(0, 4, "GNU", 16, 3, 0x1234, 4);
	n += put_ferry_note(n);
	set_note_ph(n, 4);
	assert_true(native());
}

static void test_ferry_note_with_8_byte_padding(void **state)
{
	size_t n;

	(void)state;
	/* As .note.gnu.property: a name of 4 and padding to 8. */
	n = put_note(0, 4, "GNU", 12, 5, 0, 8);
	n += put_note(n, sizeof(FERRY_NOTE_NAME), FERRY_NOTE_NAME, 4,
		      FERRY_NOTE_NATIVE, FERRY_NOTE_ABI_VERSION, 8);
	set_note_ph(n, 8);
	assert_true(native());
}

static void test_wrong_notes_are_not_native(void **state)
{
	size_t n;

	(void)state;
	/* Each is one defect away from the Ferry note. */
	n = put_note(0, 6, "Ferrz", 4, FERRY_NOTE_NATIVE, 1, 4);
	set_note_ph(n, 4);
	assert_false(native());
	put_note(0, 6, "Ferry", 4, FERRY_NOTE_NATIVE + 1, 1, 4);
	assert_false(native());
	put_note(0, 6, "Ferry", 4, FERRY_NOTE_NATIVE, 2, 4);
	assert_false(native());
	put_note(0, 5, "Ferr", 4, FERRY_NOTE_NATIVE, 1, 4);
	assert_false(native());
	put_note(0, 6, "Ferry", 8, FERRY_NOTE_NATIVE, 1, 4);
	set_note_ph(32, 4);
	assert_false(native());
}

static void test_malformed_notes_are_skipped(void **state)
{
	size_t n;

	(void)state;
	n = put_ferry_note(0);
	/* The segment cuts the note short: not native, still loadable. */
	set_note_ph(n - 1, 4);
	assert_false(native());
	set_note_ph(8, 4);
	assert_false(native());
	/* Sizes that would wrap or run past the segment. */
	set_note_ph(n, 4);
	((Elf64_Nhdr *)(img + NOTE_OFF))->n_namesz = 0xffffffff;
	assert_false(native());
	put_ferry_note(0);
	((Elf64_Nhdr *)(img + NOTE_OFF))->n_descsz = 0xfffffffc;
	assert_false(native());
	/* A note segment outside the image. */
	put_ferry_note(0);
	set_note_ph(n, 4);
	ph(2)->p_offset = IMG_SIZE - 4;
	assert_false(native());
	ph(2)->p_offset = ~0ull - 2;
	assert_false(native());
	/* An empty one. */
	set_note_ph(0, 4);
	assert_false(native());
}

static u8 *read_fixture(const char *name, size_t *size)
{
	char path[512];
	FILE *f;
	u8 *buf;
	long n;

	snprintf(path, sizeof(path), "%s/%s", UNIT_FIXTURES, name);
	f = fopen(path, "rb");
	assert_non_null(f);
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

static void test_real_musl_binary(void **state)
{
	struct elf_info info;
	Elf64_Ehdr h;
	size_t size;
	u8 *bin = read_fixture("hello", &size);
	int i, exec = 0, bss = 0;

	(void)state;
	memcpy(&h, bin, sizeof(h));
	assert_int_equal(elf_parse(bin, size, TOP, &info), 0);
	assert_int_equal(info.entry, h.e_entry);
	assert_int_equal(info.phnum, h.e_phnum);
	assert_true(info.nsegs >= 2);
	/* The headers are in the first segment; musl needs AT_PHDR. */
	assert_int_equal(info.phdr_vaddr, info.segs[0].vaddr + h.e_phoff);
	for (i = 0; i < info.nsegs; i++) {
		const struct elf_segment *s = &info.segs[i];

		assert_true(s->offset + s->filesz <= size);
		assert_true(s->vaddr % 4096 == s->offset % 4096);
		if (i)
			assert_true(s->vaddr >= info.segs[i - 1].vaddr +
							info.segs[i - 1].memsz);
		exec += !!(s->flags & VM_EXEC);
		bss += s->memsz > s->filesz && (s->flags & VM_WRITE);
	}
	assert_int_equal(exec, 1);
	assert_int_equal(bss, 1);
	/* Too small an address space for it. */
	assert_int_equal(elf_parse(bin, size, 0x400000, &info), -ENOEXEC);
	free(bin);
}

/* The loader tells a native program (linked with the note) from another. */
static void test_real_binaries_personality(void **state)
{
	struct elf_info info;
	size_t size;
	u8 *bin;

	(void)state;
	bin = read_fixture("hello", &size);
	assert_int_equal(elf_parse(bin, size, TOP, &info), 0);
	assert_false(info.ferry_native);
	free(bin);
	bin = read_fixture("hello_native", &size);
	assert_int_equal(elf_parse(bin, size, TOP, &info), 0);
	assert_true(info.ferry_native);
	free(bin);
}

/* The binary parses exactly when the image reaches its last segment's end. */
static void test_real_binary_truncations(void **state)
{
	struct elf_info info;
	size_t size, n, need = 0;
	u8 *bin = read_fixture("hello", &size), *copy;
	int i;

	(void)state;
	assert_int_equal(elf_parse(bin, size, TOP, &info), 0);
	for (i = 0; i < info.nsegs; i++)
		if (info.segs[i].offset + info.segs[i].filesz > need)
			need = info.segs[i].offset + info.segs[i].filesz;
	for (n = 0; n <= size; n += n < 512 || n + 64 > need ? 1 : 61) {
		copy = malloc(n ? n : 1);
		assert_non_null(copy);
		memcpy(copy, bin, n);
		assert_int_equal(elf_parse(copy, n, TOP, &info),
				 n >= need ? 0 : -ENOEXEC);
		free(copy);
	}
	free(bin);
}

/* Random corruption of the headers: never a crash, never a bad result. */
static void test_fuzz_headers(void **state)
{
	struct elf_info info;
	u8 pristine[sizeof(Elf64_Ehdr) + 2 * sizeof(Elf64_Phdr)];
	unsigned int seed = 12345;
	int iter, k, i;

	(void)state;
	memcpy(pristine, img, sizeof(pristine));
	for (iter = 0; iter < 20000; iter++) {
		memcpy(img, pristine, sizeof(pristine));
		for (k = 0; k < 1 + iter % 4; k++) {
			seed = seed * 1103515245u + 12345u;
			img[(seed >> 8) % sizeof(pristine)] = (u8)(seed >> 20);
		}
		if (parse(&info) != 0)
			continue;
		assert_true(info.nsegs >= 1 && info.nsegs <= ELF_MAX_SEGMENTS);
		for (i = 0; i < info.nsegs; i++) {
			const struct elf_segment *s = &info.segs[i];

			assert_true(s->filesz <= s->memsz);
			assert_true(s->offset + s->filesz <= IMG_SIZE);
			assert_true(s->vaddr >= 4096);
			assert_true(s->vaddr + s->memsz <= TOP);
		}
	}
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_valid_image),
		T(test_pt_phdr_wins),
		T(test_phdrs_not_loaded_gives_zero),
		T(test_phdrs_partly_loaded_gives_zero),
		T(test_every_truncation_of_headers),
		T(test_truncated_segment_data),
		T(test_bad_ident),
		T(test_bad_type_machine_version),
		T(test_bad_phentsize_and_phnum),
		T(test_phoff_overflow),
		T(test_phdr_table_at_very_end),
		T(test_filesz_above_memsz),
		T(test_offset_filesz_overflow),
		T(test_vaddr_memsz_overflow),
		T(test_user_top_limit),
		T(test_page_zero_rejected),
		T(test_vaddr_offset_congruence),
		T(test_overlapping_segments),
		T(test_segments_sharing_a_page),
		T(test_unsorted_segments),
		T(test_segment_limit),
		T(test_other_headers_do_not_count),
		T(test_empty_load_ignored),
		T(test_entry_must_be_executable),
		T(test_interp_rejected),
		T(test_out_untouched_on_error),
		T(test_no_note_is_linux),
		T(test_ferry_note_is_native),
		T(test_ferry_note_after_another),
		T(test_ferry_note_with_8_byte_padding),
		T(test_wrong_notes_are_not_native),
		T(test_malformed_notes_are_skipped),
		T(test_real_musl_binary),
		T(test_real_binaries_personality),
		T(test_real_binary_truncations),
		T(test_fuzz_headers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
