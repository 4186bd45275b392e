/* The ELF builder of the fy_elf_parse tests (elf_image.h). */
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

#include "elf_image.h"

uint8_t *img;

Elf64_Ehdr *eh(void)
{
	return (Elf64_Ehdr *)img;
}

Elf64_Phdr *ph(int i)
{
	return (Elf64_Phdr *)(img + sizeof(Elf64_Ehdr)) + i;
}

void set_ph(int i, uint32_t type, uint32_t flags, uint64_t off, uint64_t vaddr,
	    uint64_t filesz, uint64_t memsz)
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

void set_phnum(int n)
{
	eh()->e_phnum = (uint16_t)n;
}

/* (Re)writes the base image into img. */
void elf_image_reset(void)
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

int elf_image_setup(void **state)
{
	(void)state;
	img = calloc(1, IMG_SIZE);
	if (!img)
		return -1;
	elf_image_reset();
	return 0;
}

int elf_image_teardown(void **state)
{
	(void)state;
	free(img);
	img = NULL;
	return 0;
}

int parse(struct fy_elf_info *info)
{
	return fy_elf_parse(img, IMG_SIZE, IMG_SIZE, info);
}

int parse_err(void)
{
	struct fy_elf_info info;

	return parse(&info);
}

/* The caller's loop: read what fy_elf_parse asks for until it decides. */
int parse_by_parts(const uint8_t *file, size_t file_size, size_t first,
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
