#include <stdio.h>
#include <string.h>

#include <ferry/ferry.h>
#include <ferry/initrd.h>

#include "sh.h"

static void cmd_ls(void)
{
	struct fy_names names;
	long err = fy_initrd_names(&names);

	if (err < 0) {
		printf("ls: error %ld\n", err);
		return;
	}
	for (size_t i = 0; i < names.count; i++)
		printf("%s\n", names.names[i]);
	fy_names_free(&names);
}

static void cmd_help(void)
{
	printf("Ferry shell. Builtins:\n"
	       "  ls          list the programs and files in the initrd\n"
	       "  echo ARGS   print ARGS\n"
	       "  kstat       print the kernel's counters\n"
	       "  help        this text\n"
	       "  exit        leave the shell (init then powers off)\n"
	       "  poweroff    stop the machine now\n"
	       "Anything else runs the initrd program of that name, e.g. "
	       "`hello a b`.\n");
}

static void cmd_echo(char **words, int n)
{
	for (int i = 1; i < n; i++)
		printf("%s%s", words[i], i + 1 < n ? " " : "");
	printf("\n");
}

static const char *const obj_names[OBJ_TYPE_NR] = {
	[OBJ_TYPE_NONE] = "none",
	[OBJ_TYPE_CAP_GROUP] = "cap_group",
	[OBJ_TYPE_THREAD] = "thread",
	[OBJ_TYPE_PMO] = "pmo",
	[OBJ_TYPE_VMSPACE] = "vmspace",
	[OBJ_TYPE_SC] = "sc",
	[OBJ_TYPE_CONNECTION] = "connection",
	[OBJ_TYPE_NOTIFICATION] = "notification",
};

static void cmd_kstat(void)
{
	printf("free_frames   %ld\n", fy_kstat(KSTAT_FREE_FRAMES));
	printf("total_frames  %ld\n", fy_kstat(KSTAT_TOTAL_FRAMES));
	printf("live_objects  %ld\n", fy_kstat(KSTAT_LIVE_OBJECTS));
	printf("kmalloc_bytes %ld\n", fy_kstat(KSTAT_KMALLOC_BYTES));
	printf("ticks         %ld\n", fy_kstat(KSTAT_TICKS));
	for (int t = OBJ_TYPE_NONE + 1; t < OBJ_TYPE_NR; t++)
		printf("  %-12s %ld\n", obj_names[t],
		       fy_kstat(KSTAT_LIVE_BY_TYPE + t));
}

int sh_builtin(char **words, int n, int *quit)
{
	const char *cmd = words[0];

	if (!strcmp(cmd, "ls"))
		cmd_ls();
	else if (!strcmp(cmd, "help"))
		cmd_help();
	else if (!strcmp(cmd, "echo"))
		cmd_echo(words, n);
	else if (!strcmp(cmd, "kstat"))
		cmd_kstat();
	else if (!strcmp(cmd, "exit"))
		*quit = 1;
	else if (!strcmp(cmd, "poweroff"))
		fy_poweroff(0);
	else
		return 0;
	return 1;
}
