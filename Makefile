# Ferry: the top-level build. Each part of the tree owns a build.mk
# fragment; this file only ties them together.
#
#   make          kernel and initrds
#   make run      boot Ferry to its shell on this terminal (serial console)
#   make test     hosted unit tests + system tests in QEMU; ends "N passed, M failed"
#   make bench    instruction counts under -icount (bench <name> insns_per_op=<N>)
#   make debug    boot and wait for gdb on :1234 (see README)
#   make format   clang-format every tracked C file in place
#   make format-check  fail if any tracked C file is not formatted
#   V=1           print full command lines instead of "  CC file"

BUILD ?= build
.DEFAULT_GOAL := all
.SUFFIXES:
.DELETE_ON_ERROR:

include mk/quiet.mk
include mk/deps.mk
include kernel/build.mk
include user/build.mk
include tests/unit/build.mk

all: $(KERNEL_BIN) $(INITRD) $(INITRD_TEST)

run: deps all
	tools/qemu.sh run

debug: deps all
	tools/qemu.sh debug

test: deps all $(UNIT_TEST_BIN)
	tools/test.sh

bench: deps all
	tools/qemu.sh bench

FORMAT_FILES = $(shell git ls-files '*.c' '*.h')

format: format-deps
	clang-format -i $(FORMAT_FILES)

# Checks the tree against .clang-format without changing it; CI runs it.
format-check: format-deps
	$(say) FORMAT "$(words $(FORMAT_FILES)) files"
	$(Q)clang-format --dry-run -Werror $(FORMAT_FILES)

clean:
	rm -rf $(BUILD)

.PHONY: all run debug test bench format format-check clean
