# A quiet build: each step prints one short line ("  CC      kernel/ipc/call.c",
# "  LD      build/ferry.elf"); `make V=1` prints the full commands instead,
# and `make -s` nothing at all.
#
# In a recipe:
#	$(say) CC $<
#	$(Q)$(KCC) $(KCFLAGS) -c $< -o $@
# With V=1, $(say) prints nothing and $(Q) hides nothing.
V ?= 0
ifeq ($(V),1)
Q :=
say := @:
else
Q := @
say := @printf '  %-7s %s\n'
endif
# -s shows up as an "s" in the first word of MAKEFLAGS (as kbuild checks).
ifneq ($(findstring s,$(firstword -$(MAKEFLAGS))),)
say := @:
endif
