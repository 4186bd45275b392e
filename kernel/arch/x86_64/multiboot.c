/*
 * Reads the Multiboot (v1) information: usable RAM, the two modules
 * (init's ELF, then the initrd: tools/qemu.sh passes them in that order)
 * and the command line. The largest usable range above the kernel image
 * and the modules goes to the frame allocator.
 */
#include "cpu.h"
#include <arch/arch.h>
#include <lib/initrd.h>
#include <lib/printk.h>
#include <lib/string.h>
#include <mm/frame.h>

#define MB_BOOT_MAGIC 0x2BADB002

struct mb_info {
	u32 flags, mem_lower, mem_upper, boot_device, cmdline;
	u32 mods_count, mods_addr;
	u32 syms[4];
	u32 mmap_length, mmap_addr;
} __attribute__((packed));

struct mb_mod {
	u32 start, end, string, reserved;
} __attribute__((packed));

struct mb_mmap {
	u32 size;
	u64 addr, len;
	u32 type;
} __attribute__((packed));

extern char _kernel_end[];
static char cmdline[256];

const char *boot_cmdline(void)
{
	return cmdline;
}

void multiboot_init(u32 magic, u32 info_pa)
{
	struct mb_info *mb = phys_to_virt(info_pa);
	paddr_t used_end = virt_to_phys(_kernel_end);
	paddr_t best_start = 0, best_end = 0;
	struct mb_mod *mod;

	if (magic != MB_BOOT_MAGIC)
		panic("not booted by a Multiboot loader (magic %x)", magic);
	if (mb->flags & (1 << 2))
		strlcpy(cmdline, phys_to_virt(mb->cmdline), sizeof(cmdline));
	if (!(mb->flags & (1 << 3)) || mb->mods_count < 2)
		panic("the boot loader must pass two modules: init's ELF and "
		      "the initrd (tools/qemu.sh: -initrd init,initrd.cpio)");
	mod = phys_to_virt(mb->mods_addr);
	boot_modules_init(phys_to_virt(mod[0].start), mod[0].end - mod[0].start,
			  phys_to_virt(mod[1].start),
			  mod[1].end - mod[1].start);
	for (u32 i = 0; i < mb->mods_count; i++)
		used_end = MAX(used_end, (paddr_t)mod[i].end);
	if (!(mb->flags & (1 << 6)))
		panic("no memory map from the boot loader");
	for (u32 off = 0; off < mb->mmap_length;) {
		struct mb_mmap *e = phys_to_virt(mb->mmap_addr + off);
		paddr_t s = e->addr, end = e->addr + e->len;

		off += e->size + 4;
		if (e->type != 1 || end <= used_end)
			continue;
		s = MAX(s, used_end);
		/* The boot page tables direct-map only the first 4 GiB. */
		end = MIN(end, 0x100000000ul);
		if (end > s && end - s > best_end - best_start) {
			best_start = s;
			best_end = end;
		}
	}
	if (best_end <= best_start)
		panic("no usable memory");
	frame_init(best_start, best_end);
}
