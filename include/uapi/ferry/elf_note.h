/*
 * The ELF note that marks a native Ferry program. libferry's
 * native_note.o carries it (every program user/build.mk links gets it);
 * the kernel's loader looks for it in the PT_NOTE segments. A program with
 * it sees both syscall ranges; one without it (an unmodified Linux binary)
 * sees Linux's table only. docs/linux-abi.md, "Personality".
 */
#ifndef FERRY_UAPI_ELF_NOTE_H
#define FERRY_UAPI_ELF_NOTE_H

#define FERRY_NOTE_NAME "Ferry"	 /* n_namesz 6, with the NUL */
#define FERRY_NOTE_NATIVE 1	 /* n_type; the descriptor is one u32 ... */
#define FERRY_NOTE_ABI_VERSION 1 /* ... holding this */

#endif
