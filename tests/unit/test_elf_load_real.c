/*
 * user/lib/elf_parse.c: the Ferry note in PT_NOTE segments, the build's
 * real programs read as procmgr will read them, and random corruption of
 * the builder's image (elf_image.h).
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
#include <uapi/ferry/elf_note.h>
#include <uapi/ferry/errno.h>

#include "elf_image.h"

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
#define T(f)                                                                   \
	cmocka_unit_test_setup_teardown(f, elf_image_setup, elf_image_teardown)
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
