#include <stdio.h>
#include <string.h>

#include <ferry/ferry.h>
#include <ferry/initcaps.h>
#include <ferry/initrd.h>
#include <ferry/ns.h>
#include <uapi/ferry/proto/procmgr.h>

#include "sh.h"

static void cmd_ls(char **words, int n)
{
	struct fy_names names;
	long err = fy_initrd_names(&names);

	(void)words;
	(void)n;
	if (err < 0) {
		printf("ls: error %ld\n", err);
		return;
	}
	for (size_t i = 0; i < names.count; i++)
		printf("%s\n", names.names[i]);
	fy_names_free(&names);
}

static void cmd_help(char **words, int n)
{
	(void)words;
	(void)n;
	printf("Ferry shell. Builtins:\n"
	       "  ls          list the programs and files in the initrd\n"
	       "  echo ARGS   print ARGS\n"
	       "  jobs        list the background jobs: number, pid, state, "
	       "command\n"
	       "  ps          every process procmgr started: pid, state, "
	       "pages used and budget, name (also `procs`)\n"
	       "  kill PID    end one of this shell's jobs (also kill %%N "
	       "for job N)\n"
	       "  wait [PID]  wait for that job (or %%N), or for every job, "
	       "and report them\n"
	       "  caps        list this shell's initial capabilities by name\n"
	       "  services    list the names registered with the name server\n"
	       "  kstat       print the kernel's counters\n"
	       "  help        this text\n"
	       "  exit        leave the shell (init then powers off)\n"
	       "  poweroff    stop the machine now\n"
	       "Anything else runs the initrd program of that name, e.g. "
	       "`hello a b`;\n"
	       "a trailing & runs it in the background (`hello a b &`). "
	       "Ctrl-C ends the\n"
	       "foreground program. A status other than 0 is shown: "
	       "[exit 3].\n");
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
	[OBJ_TYPE_PLATFORM] = "platform",
};

static void cmd_kstat(char **words, int n)
{
	(void)words;
	(void)n;
	printf("free_frames   %ld\n", fy_kstat(KSTAT_FREE_FRAMES));
	printf("total_frames  %ld\n", fy_kstat(KSTAT_TOTAL_FRAMES));
	printf("live_objects  %ld\n", fy_kstat(KSTAT_LIVE_OBJECTS));
	printf("kmalloc_bytes %ld\n", fy_kstat(KSTAT_KMALLOC_BYTES));
	printf("ticks         %ld\n", fy_kstat(KSTAT_TICKS));
	for (int t = OBJ_TYPE_NONE + 1; t < OBJ_TYPE_NR; t++)
		printf("  %-12s %ld\n", obj_names[t],
		       fy_kstat(KSTAT_LIVE_BY_TYPE + t));
}

/* procmgr's list (PROCMGR_LIST): every live process it started. */
static void cmd_procs(char **words, int n)
{
	struct procmgr_proc_info info[64];
	long got = fy_proc_list(info, 64);

	(void)words;
	(void)n;
	if (got < 0) {
		printf("sh: ps: error %ld\n", got);
		return;
	}
	printf("%5s %-8s %8s %8s %s\n", "PID", "STATE", "PAGES", "BUDGET",
	       "NAME");
	for (long i = 0; i < got && i < 64; i++)
		printf("%5d %-8s %8llu %8llu %s\n", info[i].pid,
		       info[i].state == PROCMGR_STATE_RUNNING ? "running"
							      : "exited",
		       (unsigned long long)info[i].mem_pages,
		       (unsigned long long)info[i].budget_pages, info[i].name);
}

static void cmd_jobs(char **words, int n)
{
	(void)words;
	(void)n;
	sh_jobs_list();
}

static void cmd_kill(char **words, int n)
{
	if (n < 2) {
		printf("sh: kill: usage: kill N...\n");
		return;
	}
	for (int i = 1; i < n; i++)
		sh_jobs_kill(words[i]);
}

static void cmd_wait(char **words, int n)
{
	if (n < 2)
		sh_jobs_wait(NULL);
	for (int i = 1; i < n; i++)
		sh_jobs_wait(words[i]);
}

/* The table AT_FERRY_CAPS gives (docs/loader.md); empty until procmgr. */
static void cmd_caps(char **words, int n)
{
	const struct initcap_table *t = fy_initcaps();
	const struct initcap_entry *e;
	unsigned i;

	(void)words;
	(void)n;
	for (i = 0; (e = fy_initcap_at(t, i)); i++)
		printf("%-23.23s slot %d rights 0x%x\n", e->name, e->cap,
		       e->rights);
	if (!i)
		printf("no initial capabilities by name\n");
}

/* The name server's registry (NS_LIST, docs/naming.md). */
static void cmd_services(char **words, int n)
{
	static struct ns_list_entry list[NS_MAX_NAMES];
	long got = fy_ns_list(0, list, NS_MAX_NAMES);

	(void)words;
	(void)n;
	if (got < 0) {
		printf("sh: services: error %ld\n", got);
		return;
	}
	for (long i = 0; i < got && i < NS_MAX_NAMES; i++)
		printf("%s\n", list[i].name);
	if (!got)
		printf("no services registered\n");
}

static void cmd_exit(char **words, int n)
{
	(void)words;
	(void)n;
}

static void cmd_poweroff(char **words, int n)
{
	long err;

	(void)words;
	(void)n;
	err = fy_poweroff(0);

	printf("poweroff: refused (error %ld): no platform capability\n", err);
}

static const struct {
	const char *name;
	void (*run)(char **words, int n);
} builtins[] = {
	{"ls", cmd_ls},
	{"help", cmd_help},
	{"echo", cmd_echo},
	{"kstat", cmd_kstat},
	{"jobs", cmd_jobs},
	{"ps", cmd_procs},
	{"procs", cmd_procs},
	{"kill", cmd_kill},
	{"wait", cmd_wait},
	{"caps", cmd_caps},
	{"services", cmd_services},
	{"exit", cmd_exit},
	{"poweroff", cmd_poweroff},
};

int sh_is_builtin(const char *name)
{
	for (size_t i = 0; i < sizeof(builtins) / sizeof(builtins[0]); i++)
		if (!strcmp(name, builtins[i].name))
			return 1;
	return 0;
}

int sh_builtin(char **words, int n, int *quit)
{
	for (size_t i = 0; i < sizeof(builtins) / sizeof(builtins[0]); i++)
		if (!strcmp(words[0], builtins[i].name)) {
			builtins[i].run(words, n);
			*quit = builtins[i].run == cmd_exit;
			return 1;
		}
	return 0;
}
