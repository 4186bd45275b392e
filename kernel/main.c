/*
 * kmain: bring the machine up, start init from the initrd with the boot
 * command line as its arguments, then become the idle thread.
 */
#include <arch/arch.h>
#include <lib/printk.h>
#include <lib/random.h>
#include <lib/string.h>
#include <lib/time.h>
#include <mm/frame.h>
#include <object/process.h>
#include <sched/sched.h>

void arch_init(u32 magic, u32 info_pa);
const char *boot_cmdline(void);

#define INIT_MAX_ARGS 16

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
	/* Boot option for the test suite: prove a kernel fault's report. */
	if (argv[1] && !strcmp(argv[1], "kfault")) {
		printk("[ferry] kfault: faulting in the kernel on purpose\n");
		*(volatile u64 *)0xdead0000 = 1;
	}
	ret = process_spawn("init", (const char *const *)argv,
			    (const char *const *)envp, NULL);
	if (ret < 0)
		panic("cannot start init: error %d", ret);
	sched_idle_loop();
}
