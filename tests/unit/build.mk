include tests/unit/kernel_srcs.mk
# Hosted unit tests: the real kernel sources, compiled for the host with
# ASan/UBSan and linked with cmocka.
#
# Each tests/unit/test_X.c becomes $(BUILD)/unit/test_X. To link kernel
# files into it, list them (from anywhere in the makefiles, before or after
# this fragment) as
#   UNIT_SRCS_test_X := kernel/mm/frame.c kernel/lib/printk.c
# Optional: UNIT_DEPS_test_X (files the test reads at run time) and
# UNIT_CFLAGS_<source path> (extra flags for that one file).
#
# libferry's pure files (user/lib/*.c that make no system call: the ELF
# checks and stack building procmgr uses) are tested the same way: list
# them in UNIT_SRCS_test_X like kernel files. They include <ferry/...>
# (user/lib) and the host libc's headers, as musl's under Ferry.
#
# kernel/lib/string.c would clash with the host's libc, so it is built with
# its functions renamed (memcpy -> kmemcpy, ...) and only test_string
# links it.

UNIT_DIR := $(BUILD)/unit
UNIT_OBJ := $(UNIT_DIR)/obj
UNIT_FIXTURES := $(UNIT_DIR)/fixtures

UNIT_CC ?= cc
UNIT_CFLAGS := -std=gnu11 -g -O1 -Wall -Wextra -Werror=implicit-function-declaration \
	-fsanitize=address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer \
	-Ikernel -Iinclude -Ikernel/arch/host -Itests/unit -Iuser/lib \
	-DUNIT_FIXTURES='"$(abspath $(UNIT_FIXTURES))"'
UNIT_LDFLAGS := -fsanitize=address,undefined
UNIT_LDLIBS := -lcmocka

UNIT_TESTS := $(patsubst tests/unit/%.c,%,$(wildcard tests/unit/test_*.c))
UNIT_TEST_BIN := $(UNIT_TESTS:%=$(UNIT_DIR)/%)
UNIT_STUBS := $(UNIT_OBJ)/tests/unit/host_stubs.o

UNIT_KSTRING := $(foreach f,memset memcpy memmove memcmp strlen strnlen \
	strcmp strncmp strlcpy,-D$(f)=k$(f))
UNIT_CFLAGS_kernel/lib/string.c := $(UNIT_KSTRING)
UNIT_CFLAGS_tests/unit/test_string.c := $(UNIT_KSTRING)

UNIT_SRCS_test_string := kernel/lib/string.c
UNIT_SRCS_test_printk := kernel/lib/printk.c kernel/lib/printk_out.c \
	kernel/lib/lock.c
UNIT_SRCS_test_lock := kernel/lib/lock.c kernel/lib/printk.c \
	kernel/lib/printk_out.c
UNIT_SRCS_test_elf := kernel/lib/elf.c
UNIT_DEPS_test_elf := $(UNIT_FIXTURES)/hello $(UNIT_FIXTURES)/hello_native
UNIT_SRCS_test_elf_load := user/lib/elf_parse.c tests/unit/elf_image.c
UNIT_SRCS_test_elf_load_real := $(UNIT_SRCS_test_elf_load)
UNIT_SRCS_test_stack_build := user/lib/stack_build.c user/lib/elf_parse.c \
	user/lib/initcaps.c
# The build's own programs too: native ones and a plain Linux one.
UNIT_REAL_ELFS := $(USER_OUT)/init $(USER_OUT)/sh $(USER_OUT)/console \
	$(USER_OUT)/hello $(USER_OUT)/tests/linux_abi_misc
UNIT_DEPS_test_elf_load_real := $(UNIT_FIXTURES)/hello $(UNIT_FIXTURES)/hello_native \
	$(UNIT_REAL_ELFS)
UNIT_CFLAGS_tests/unit/test_elf_load_real.c := \
	-DUNIT_REAL_ELFS='"$(abspath $(UNIT_REAL_ELFS))"'

unit_objs = $(patsubst %.c,$(UNIT_OBJ)/%.o,$(1))

# Objects are found through the pattern rule only; keep them between runs.
.PRECIOUS: $(UNIT_OBJ)/%.o

$(UNIT_OBJ)/%.o: %.c
	@mkdir -p $(@D)
	$(say) HOSTCC $<
	$(Q)$(UNIT_CC) $(UNIT_CFLAGS) $(UNIT_CFLAGS_$<) \
		-MMD -MP -c -o $@ $<

# Second expansion lets UNIT_SRCS_test_X be defined after this rule.
.SECONDEXPANSION:
$(UNIT_DIR)/test_%: $(UNIT_OBJ)/tests/unit/test_%.o $(UNIT_STUBS) \
		$$(call unit_objs,$$(UNIT_SRCS_test_$$*)) $$(UNIT_DEPS_test_$$*)
	$(say) HOSTLD $@
	$(Q)$(UNIT_CC) $(UNIT_LDFLAGS) -o $@ $(filter %.o,$^) $(UNIT_LDLIBS)

# A real static musl executable, for the ELF parser to chew on.
$(UNIT_FIXTURES)/hello: tests/unit/fixtures/hello.c
	@mkdir -p $(@D)
	$(say) CCLD $@
	$(Q)musl-gcc -static -O2 -o $@ $<

# The same program as a native Ferry one: with the Ferry ELF note.
$(UNIT_FIXTURES)/hello_native: tests/unit/fixtures/hello.c \
		user/lib/note/native_note.c include/uapi/ferry/elf_note.h
	@mkdir -p $(@D)
	musl-gcc -static -O2 -Iinclude -o $@ $< user/lib/note/native_note.c

# A real archive written by cpio(1), holding the executable above, a
# directory, an empty file, a symlink (skipped) and a nested file.
$(UNIT_FIXTURES)/root.cpio: $(UNIT_FIXTURES)/hello
	$(say) CPIO $@
	$(Q)rm -rf $(UNIT_FIXTURES)/root && mkdir -p $(UNIT_FIXTURES)/root/etc
	$(Q)cp $< $(UNIT_FIXTURES)/root/hello
	$(Q)printf 'ferry\n' > $(UNIT_FIXTURES)/root/etc/motd
	$(Q): > $(UNIT_FIXTURES)/root/empty
	$(Q)ln -s hello $(UNIT_FIXTURES)/root/link
	$(Q)cd $(UNIT_FIXTURES)/root && find . | LC_ALL=C sort | \
		cpio --quiet -o -H newc > ../root.cpio

unit-test: $(UNIT_TEST_BIN)
	tools/run-unit.sh $(UNIT_DIR)

.PHONY: unit-test

-include $(wildcard $(UNIT_OBJ)/*/*.d $(UNIT_OBJ)/*/*/*.d $(UNIT_OBJ)/*/*/*/*.d)
