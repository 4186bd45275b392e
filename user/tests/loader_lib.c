/*
 * libferry's loader library (docs/loader.md) inside Ferry, against
 * procmgr, which started this program with it: fy_elf_parse on our own
 * headers (mapped with our first segment) must find what the kernel put
 * in our auxv, and a stack fy_stack_build makes from our own argv, envp
 * and auxv must read back, the way musl reads it, with the same values.
 * procmgr gives AT_FERRY_CAPS: "fs" is found by name, a name not in
 * the table is -ENOENT.
 */
#include <elf.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>

#include <ferry/elf_load.h>
#include <ferry/ferry.h>
#include <ferry/initcaps.h>
#include <ferry/stack_build.h>

#include "tap.h"

extern char **environ;

/* The smallest file our program headers fit: the end of the last load. */
static uint64_t loaded_file_size(const uint8_t *base)
{
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)base;
	uint64_t end = 0;

	for (int i = 0; i < eh->e_phnum; i++) {
		const Elf64_Phdr *ph =
			(const Elf64_Phdr *)(base + eh->e_phoff) + i;

		if (ph->p_type == PT_LOAD && ph->p_offset + ph->p_filesz > end)
			end = ph->p_offset + ph->p_filesz;
	}
	return end;
}

static uint64_t aux_of(uint64_t *auxv, uint64_t type)
{
	for (; auxv[0] != AT_NULL; auxv += 2)
		if (auxv[0] == type)
			return auxv[1];
	return ~0ull;
}

static void check_stack(const struct fy_elf_info *info, int argc, char **argv)
{
	static const struct fy_initcap_spec caps[] = {
		{"fs", 12, CAP_RIGHT_CALL}, {"procmgr", 13, 0}};
	struct fy_stack_args a = {
		.argv = (const char *const *)argv,
		.envp = (const char *const *)environ,
		.caps = caps,
		.ncaps = 2,
		.elf = info,
		.random = (const uint8_t *)getauxval(AT_RANDOM),
		.hwcap2 = getauxval(AT_HWCAP2),
	};
	long size = fy_stack_size(&a), sp;
	static const int types[] = {AT_PHDR,  AT_PHENT,	 AT_PHNUM, AT_PAGESZ,
				    AT_ENTRY, AT_UID,	 AT_EUID,  AT_GID,
				    AT_EGID,  AT_SECURE, AT_HWCAP2};
	uint8_t *buf;
	uint64_t *w, *auxv;
	char **av, **ev;
	int envc = 0, same = 1;

	if (!tap_ok(size > 0,
		    "fy_stack_size for our argv, envp and 2 caps "
		    "(%ld)",
		    size))
		return;
	buf = malloc((size_t)size);
	sp = fy_stack_build(buf, (size_t)size, (uintptr_t)buf + (size_t)size,
			    &a);
	tap_eq(sp, (long)(uintptr_t)buf, "fy_stack_build fills the buffer");
	if (sp != (long)(uintptr_t)buf)
		return;
	w = (uint64_t *)sp;
	av = (char **)&w[1];
	tap_eq((long)w[0], argc, "argc read back");
	for (int i = 0; i < argc; i++)
		same &= !strcmp(av[i], argv[i]);
	tap_ok(same && !av[argc], "argv read back");
	ev = &av[argc + 1];
	for (same = 1; ev[envc]; envc++)
		same &= environ[envc] && !strcmp(ev[envc], environ[envc]);
	tap_ok(same && !environ[envc], "envp read back (%d strings)", envc);
	auxv = (uint64_t *)&ev[envc + 1];
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		tap_eq((long)aux_of(auxv, types[i]), (long)getauxval(types[i]),
		       "auxv %d is the kernel's", types[i]);
	tap_ok(!memcmp((void *)aux_of(auxv, AT_RANDOM),
		       (void *)getauxval(AT_RANDOM), 16),
	       "AT_RANDOM holds the bytes given");
	tap_ok(!strcmp((char *)aux_of(auxv, AT_EXECFN),
		       (char *)getauxval(AT_EXECFN)),
	       "AT_EXECFN is argv[0], as the kernel's");
	tap_eq(fy_initcaps_find((void *)aux_of(auxv, AT_FERRY_CAPS), "procmgr"),
	       13, "the built table names procmgr's slot");
	free(buf);
}

int main(int argc, char **argv)
{
	const uint8_t *phdr = (const uint8_t *)getauxval(AT_PHDR);
	const uint8_t *base = (const uint8_t *)((uintptr_t)phdr & ~0xfffull);
	struct fy_elf_info info;
	uint64_t size;
	const char *many[SPAWN_MAX_ARGS + 2];

	if (!tap_ok(!memcmp(base, ELFMAG, SELFMAG),
		    "our ELF header is mapped below AT_PHDR"))
		return tap_done();
	size = loaded_file_size(base);
	/* Headers and notes lie in the first page; contents are not read. */
	tap_eq(fy_elf_parse(base, 4096, size, &info), 0,
	       "fy_elf_parse accepts this program");
	tap_eq((long)info.phdr_vaddr, (long)getauxval(AT_PHDR),
	       "AT_PHDR as the kernel found it");
	tap_eq(info.phnum, (long)getauxval(AT_PHNUM), "AT_PHNUM");
	tap_eq((long)info.entry, (long)getauxval(AT_ENTRY), "AT_ENTRY");
	tap_ok(info.native, "the Ferry note is found");
	tap_ok(info.nsegs >= 2 && (uintptr_t)&info > info.image_end,
	       "%d segments, ending below our stack", info.nsegs);
	tap_eq(fy_elf_parse(base, 4096, size - 1, &info), -ENOEXEC,
	       "a file one byte short is refused");
	tap_eq(fy_elf_parse(base, 64, size, &info),
	       (long)(((const Elf64_Ehdr *)base)->e_phoff +
		      ((const Elf64_Ehdr *)base)->e_phnum * sizeof(Elf64_Phdr)),
	       "with only the ELF header, it asks for the program headers");
	fy_elf_parse(base, 4096, size, &info);
	check_stack(&info, argc, argv);

	for (int i = 0; i < SPAWN_MAX_ARGS + 1; i++)
		many[i] = "x";
	many[SPAWN_MAX_ARGS + 1] = NULL;
	struct fy_stack_args a = {.argv = many,
				  .elf = &info,
				  .random =
					  (const uint8_t *)"0123456789abcdef"};
	tap_eq(fy_stack_size(&a), -E2BIG, "65 arguments are -E2BIG");

	/* procmgr, which started us, puts its table on our stack. */
	tap_ok(fy_initcaps() != NULL, "AT_FERRY_CAPS from procmgr");
	tap_eq(fy_initial_cap("fs"), 3, "fy_initial_cap(\"fs\") is slot 3");
	tap_eq(fy_initial_cap("nothing"), -ENOENT,
	       "fy_initial_cap of a name not there is -ENOENT");
	return tap_done();
}
