/*
 * The Ferry note (uapi/ferry/elf_note.h): linked into every native program
 * by user/build.mk, it tells the kernel's loader to give the program both
 * syscall ranges. GAS makes a ".note.*" section an SHT_NOTE section and
 * the linker puts it in a PT_NOTE segment. It is an object of its own, not
 * an archive member, so a program gets it whether or not it calls libferry.
 */
#include <stdint.h>

#include <uapi/ferry/elf_note.h>

struct ferry_note {
	uint32_t namesz, descsz, type;
	char name[(sizeof(FERRY_NOTE_NAME) + 3) & ~3];
	uint32_t desc;
};

__attribute__((section(".note.ferry"), aligned(4),
	       used)) static const struct ferry_note ferry_native_note = {
	.namesz = sizeof(FERRY_NOTE_NAME),
	.descsz = sizeof(uint32_t),
	.type = FERRY_NOTE_NATIVE,
	.name = FERRY_NOTE_NAME,
	.desc = FERRY_NOTE_ABI_VERSION,
};
