# User space: libferry, init, the apps, the system-test programs, and the
# initrd that carries them. Every program is a static musl binary.
#
#   make run PROG=/path/to/static-binary
#   make run PROG="/path/a /path/b"
# adds those binaries to the initrd under their basenames, so the shell
# runs them by name (see user/README.md).

USER_CC := musl-gcc
USER_CFLAGS := -static -O2 -Wall -Iinclude -Iuser/lib
USER_OUT := $(BUILD)/user
# Any header change rebuilds every program: they are small and few.
USER_HDRS := $(wildcard include/uapi/ferry/*.h include/uapi/ferry/proto/*.h \
	user/lib/ferry/*.h user/lib/*.h \
	user/servers/*/*.h user/apps/*/*.h user/tests/*.h)

LIBFERRY := $(USER_OUT)/lib/libferry.a
LIBFERRY_OBJS := $(patsubst user/lib/%.c,$(USER_OUT)/lib/%.o, \
	$(wildcard user/lib/*.c))

$(USER_OUT)/lib/%.o: user/lib/%.c $(USER_HDRS)
	@mkdir -p $(@D)
	$(say) CC $<
	$(Q)$(USER_CC) $(USER_CFLAGS) -c -o $@ $<

$(LIBFERRY): $(LIBFERRY_OBJS)
	@rm -f $@
	$(say) AR $@
	$(Q)ar rcs $@ $^

# The Ferry ELF note: every native program links it, so the kernel gives
# it both syscall ranges (docs/linux-abi.md, "Personality").
FERRY_NOTE := $(USER_OUT)/lib/native_note.o
$(FERRY_NOTE): user/lib/note/native_note.c include/uapi/ferry/elf_note.h
	@mkdir -p $(@D)
	$(say) CC $@
	$(Q)$(USER_CC) $(USER_CFLAGS) -c -o $@ $<

# $(call user_prog,OUTPUT,SOURCES): one native program from its sources,
# the Ferry note and libferry.
define user_prog
$(1): $(2) $(FERRY_NOTE) $(LIBFERRY) $(USER_HDRS)
	@mkdir -p $$(@D)
	$$(say) CCLD $$@
	$$(Q)$(USER_CC) $(USER_CFLAGS) -o $$@ $(FERRY_NOTE) $(2) $(LIBFERRY)
endef

# $(call linux_prog,OUTPUT,SOURCES): an unmodified Linux program: plain
# musl, no note, no libferry, so Ferry gives it Linux's table only.
define linux_prog
$(1): $(2) $(USER_HDRS)
	@mkdir -p $$(@D)
	$$(say) CCLD $$@
	$$(Q)$(USER_CC) $(USER_CFLAGS) -o $$@ $(2)
endef

# Name in the initrd = path under $(USER_OUT).
USER_PROGS := init console fs procmgr nameserver sh hello bench ipcbench \
	echoserver echoclient rot13 rot13d
USER_SRCS_console := $(wildcard user/servers/console/*.c)
USER_SRCS_fs := $(wildcard user/servers/fs/*.c)
# init's loader reads the initrd with the file server's cpio parser.
USER_SRCS_init := $(wildcard user/servers/init/*.c) user/servers/fs/cpio.c
USER_SRCS_procmgr := $(wildcard user/servers/procmgr/*.c)
USER_SRCS_nameserver := $(wildcard user/servers/nameserver/*.c)
USER_SRCS_sh := $(wildcard user/apps/sh/*.c)
USER_SRCS_hello := $(wildcard user/apps/hello/*.c)
USER_SRCS_bench := $(wildcard user/apps/bench/*.c)
USER_SRCS_echoserver := user/apps/echo/echoserver.c
USER_SRCS_echoclient := user/apps/echo/echoclient.c
USER_SRCS_rot13 := user/apps/rot13/rot13.c
USER_SRCS_rot13d := user/apps/rot13/rot13d.c
USER_SRCS_ipcbench := $(wildcard user/apps/ipcbench/*.c) user/apps/bench/report.c
$(foreach p,$(USER_PROGS),\
	$(eval $(call user_prog,$(USER_OUT)/$(p),$(USER_SRCS_$(p)))))

# Unmodified Linux programs among the apps (no note, no libferry): the
# System V shm tools, user/apps/shm/NAME.c each.
USER_LINUX_APPS := ipcs shmwrite shmread
$(foreach p,$(USER_LINUX_APPS),\
	$(eval $(call linux_prog,$(USER_OUT)/$(p),user/apps/shm/$(p).c)))

# System tests: one program per user/tests/*.c, sharing the TAP helper.
# linux_abi_*.c are Linux programs (tables checked against Linux 6.1 by
# tools/linux-ref-tests.sh): built without the note or libferry.
USER_TEST_LIB := user/tests/tap.c user/tests/util.c
USER_TESTS := $(basename $(notdir $(filter-out $(USER_TEST_LIB), \
	$(wildcard user/tests/*.c))))
USER_TESTS_LINUX := $(filter linux_abi_%,$(USER_TESTS))
$(foreach t,$(filter-out $(USER_TESTS_LINUX),$(USER_TESTS)),\
	$(eval $(call user_prog,$(USER_OUT)/tests/$(t),\
		user/tests/$(t).c $(USER_TEST_LIB))))
$(foreach t,$(USER_TESTS_LINUX),\
	$(eval $(call linux_prog,$(USER_OUT)/tests/$(t),\
		user/tests/$(t).c user/tests/tap.c)))

# Children the tests spawn; "helpers/", so init does not run them as tests.
# helpers/tiny has no libc at all (spawn_exit_wait's child).
# helpers/lx_* are unmodified Linux programs (no note, no libferry).
USER_HELPERS := $(basename $(notdir $(wildcard user/tests/helpers/*.c)))
USER_HELPERS_LINUX := $(filter lx_%,$(USER_HELPERS))
$(foreach h,$(filter-out tiny $(USER_HELPERS_LINUX),$(USER_HELPERS)),\
	$(eval $(call user_prog,$(USER_OUT)/helpers/$(h),\
		user/tests/helpers/$(h).c)))
$(foreach h,$(USER_HELPERS_LINUX),\
	$(eval $(call linux_prog,$(USER_OUT)/helpers/$(h),\
		user/tests/helpers/$(h).c)))
$(USER_OUT)/helpers/tiny: user/tests/helpers/tiny.c
	@mkdir -p $(@D)
	$(say) CCLD $@
	$(Q)$(USER_CC) -static -O2 -nostdlib -o $@ $<
USER_HELPER_DATA := $(wildcard user/tests/helpers/*.txt)

# The initrd holds NAME=PATH pairs. PROG's value is kept in a stamp that
# changes only when PROG does, so the initrd follows `PROG=` changes.
INITRD := $(BUILD)/initrd.cpio
INITRD_TEST := $(INITRD)
INITRD_OWN_FILES := \
	$(foreach p,$(USER_PROGS),$(p)=$(USER_OUT)/$(p)) \
	$(foreach p,$(USER_LINUX_APPS),$(p)=$(USER_OUT)/$(p)) \
	$(foreach t,$(USER_TESTS),tests/$(t)=$(USER_OUT)/tests/$(t)) \
	$(foreach h,$(USER_HELPERS),helpers/$(h)=$(USER_OUT)/helpers/$(h)) \
	$(foreach d,$(USER_HELPER_DATA),helpers/$(notdir $(d))=$(d))
INITRD_FILES := $(INITRD_OWN_FILES) $(foreach p,$(PROG),$(notdir $(p))=$(p))
INITRD_PROG_STAMP := $(USER_OUT)/prog.stamp

$(INITRD_PROG_STAMP): user-prog-check
	@mkdir -p $(@D)
	@echo '$(PROG)' | cmp -s - $@ || echo '$(PROG)' > $@

# Each of PROG must be a static x86_64 executable whose name is free (and
# not another PROG's): refused here with the reason, not later by the
# loader (tools/check-prog.sh).
user-prog-check:
	$(if $(PROG),$(Q)tools/check-prog.sh '$(PROG)' \
		$(foreach f,$(INITRD_OWN_FILES),$(firstword $(subst =, ,$(f)))))

$(INITRD): tools/mkinitrd.sh tools/check-prog.sh $(INITRD_PROG_STAMP) \
		$(foreach f,$(INITRD_FILES),$(lastword $(subst =, ,$(f))))
	$(say) CPIO $@
	$(Q)tools/mkinitrd.sh $@ $(INITRD_FILES)

user: $(INITRD)

.PHONY: user user-prog-check
