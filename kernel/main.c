/*
 * kmain: bring the machine up, start init (the first boot module) with the boot
 * command line as its arguments, then become the idle thread.
 */
#include <arch/arch.h>
#include <lib/initrd.h>
#include <lib/printk.h>
#include <lib/random.h>
#include <lib/string.h>
#include <lib/time.h>
#include <mm/frame.h>
#include <mm/pgtable.h>
#include <object/cap_group.h>
#include <object/initrd_pmo.h>
#include <object/platform.h>
#include <object/process.h>
#include <sched/sched.h>
#include <uapi/ferry/cap.h>

void arch_init(u32 magic, u32 info_pa);
const char *boot_cmdline(void);

#define INIT_MAX_ARGS 16
#define KFAULT_USER_VA 0x400000ul /* a user address nothing uses at boot */

/*
 * Boot options for the test suite, each proving a kernel fault's report
 * (tools/qemu.sh kfault|ksmap|ksmep|kdf): a stray kernel pointer, a kernel
 * read of a mapped user page outside the user-access layer (SMAP), the
 * kernel calling into a user page (SMEP), an unmapped kernel stack (a
 * double fault); knmi, an NMI that must be reported and survived (the
 * machine then powers off cleanly); knmi-iret, an NMI at the iretq to
 * user mode, which must leave the user's GS base live. None returns.
 */
static void boot_fault(const char *opt)
{
	paddr_t pa;

	if (!strcmp(opt, "kfault")) {
		printk("[ferry] kfault: faulting in the kernel on purpose\n");
		*(volatile u64 *)0xdead0000 = 1;
	}
	if (!strcmp(opt, "knmi")) {
		printk("[ferry] knmi: sending this CPU an NMI\n");
		arch_boot_nmi();
		printk("[ferry] knmi: the kernel carried on\n");
		arch_poweroff(0);
	}
	if (!strcmp(opt, "kdf")) {
		printk("[ferry] kdf: the kernel stack is bad on purpose\n");
		arch_boot_stack_fault();
	}
	if (strcmp(opt, "ksmap") && strcmp(opt, "ksmep") &&
	    strcmp(opt, "knmi-iret"))
		return;
	/* A user page (PTE_U), present, holding a `ret` (or knmi-iret's code).
	 */
	pa = frame_alloc_zeroed();
	if (!pa || pt_map(arch_kernel_pt_root(), KFAULT_USER_VA, pa,
			  PTE_P | PTE_W | PTE_U, NULL))
		panic("%s: no memory for the user page", opt);
	*(u8 *)phys_to_virt(pa) = 0xc3;
	if (!strcmp(opt, "knmi-iret")) {
		printk("[ferry] knmi-iret: an NMI at the return to user "
		       "mode\n");
		arch_boot_nmi_at_iret(phys_to_virt(pa), KFAULT_USER_VA);
	}
	printk("[ferry] %s: the kernel %s a user page on purpose\n", opt,
	       !strcmp(opt, "ksmap") ? "reads" : "executes");
	if (!strcmp(opt, "ksmap"))
		(void)*(volatile u64 *)KFAULT_USER_VA;
	else
		((void (*)(void))KFAULT_USER_VA)();
	panic("%s: the stray access was not caught", opt);
}

/* Splits the command line into init's argv, in place. */
static int split_args(char *s, char **argv, int max)
{
	int n = 0;

	while (*s && n < max - 1) {
		while (*s == ' ')
			*s++ = '\0';
		if (!*s)
			break;
		argv[n++] = s;
		while (*s && *s != ' ')
			s++;
	}
	argv[n] = NULL;
	return n;
}

void kmain(u32 magic, u32 info_pa)
{
	static char cmd[256];
	char *argv[INIT_MAX_ARGS + 1] = {"init"};
	char *envp[] = {NULL};
	struct cap_group *init;
	const void *rd, *image;
	size_t rd_size, image_size;
	int ret;

	arch_init(magic, info_pa);
	time_init();
	random_init();
	printk("[ferry] booting: %lu MiB free, command line \"%s\"\n",
	       frame_free_count() * PAGE_SIZE >> 20, boot_cmdline());
	sched_init();
	strlcpy(cmd, boot_cmdline(), sizeof(cmd));
	/* Multiboot loaders put the kernel's own path first: skip it. */
	split_args(cmd, argv, INIT_MAX_ARGS);
	argv[0] = "init";
	if (argv[1])
		boot_fault(argv[1]);
	/* init keeps the top priority, out of every program's reach. */
	image = boot_init_image(&image_size);
	ret = process_spawn(
		"init", image, image_size, (const char *const *)argv,
		(const char *const *)envp, PRIO_MAX, PRIO_MAX, &init);
	if (ret < 0)
		panic("cannot start init: error %d", ret);
	/* Before init first runs: its leak counters never see this. */
	rd = initrd_data(&rd_size);
	ret = initrd_pmo_give(init, rd, rd_size);
	if (ret < 0)
		panic("cannot give init the initrd: error %d", ret);
	ret = platform_give(init);
	if (ret < 0)
		panic("cannot give init the platform capability: error %d",
		      ret);
	obj_put(init);
	sched_idle_loop();
}
