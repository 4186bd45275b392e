# The kernel: every .c and .S under kernel/ except the hosted arch.
KERNEL_ELF := $(BUILD)/ferry.elf
KERNEL_BIN := $(BUILD)/ferry.bin

KERNEL_SRCS := $(shell find kernel -name '*.c' -o -name '*.S' | grep -v '^kernel/arch/host/' | sort)
KERNEL_OBJS := $(patsubst %,$(BUILD)/k/%.o,$(KERNEL_SRCS))

KCC := gcc
# IPC_FASTPATH=0 builds the kernel with the general IPC path only.
IPC_FASTPATH ?= 1
KCFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Werror -Wno-unused-parameter \
	-ffreestanding -fno-builtin -nostdinc -fno-stack-protector -fno-pic \
	-fno-pie -mno-red-zone -mcmodel=kernel -mgeneral-regs-only \
	-fno-omit-frame-pointer -fno-asynchronous-unwind-tables \
	-isystem $(shell $(KCC) -print-file-name=include) \
	-Ikernel -Ikernel/arch/x86_64 -Iinclude -MMD -MP \
	-DIPC_FASTPATH=$(IPC_FASTPATH)

# The IPC round trip's own code and the syscall dispatch keep no frame
# pointer: two instructions in each of the fast call, the fast return, the
# switch and every syscall (nothing in the kernel walks %rbp; gdb unwinds
# by the -g frame tables).
$(BUILD)/k/kernel/ipc/fastpath.c.o $(BUILD)/k/kernel/arch/x86_64/thread.c.o \
$(BUILD)/k/kernel/syscall/syscall.c.o: KCFLAGS += -fomit-frame-pointer

# The dispatch calls every syscall: keeping the stack 16-aligned for it
# cost a sub and an add on each. The kernel uses no SSE
# (-mgeneral-regs-only), so nothing in it needs more than 8 (Linux builds
# x86_64 with -mpreferred-stack-boundary=3 throughout).
$(BUILD)/k/kernel/syscall/syscall.c.o: KCFLAGS += -mpreferred-stack-boundary=3

$(BUILD)/k/%.c.o: %.c
	@mkdir -p $(dir $@)
	$(say) CC $<
	$(Q)$(KCC) $(KCFLAGS) -c $< -o $@

$(BUILD)/k/%.S.o: %.S
	@mkdir -p $(dir $@)
	$(say) AS $<
	$(Q)$(KCC) $(KCFLAGS) -D__ASSEMBLER__ -c $< -o $@

$(KERNEL_ELF): $(KERNEL_OBJS) kernel/arch/x86_64/linker.ld
	$(say) LD $@
	$(Q)ld -nostdlib --no-warn-rwx-segments -z max-page-size=4096 -T kernel/arch/x86_64/linker.ld -o $@ $(KERNEL_OBJS)

# QEMU's Multiboot loader takes no ELF64: boot a flat image (a.out kludge).
$(KERNEL_BIN): $(KERNEL_ELF)
	$(say) OBJCOPY $@
	$(Q)objcopy -O binary $< $@

-include $(KERNEL_OBJS:.o=.d)
