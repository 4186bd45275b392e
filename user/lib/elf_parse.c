/*
 * fy_elf_parse: the checks a user-space loader makes before it maps a
 * single byte of an untrusted executable (contract in ferry/elf_load.h).
 *
 * Every header is copied out with memcpy before use (the buffer need not
 * be aligned), and every sum of two values from the file is checked by
 * subtraction (fits()), so nothing can wrap.
 *
 * Unlike the kernel's old loader (kernel/lib/elf.c), segments may not
 * share a page: procmgr's pager maps whole file pages, text read-only and
 * shared, data copy-on-write, so one page cannot carry two protections.
 * GNU ld's default (-z separate-code) output, musl's static binaries
 * among them, puts each segment on its own pages.
 */
#include <elf.h>
#include <errno.h> /* before the uapi list, which then keeps libc's values */
#include <string.h>

#include <ferry/elf_load.h>
#include <uapi/ferry/cap.h>
#include <uapi/ferry/elf_note.h>
#include <uapi/ferry/errno.h>

#define PAGE FY_ELF_PAGE

/* Whether [off, off + size) lies inside [0, limit), without wrapping. */
static bool fits(uint64_t off, uint64_t size, uint64_t limit)
{
	return off <= limit && size <= limit - off;
}

static uint64_t page_up(uint64_t a)
{
	return (a + PAGE - 1) & ~(PAGE - 1); /* a < FY_USER_TOP: no wrap */
}

static uint32_t prot_of(uint32_t p_flags)
{
	return (p_flags & PF_R ? VM_READ : 0) |
	       (p_flags & PF_W ? VM_WRITE : 0) | (p_flags & PF_X ? VM_EXEC : 0);
}

/* The ELF header alone, against the file's size. */
static int check_ehdr(const Elf64_Ehdr *eh, uint64_t file_size)
{
	const unsigned char *id = eh->e_ident;

	if (memcmp(id, ELFMAG, SELFMAG) != 0 || id[EI_CLASS] != ELFCLASS64 ||
	    id[EI_DATA] != ELFDATA2LSB || id[EI_VERSION] != EV_CURRENT ||
	    eh->e_version != EV_CURRENT)
		return -ENOEXEC;
	/* What GNU ld and LLD write for Linux; Linux itself ignores it. */
	if (id[EI_OSABI] != ELFOSABI_SYSV && id[EI_OSABI] != ELFOSABI_GNU)
		return -ENOEXEC;
	/* ET_DYN (static-pie too) would need relocating: not supported. */
	if (eh->e_type != ET_EXEC || eh->e_machine != EM_X86_64)
		return -ENOEXEC;
	if (eh->e_ehsize != sizeof(Elf64_Ehdr) ||
	    eh->e_phentsize != sizeof(Elf64_Phdr))
		return -ENOEXEC;
	/* 0: nothing to run; PN_XNUM (0xffff) is above the limit too. */
	if (eh->e_phnum == 0 || eh->e_phnum > FY_ELF_MAX_PHNUM)
		return -ENOEXEC;
	if (!fits(eh->e_phoff, (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr),
		  file_size < FY_ELF_HEAD_MAX ? file_size : FY_ELF_HEAD_MAX))
		return -ENOEXEC;
	return 0;
}

static void get_phdr(const uint8_t *p, const Elf64_Ehdr *eh, int i,
		     Elf64_Phdr *ph)
{
	memcpy(ph, p + eh->e_phoff + (uint64_t)i * sizeof(*ph), sizeof(*ph));
}

/* A note segment the parser reads: whole, in the file, in the head. */
static bool note_readable(const Elf64_Phdr *ph, uint64_t file_size)
{
	return ph->p_type == PT_NOTE && ph->p_filesz > 0 &&
	       fits(ph->p_offset, ph->p_filesz, file_size) &&
	       ph->p_offset + ph->p_filesz <= FY_ELF_HEAD_MAX;
}

/* How much of the file the headers and the readable notes need. */
static uint64_t bytes_needed(const uint8_t *p, const Elf64_Ehdr *eh,
			     uint64_t file_size)
{
	uint64_t need =
		eh->e_phoff + (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr);
	Elf64_Phdr ph;

	for (int i = 0; i < eh->e_phnum; i++) {
		get_phdr(p, eh, i, &ph);
		if (note_readable(&ph, file_size) &&
		    ph.p_offset + ph.p_filesz > need)
			need = ph.p_offset + ph.p_filesz;
	}
	return need;
}

/*
 * Whether the note segment `ph` (readable, inside the buffer) holds the
 * Ferry note. Notes are padded to the segment's alignment (4, or 8 as
 * for GNU property notes); every size is checked against what is left.
 */
static bool note_is_ferry(const uint8_t *p, const Elf64_Phdr *ph)
{
	uint64_t align = ph->p_align == 8 ? 8 : 4;
	uint64_t at = 0, left, name_len, desc_len;
	const uint8_t *seg = p + ph->p_offset;
	Elf64_Nhdr nh;
	uint32_t desc;

	while (ph->p_filesz - at >= sizeof(nh)) {
		memcpy(&nh, seg + at, sizeof(nh));
		at += sizeof(nh);
		left = ph->p_filesz - at;
		name_len = ((uint64_t)nh.n_namesz + align - 1) & ~(align - 1);
		desc_len = ((uint64_t)nh.n_descsz + align - 1) & ~(align - 1);
		if (name_len > left || desc_len > left - name_len)
			return false;
		if (nh.n_type == FERRY_NOTE_NATIVE &&
		    nh.n_namesz == sizeof(FERRY_NOTE_NAME) &&
		    nh.n_descsz == sizeof(desc) &&
		    memcmp(seg + at, FERRY_NOTE_NAME,
			   sizeof(FERRY_NOTE_NAME)) == 0) {
			memcpy(&desc, seg + at + name_len, sizeof(desc));
			return desc == FERRY_NOTE_ABI_VERSION;
		}
		at += name_len + desc_len;
	}
	return false;
}

/* One PT_LOAD, against the file, user space and the segment before it. */
static int add_load(struct fy_elf_info *info, const Elf64_Phdr *ph,
		    uint64_t file_size, uint64_t *total)
{
	const struct fy_elf_segment *prev =
		info->nsegs ? &info->segs[info->nsegs - 1] : NULL;
	struct fy_elf_segment *seg;

	/* Maps nothing; linkers rarely emit one. */
	if (ph->p_memsz == 0 && ph->p_filesz == 0)
		return 0;
	if (info->nsegs == FY_ELF_MAX_SEGMENTS)
		return -E2BIG;
	if (ph->p_filesz > ph->p_memsz ||
	    !fits(ph->p_offset, ph->p_filesz, file_size))
		return -ENOEXEC;
	/* p_align: 0 or 1 means none, else a power of two (ELF gABI). */
	if (ph->p_align > 1 &&
	    ((ph->p_align & (ph->p_align - 1)) ||
	     ph->p_vaddr % ph->p_align != ph->p_offset % ph->p_align))
		return -ENOEXEC;
	/* Whatever the alignment claims, file pages must map onto pages. */
	if (ph->p_vaddr % PAGE != ph->p_offset % PAGE)
		return -ENOEXEC;
	if (ph->p_memsz > FY_ELF_MAX_MEMSZ - *total)
		return -ENOMEM;
	if (ph->p_vaddr < FY_ELF_MIN_VADDR ||
	    !fits(ph->p_vaddr, ph->p_memsz, FY_USER_TOP))
		return -ENOEXEC;
	/* Ascending, and the first page not shared with the one before. */
	if (prev &&
	    ph->p_vaddr / PAGE * PAGE < page_up(prev->vaddr + prev->memsz))
		return -ENOEXEC;

	*total += ph->p_memsz;
	seg = &info->segs[info->nsegs++];
	seg->vaddr = ph->p_vaddr;
	seg->memsz = ph->p_memsz;
	seg->filesz = ph->p_filesz;
	seg->offset = ph->p_offset;
	seg->prot = prot_of(ph->p_flags);
	return 0;
}

/*
 * The segment whose file-backed part holds [off, off + size) of the
 * file, or NULL: what is there in memory is then exactly the file's.
 */
static const struct fy_elf_segment *
file_range_loaded(const struct fy_elf_info *info, uint64_t off, uint64_t size)
{
	for (int i = 0; i < info->nsegs; i++) {
		const struct fy_elf_segment *s = &info->segs[i];

		if (off >= s->offset && fits(off - s->offset, size, s->filesz))
			return s;
	}
	return NULL;
}

static bool entry_ok(const struct fy_elf_info *info)
{
	for (int i = 0; i < info->nsegs; i++) {
		const struct fy_elf_segment *s = &info->segs[i];

		if ((s->prot & VM_EXEC) && info->entry >= s->vaddr &&
		    info->entry - s->vaddr < s->filesz)
			return true;
	}
	return false;
}

/*
 * AT_PHDR: musl's static start-up walks the program headers in memory to
 * find PT_TLS, so they must be loaded (Linux would pass an address that
 * faults). A PT_PHDR, if any, must describe that same table.
 */
static int find_phdrs(struct fy_elf_info *info, const Elf64_Ehdr *eh,
		      const Elf64_Phdr *pt_phdr)
{
	uint64_t size = (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr);
	const struct fy_elf_segment *s =
		file_range_loaded(info, eh->e_phoff, size);

	if (!s)
		return -ENOEXEC;
	info->phdr_vaddr = s->vaddr + (eh->e_phoff - s->offset);
	if (pt_phdr &&
	    (pt_phdr->p_offset != eh->e_phoff ||
	     pt_phdr->p_vaddr != info->phdr_vaddr || pt_phdr->p_filesz != size))
		return -ENOEXEC;
	return 0;
}

/*
 * PT_TLS: the initial image (p_filesz bytes) is read at p_vaddr by the
 * C library, so it must be loaded from the same file bytes; the rest of
 * p_memsz is zeroes in each thread's block.
 */
static int check_tls(struct fy_elf_info *info, const Elf64_Phdr *tls)
{
	const struct fy_elf_segment *s;

	if (tls->p_filesz > tls->p_memsz || (tls->p_align & (tls->p_align - 1)))
		return -ENOEXEC;
	if (tls->p_memsz > FY_ELF_MAX_MEMSZ)
		return -ENOMEM;
	if (tls->p_filesz) {
		s = file_range_loaded(info, tls->p_offset, tls->p_filesz);
		if (!s || tls->p_vaddr - s->vaddr != tls->p_offset - s->offset)
			return -ENOEXEC;
	}
	info->tls_vaddr = tls->p_vaddr;
	info->tls_memsz = tls->p_memsz;
	return 0;
}

static int parse_phdrs(const uint8_t *p, const Elf64_Ehdr *eh,
		       uint64_t file_size, struct fy_elf_info *info)
{
	Elf64_Phdr ph, tls = {0}, pt_phdr = {0};
	bool have_tls = false, have_phdr = false;
	uint64_t total = 0;
	int ret;

	info->entry = eh->e_entry;
	info->phnum = eh->e_phnum;
	info->phentsize = eh->e_phentsize;
	info->stack_prot = VM_READ | VM_WRITE;
	for (int i = 0; i < eh->e_phnum; i++) {
		get_phdr(p, eh, i, &ph);
		switch (ph.p_type) {
		case PT_LOAD:
			ret = add_load(info, &ph, file_size, &total);
			if (ret)
				return ret;
			break;
		case PT_INTERP: /* no ld.so to run: static executables only */
			return -ENOEXEC;
		case PT_NOTE:
			if (note_readable(&ph, file_size) &&
			    note_is_ferry(p, &ph))
				info->native = true;
			break;
		case PT_TLS:
			if (have_tls)
				return -ENOEXEC;
			tls = ph;
			have_tls = true;
			break;
		case PT_PHDR: /* at most one, before any PT_LOAD (gABI) */
			if (have_phdr || info->nsegs)
				return -ENOEXEC;
			pt_phdr = ph;
			have_phdr = true;
			break;
		case PT_GNU_STACK:
			info->stack_prot = prot_of(ph.p_flags);
			break;
		default: /* PT_NULL, PT_GNU_RELRO, PT_GNU_EH_FRAME, ... */
			break;
		}
	}
	if (!info->nsegs || !entry_ok(info))
		return -ENOEXEC;
	ret = find_phdrs(info, eh, have_phdr ? &pt_phdr : NULL);
	if (!ret && have_tls)
		ret = check_tls(info, &tls);
	if (ret)
		return ret;
	info->image_end = page_up(info->segs[info->nsegs - 1].vaddr +
				  info->segs[info->nsegs - 1].memsz);
	return 0;
}

int fy_elf_parse(const void *buf, size_t len, uint64_t file_size,
		 struct fy_elf_info *out)
{
	const uint8_t *p = buf;
	struct fy_elf_info info;
	Elf64_Ehdr eh;
	uint64_t need;
	int ret;

	if (!buf || !out)
		return -EINVAL;
	if (len > file_size)
		len = (size_t)file_size;
	if (file_size < sizeof(eh))
		return -ENOEXEC;
	if (len < sizeof(eh))
		return (int)sizeof(eh);
	memcpy(&eh, p, sizeof(eh));
	ret = check_ehdr(&eh, file_size);
	if (ret)
		return ret;
	need = eh.e_phoff + (uint64_t)eh.e_phnum * sizeof(Elf64_Phdr);
	if (need > len)
		return (int)need;
	need = bytes_needed(p, &eh, file_size);
	if (need > len)
		return (int)need;

	memset(&info, 0, sizeof(info));
	ret = parse_phdrs(p, &eh, file_size, &info);
	if (ret)
		return ret;
	*out = info;
	return 0;
}
