# Installs the Debian packages Ferry needs when one is missing. As root it
# runs apt-get itself; otherwise it prints the exact command and stops.
DEPS_PKGS := gcc make binutils qemu-system-x86 musl-tools libcmocka-dev cpio python3
DEPS_STAMP := $(BUILD)/.deps-ok

deps: $(DEPS_STAMP)

$(DEPS_STAMP): mk/deps.mk tools/deps.sh
	@tools/deps.sh $(DEPS_PKGS)
	@mkdir -p $(BUILD) && touch $@

# `make format` and `make format-check` need clang-format too (Debian's
# version 14 is what .clang-format is written for).
format-deps:
	@tools/deps.sh clang-format

.PHONY: deps format-deps
