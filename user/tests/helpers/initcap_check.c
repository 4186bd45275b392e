/*
 * procmgr_spawn's child: checks what a spawn through procmgr gives it.
 * argv {"helpers/initcap_check", "one", "two"}, envp {"PM=1"}, and the
 * initial capabilities "fs", "procmgr" (procmgr's own) and the test's
 * "blob" (a PMO holding "hello blob") and "mark" (a PMO it writes 0x5a
 * into). Exits 0, or the number of the first check that failed.
 */
#include <stdlib.h>
#include <string.h>

#include <ferry/ferry.h>
#include <ferry/initcaps.h>

int main(int argc, char **argv)
{
	char buf[16] = {0};
	long blob, mark, info;

	if (argc != 3 || strcmp(argv[0], "helpers/initcap_check") ||
	    strcmp(argv[1], "one") || strcmp(argv[2], "two") || argv[3])
		return 1;
	if (!getenv("PM") || strcmp(getenv("PM"), "1"))
		return 2;
	/* The file server and procmgr: threads we may call. */
	info = fy_cap_info(fy_initial_cap("fs"));
	if (info < 0 || FY_CAP_INFO_TYPE(info) != OBJ_TYPE_THREAD ||
	    !(FY_CAP_INFO_RIGHTS(info) & CAP_RIGHT_CALL))
		return 3;
	info = fy_cap_info(fy_initial_cap("procmgr"));
	if (info < 0 || FY_CAP_INFO_TYPE(info) != OBJ_TYPE_THREAD)
		return 4;
	blob = fy_initial_cap("blob");
	mark = fy_initial_cap("mark");
	if (blob < 0 || mark < 0 || blob == mark)
		return 5;
	if (fy_pmo_read((cap_t)blob, 0, buf, 10) ||
	    memcmp(buf, "hello blob", 10))
		return 6;
	if (fy_initial_cap("nope") != -ENOENT || fy_initial_cap("") >= 0)
		return 7;
	/* Slot 2 is our main thread, as SYS_spawn gave it. */
	info = fy_cap_info(CAP_SELF_MAIN_THREAD);
	if (info < 0 || FY_CAP_INFO_TYPE(info) != OBJ_TYPE_THREAD)
		return 8;
	buf[0] = 0x5a;
	if (fy_pmo_write((cap_t)mark, 0, buf, 1))
		return 9;
	return 0;
}
