/*
 * ELF64 executable parsing: turns an untrusted image into a list of
 * segments the loader can map without further checks.
 *
 * Headers are copied out with memcpy before use: the image comes from the
 * initrd, where a file is only 4-byte aligned. Every sum of two values from
 * the file is checked by subtraction, so nothing can wrap.
 *
 * Segments are checked not to overlap by their exact byte ranges, not by
 * pages: real linkers (musl's static binaries among them) put a read-only
 * segment and a read-write one in the same page, e.g. one ending at
 * 0x404fc0 and the next starting there. The loader must merge permissions
 * for such a shared page.
 */
#include <lib/elf.h>
#include <lib/elf_format.h>
#include <lib/string.h>
#include <uapi/ferry/cap.h>
#include <uapi/ferry/elf_note.h>
#include <uapi/ferry/errno.h>

static bool elf_header_ok(const Elf64_Ehdr *eh, size_t size)
{
	static const u8 magic[4] = {ELFMAG0, 'E', 'L', 'F'};
	u64 table = (u64)eh->e_phnum * sizeof(Elf64_Phdr);

	if (memcmp(eh->e_ident, magic, sizeof(magic)) != 0)
		return false;
	if (eh->e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh->e_ident[EI_DATA] != ELFDATA2LSB ||
	    eh->e_ident[EI_VERSION] != EV_CURRENT ||
	    eh->e_version != EV_CURRENT)
		return false;
	if (eh->e_type != ET_EXEC || eh->e_machine != EM_X86_64)
		return false;
	if (eh->e_phentsize != sizeof(Elf64_Phdr) || eh->e_phnum == 0)
		return false;
	return eh->e_phoff <= size && table <= size - eh->e_phoff;
}

static u32 elf_vm_flags(u32 p_flags)
{
	return (p_flags & PF_R ? VM_READ : 0) |
	       (p_flags & PF_W ? VM_WRITE : 0) | (p_flags & PF_X ? VM_EXEC : 0);
}

/*
 * Checks one PT_LOAD against the image, user space (below `top`, page 0
 * excluded) and the segment before it, which must end at or below its
 * start. Fills *seg on success.
 */
static bool elf_load_ok(const Elf64_Phdr *ph, size_t size, u64 top,
			const struct elf_segment *prev, struct elf_segment *seg)
{
	if (ph->p_filesz > ph->p_memsz)
		return false;
	if (ph->p_offset > size || ph->p_filesz > size - ph->p_offset)
		return false;
	if (ph->p_vaddr < PAGE_SIZE || ph->p_vaddr > top ||
	    ph->p_memsz > top - ph->p_vaddr)
		return false;
	if (ph->p_vaddr % PAGE_SIZE != ph->p_offset % PAGE_SIZE)
		return false;
	if (prev && ph->p_vaddr < prev->vaddr + prev->memsz)
		return false;

	seg->vaddr = ph->p_vaddr;
	seg->memsz = ph->p_memsz;
	seg->filesz = ph->p_filesz;
	seg->offset = ph->p_offset;
	seg->flags = elf_vm_flags(ph->p_flags);
	return true;
}

/* Where the program headers are in user memory, for AT_PHDR; 0 if unmapped. */
static u64 elf_phdr_vaddr(const struct elf_info *info, u64 phoff)
{
	u64 table = (u64)info->phnum * sizeof(Elf64_Phdr);
	const struct elf_segment *s;
	int i;

	for (i = 0; i < info->nsegs; i++) {
		s = &info->segs[i];
		if (phoff >= s->offset && phoff - s->offset <= s->filesz &&
		    table <= s->filesz - (phoff - s->offset))
			return s->vaddr + (phoff - s->offset);
	}
	return 0;
}

static bool elf_entry_ok(const struct elf_info *info)
{
	const struct elf_segment *s;
	int i;

	for (i = 0; i < info->nsegs; i++) {
		s = &info->segs[i];
		if ((s->flags & VM_EXEC) && info->entry >= s->vaddr &&
		    info->entry - s->vaddr < s->memsz)
			return true;
	}
	return false;
}

/*
 * Whether the PT_NOTE segment `ph` holds the Ferry note. Notes are
 * padded to the segment's alignment (4, or 8 as for GNU property notes);
 * every size comes from the file and is checked against what is left.
 */
static bool elf_note_is_ferry(const u8 *img, size_t size, const Elf64_Phdr *ph)
{
	u64 align = ph->p_align == 8 ? 8 : 4;
	u64 at = 0, left, name_len, desc_len;
	Elf64_Nhdr nh;
	u32 desc;

	if (ph->p_offset > size || ph->p_filesz > size - ph->p_offset)
		return false;
	while (ph->p_filesz - at >= sizeof(nh)) {
		memcpy(&nh, img + ph->p_offset + at, sizeof(nh));
		at += sizeof(nh);
		left = ph->p_filesz - at;
		name_len = ALIGN_UP((u64)nh.n_namesz, align);
		desc_len = ALIGN_UP((u64)nh.n_descsz, align);
		if (name_len > left || desc_len > left - name_len)
			return false;
		if (nh.n_type == FERRY_NOTE_NATIVE &&
		    nh.n_namesz == sizeof(FERRY_NOTE_NAME) &&
		    nh.n_descsz == sizeof(desc) &&
		    memcmp(img + ph->p_offset + at, FERRY_NOTE_NAME,
			   sizeof(FERRY_NOTE_NAME)) == 0) {
			memcpy(&desc, img + ph->p_offset + at + name_len,
			       sizeof(desc));
			return desc == FERRY_NOTE_ABI_VERSION;
		}
		at += name_len + desc_len;
	}
	return false;
}

int elf_parse(const void *image, size_t size, u64 user_top,
	      struct elf_info *out)
{
	/* A partial last page would reach past user_top once mapped. */
	u64 top = ALIGN_DOWN(user_top, PAGE_SIZE);
	const u8 *img = image;
	struct elf_info info = {0};
	bool have_phdr = false;
	Elf64_Ehdr eh;
	Elf64_Phdr ph;
	int i;

	if (size < sizeof(eh))
		return -ENOEXEC;
	memcpy(&eh, img, sizeof(eh));
	if (!elf_header_ok(&eh, size))
		return -ENOEXEC;

	info.entry = eh.e_entry;
	info.phnum = eh.e_phnum;
	info.phentsize = eh.e_phentsize;

	for (i = 0; i < eh.e_phnum; i++) {
		memcpy(&ph, img + eh.e_phoff + (u64)i * sizeof(ph), sizeof(ph));
		switch (ph.p_type) {
		case PT_LOAD:
			/* Empty segments map nothing; linkers rarely emit them.
			 */
			if (ph.p_memsz == 0 && ph.p_filesz == 0)
				break;
			if (info.nsegs == ELF_MAX_SEGMENTS)
				return -E2BIG;
			if (!elf_load_ok(&ph, size, top,
					 info.nsegs ? &info.segs[info.nsegs - 1]
						    : NULL,
					 &info.segs[info.nsegs]))
				return -ENOEXEC;
			info.nsegs++;
			break;
		case PT_NOTE:
			if (elf_note_is_ferry(img, size, &ph))
				info.ferry_native = true;
			break;
		case PT_PHDR:
			info.phdr_vaddr = ph.p_vaddr;
			have_phdr = true;
			break;
		case PT_INTERP:
			/* Only static executables: there is no ld.so to run. */
			return -ENOEXEC;
		default:
			break;
		}
	}

	if (!elf_entry_ok(&info))
		return -ENOEXEC;
	if (!have_phdr)
		info.phdr_vaddr = elf_phdr_vaddr(&info, eh.e_phoff);
	*out = info;
	return 0;
}
