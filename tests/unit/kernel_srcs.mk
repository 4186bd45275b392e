# Kernel sources for the hosted tests of memory and objects. Objects
# reach every other object type through object.c's destroy table, so any
# test touching one links the whole core; the memory tests link it too,
# since the shared fixture (kernel_env.c) counts live objects. IPC
# objects are among those types, so all of kernel/ipc/ comes along; when
# object.c learns a type living elsewhere, add its file here.

UNIT_KERNEL_CORE := kernel/arch/host/host.c kernel/arch/host/clock.c \
	kernel/mm/frame.c kernel/mm/kmalloc.c kernel/mm/budget.c kernel/mm/oom.c \
	kernel/mm/pgtable.c \
	kernel/mm/vmspace.c kernel/mm/vmtree.c kernel/mm/uaccess.c \
	kernel/object/object.c kernel/object/cap_group.c \
	kernel/object/cap_group_life.c \
	kernel/object/thread.c kernel/object/pmo.c \
	kernel/object/sched_context.c kernel/object/task_id.c \
	kernel/lib/id_alloc.c kernel/syscall/linux/state.c \
	kernel/syscall/linux/forward.c kernel/lib/console.c kernel/sched/sched.c \
	kernel/syscall/linux/shm.c kernel/syscall/linux/shm_ids.c \
	kernel/sched/cputime.c kernel/sched/timeout.c kernel/lib/time.c \
	kernel/lib/printk.c kernel/lib/printk_out.c kernel/lib/lock.c \
	$(wildcard kernel/ipc/*.c) kernel/syscall/ipc_args.c \
	kernel/syscall/sys_ipc.c \
	tests/unit/kernel_env.c

UNIT_SRCS_test_frame := $(UNIT_KERNEL_CORE)
UNIT_SRCS_test_kmalloc := $(UNIT_KERNEL_CORE)
UNIT_SRCS_test_pgtable := $(UNIT_KERNEL_CORE)
UNIT_SRCS_test_vmspace := $(UNIT_KERNEL_CORE)
UNIT_SRCS_test_pmo := $(UNIT_KERNEL_CORE)
UNIT_SRCS_test_vm_advise := $(UNIT_KERNEL_CORE) kernel/mm/vm_advise.c
UNIT_SRCS_test_cap := $(UNIT_KERNEL_CORE)
UNIT_SRCS_test_cap_slots := $(UNIT_KERNEL_CORE)
UNIT_SRCS_test_uaccess := $(UNIT_KERNEL_CORE)

# The IPC tests drive the protocol thread by thread through a fixture.
UNIT_IPC_SRCS := $(UNIT_KERNEL_CORE) tests/unit/ipc_env.c
UNIT_SRCS_test_ipc_register := $(UNIT_IPC_SRCS)
UNIT_SRCS_test_ipc_call := $(UNIT_IPC_SRCS)
UNIT_SRCS_test_ipc_death := $(UNIT_IPC_SRCS)
UNIT_SRCS_test_ipc_fastpath := $(UNIT_IPC_SRCS)
# ... and sys_thread_set_prio on a waiter.
UNIT_SRCS_test_ipc_wait := $(UNIT_IPC_SRCS) kernel/syscall/sys_thread.c \
	kernel/syscall/sys_cap.c
UNIT_SRCS_test_ipc_kcall := $(UNIT_IPC_SRCS)
UNIT_SRCS_test_linux_forward := $(UNIT_IPC_SRCS)
UNIT_SRCS_test_id_alloc := $(UNIT_KERNEL_CORE)

# The Linux personality's own state: unsupported-call reports, names,
# signal actions.
UNIT_SRCS_test_linux_state := $(UNIT_KERNEL_CORE) \
	kernel/syscall/linux/unsupported.c kernel/syscall/linux/names.c

# Time and entropy: the generic code over the hosted clock.
UNIT_SRCS_test_time := kernel/lib/time.c kernel/arch/host/clock.c \
	kernel/lib/printk.c kernel/lib/printk_out.c kernel/lib/lock.c
UNIT_SRCS_test_random := kernel/lib/chacha20.c kernel/lib/random.c \
	kernel/lib/time.c kernel/arch/host/clock.c \
	kernel/lib/printk.c kernel/lib/printk_out.c kernel/lib/lock.c

# Priorities with a ceiling, kills, unreachable passive threads: the core
# and the syscall checks above it.
UNIT_SRCS_test_thread_life := $(UNIT_KERNEL_CORE) \
	kernel/syscall/sys_thread.c kernel/syscall/sys_cap.c
UNIT_SRCS_test_budget := $(UNIT_KERNEL_CORE)

# The file server's parts (user/servers/fs): pure C, no system calls.
UNIT_FS_SRCS := $(filter-out user/servers/fs/fs.c user/servers/fs/ops.c, \
	$(wildcard user/servers/fs/*.c))
UNIT_SRCS_test_fs_cpio := $(UNIT_FS_SRCS)
UNIT_DEPS_test_fs_cpio = $(UNIT_FIXTURES)/root.cpio
UNIT_SRCS_test_fs_tmpfs := $(UNIT_FS_SRCS)

# The initrd handed to init as a PMO.
UNIT_SRCS_test_initrd_pmo := $(UNIT_KERNEL_CORE) kernel/object/initrd_pmo.c

# Notification objects and their syscall glue (the rights checks).
UNIT_SRCS_test_notification := $(UNIT_IPC_SRCS) kernel/syscall/sys_notify.c

# Death watches: the lists, and what a cap names (sys_cap_info's DEAD bit).
UNIT_SRCS_test_death_watch := $(UNIT_IPC_SRCS) kernel/syscall/sys_cap.c
# System V shm's id and key table: pure bookkeeping.
UNIT_SRCS_test_shm_ids := kernel/syscall/linux/shm_ids.c
# Regions tied to what counts them (shm's nattch).
UNIT_SRCS_test_vm_tie := $(UNIT_KERNEL_CORE)
# The name server's tables and name rules (user/servers/nameserver).
UNIT_SRCS_test_ns_registry := user/servers/nameserver/registry.c
# The region index alone (its regions are plain structs).
UNIT_SRCS_test_vmtree := kernel/mm/vmtree.c
