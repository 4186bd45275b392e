/*
 * The ELF builder shared by the tests of user/lib/elf_parse.c: a valid
 * image in a heap block of exactly IMG_SIZE bytes (so ASan flags any read
 * past it), which each test breaks in one place.
 */
#ifndef TESTS_UNIT_ELF_IMAGE_H
#define TESTS_UNIT_ELF_IMAGE_H

#include <elf.h>
#include <stddef.h>
#include <stdint.h>

#include <ferry/elf_load.h>

#define IMG_SIZE 0x4000
#define TEXT 0x400000ull
#define DATA 0x402000ull

/*
 * The base image: the headers and a text segment (R X) in the file's
 * first page at TEXT, a data segment (RW, with bss) from offset 0x2000 at
 * DATA. Room for 40 program headers after the ELF header.
 */
extern uint8_t *img;

Elf64_Ehdr *eh(void);
Elf64_Phdr *ph(int i);
void set_ph(int i, uint32_t type, uint32_t flags, uint64_t off, uint64_t vaddr,
	    uint64_t filesz, uint64_t memsz);
void set_phnum(int n);
/* (Re)writes the base image into img. */
void elf_image_reset(void);
/* cmocka setup and teardown: allocate and fill img, free it. */
int elf_image_setup(void **state);
int elf_image_teardown(void **state);
/* fy_elf_parse over the whole image. */
int parse(struct fy_elf_info *info);
int parse_err(void);
/*
 * As procmgr will: reads `first` bytes, then what fy_elf_parse asks for,
 * until it decides; *rounds counts the calls. Fails the test if the
 * protocol misbehaves.
 */
int parse_by_parts(const uint8_t *file, size_t file_size, size_t first,
		   int *rounds, struct fy_elf_info *info);

#endif
