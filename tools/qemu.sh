#!/usr/bin/env bash
# Usage: tools/qemu.sh run|test|console|bench|kfault|ksmap|ksmep|kdf|knmi|knmi-iret|debug
#
# The one place that owns QEMU's command line; `make run/test/bench/debug`
# all come here. The kernel command line (-append) is the mode, which the
# kernel hands to init as argv[1].
#
#   run    interactive shell on this terminal (Ctrl-A X quits QEMU)
#   test   system tests; the whole console log goes to stdout; killed
#          after QEMU_TIMEOUT seconds (default 600)
#   bench  -icount shift=0,sleep=off, so rdtsc counts guest instructions;
#          prints only the "bench ..." lines and the "# bench ..." lines
#          saying why a figure is missing (full log: $BUILD/bench.log)
#   kfault the kernel faults on purpose: checks the panic report and exit
#          status, printing TAP lines (full log: $BUILD/kfault.log)
#   ksmap  the kernel reads a user page outside the user-access layer:
#          SMAP must catch it (same checks; log $BUILD/ksmap.log)
#   ksmep  the kernel calls into a user page: SMEP must catch it
#   kdf    the kernel runs on an unmapped stack: the double fault must be
#          reported from its own stack (no triple fault, no reset)
#   knmi   the kernel sends itself an NMI: it must be reported and the
#          kernel must carry on to a clean poweroff
#   knmi-iret  an NMI at the iretq to user mode, after its swapgs: user
#          mode must still get its own GS base
#   console  run mode with the serial port on a pipe: tools/console-check.py
#          types at the shell (echo, backspace, Ctrl-C, Ctrl-D) and
#          prints TAP lines
#   debug  stops at the first instruction and waits for gdb on :1234
#
# The kernel powers off through isa-debug-exit, which makes QEMU exit with
# (code << 1) | 1: status 1 is a clean poweroff(0), mapped to 0 here.
# Anything else (a failure code, a triple fault that ends QEMU with 0
# under -no-reboot, a timeout) is reported and returned as a failure.
set -euo pipefail

mode=${1:-}
BUILD=${BUILD:-build}
QEMU_TIMEOUT=${QEMU_TIMEOUT:-600}

for f in "$BUILD/ferry.bin" "$BUILD/user/init" "$BUILD/initrd.cpio"; do
	if [ ! -f "$f" ]; then
		echo "qemu.sh: $f is missing; run make first" >&2
		exit 1
	fi
done

# The CPU: qemu64 (fixed, so instruction counts repeat) plus what the
# kernel uses where it exists: SMEP and SMAP (cpu_features.c), FSGSBASE
# (user rdfsbase/wrfsbase, as on Linux), RDRAND (entropy). TCG has all four.
# The RTC starts at the host's UTC time: CLOCK_REALTIME reads it at boot.
cpu=qemu64,+smep,+smap,+fsgsbase,+rdrand
qemu=(qemu-system-x86_64 -machine pc -cpu "$cpu" -m 256M -rtc base=utc -display none
	-no-reboot -device isa-debug-exit,iobase=0xf4,iosize=0x04
	-kernel "$BUILD/ferry.bin" -initrd "$BUILD/user/init,$BUILD/initrd.cpio"
	-append "${mode/#console/run}")

# Maps QEMU's exit status to ours and says what went wrong.
qemu_result() {
	local status=$1
	case $status in
	1) return 0 ;;
	124) echo "qemu.sh: TIMEOUT: no poweroff after ${QEMU_TIMEOUT}s" >&2 ;;
	0) echo "qemu.sh: QEMU exited without a poweroff (reset or triple fault?)" >&2 ;;
	*)
		if [ $((status & 1)) -eq 1 ] && [ "$status" -lt 256 ]; then
			echo "qemu.sh: kernel powered off with code $((status >> 1))" \
				"(QEMU status $status)" >&2
		else
			echo "qemu.sh: QEMU failed with status $status" >&2
		fi
		;;
	esac
	return 1
}

status=0
case $mode in
run)
	"${qemu[@]}" -serial mon:stdio || status=$?
	# Quitting from the monitor (Ctrl-A X) is a normal end too.
	[ "$status" -eq 0 ] || qemu_result "$status"
	;;
console)
	timeout "$QEMU_TIMEOUT" tools/console-check.py "${qemu[@]}" -serial stdio
	;;
test)
	timeout "$QEMU_TIMEOUT" "${qemu[@]}" -serial stdio </dev/null ||
		status=$?
	qemu_result "$status"
	;;
bench)
	log=$BUILD/bench.log
	timeout "$QEMU_TIMEOUT" "${qemu[@]}" -icount shift=0,sleep=off \
		-serial stdio </dev/null >"$log" || status=$?
	# -a: one stray NUL in the log would make grep call it binary and
	# print no figure at all.
	tr -d '\r' <"$log" | grep -aE '^(# )?bench ' || true
	qemu_result "$status" || { echo "qemu.sh: full log in $log" >&2; exit 1; }
	;;
kfault | ksmap | ksmep | kdf)
	# The kernel faults on purpose (boot option of the same name): the
	# report must name the fault (and for ksmap/ksmep the protection
	# that caught it), and QEMU must exit with the panic status.
	log=$BUILD/$mode.log
	timeout "$QEMU_TIMEOUT" "${qemu[@]}" -serial stdio </dev/null >"$log" ||
		status=$?
	tap() { if eval "$1"; then echo "ok - $mode: $2"; else echo "not ok - $mode: $2"; fi; }
	case $mode in
	kfault) addr=00000000dead0000 rip=ffffffff8 cause= ;;
	kdf) addr=ffff808000000ff8 rip=ffffffff8 cause= ;;
	ksmap) addr=0000000000400000 rip=ffffffff8 cause="cause: SMAP: the kernel touched a user page outside the user-access layer" ;;
	ksmep) addr=0000000000400000 rip=0000000000400000 cause="cause: SMEP: the kernel executed a user page" ;;
	esac
	tap '[ "$status" -eq 255 ]' "QEMU exits with the panic status (got $status)"
	fault="page fault (vector 14)"
	[ "$mode" = kdf ] && fault="double fault (vector 8)"
	tap 'grep -q "KERNEL PANIC: $fault in kernel mode" "$log"' "the report names the fault ($fault)"
	tap 'grep -q "fault address $addr" "$log"' "the report gives the fault address"
	tap 'grep -q "rip $rip" "$log" && grep -q "r15 " "$log"' "the report dumps the registers"
	if [ -n "$cause" ]; then
		tap 'grep -q "$cause" "$log"' "the report names the cause (${cause#cause: })"
	fi
	;;
knmi-iret)
	# An NMI exactly at the iretq to user mode, after its swapgs: the
	# user code then reads its GS base and faults; the report must show
	# the user's base (0x5a5a5a5a5000), not the kernel's.
	log=$BUILD/knmi-iret.log
	timeout "$QEMU_TIMEOUT" "${qemu[@]}" -serial stdio </dev/null >"$log" ||
		status=$?
	tap() { if eval "$1"; then echo "ok - knmi-iret: $2"; else echo "not ok - knmi-iret: $2"; fi; }
	iret=$(nm "$BUILD/ferry.elf" | awk '$3 == "iretq_insn" {print $1}')
	tap '[ -n "$iret" ] && grep -q "NMI received at rip $iret" "$log"' "the NMI arrives at iretq_insn ($iret)"
	tap 'grep -q "KERNEL PANIC: invalid opcode (vector 6) in user mode" "$log"' "the user code runs and reports"
	tap 'grep -q "rax 00005a5a5a5a5000" "$log"' "user mode has its own GS base, not the kernel's"
	;;
knmi)
	log=$BUILD/knmi.log
	timeout "$QEMU_TIMEOUT" "${qemu[@]}" -serial stdio </dev/null >"$log" ||
		status=$?
	tap() { if eval "$1"; then echo "ok - knmi: $2"; else echo "not ok - knmi: $2"; fi; }
	tap '[ "$status" -eq 1 ]' "QEMU exits with a clean poweroff (got $status)"
	tap 'grep -q "NMI received at rip" "$log"' "the NMI is reported"
	tap 'grep -q "knmi: the kernel carried on" "$log" && ! grep -q PANIC "$log"' "the kernel carries on"
	;;
debug)
	echo "qemu.sh: waiting for gdb. In another terminal:"
	echo "    gdb $BUILD/ferry.elf -ex 'target remote :1234'"
	echo "(Ctrl-A X quits QEMU)"
	"${qemu[@]}" -serial mon:stdio -s -S || status=$?
	[ "$status" -eq 0 ] || qemu_result "$status"
	;;
*)
	echo "usage: $0 run|test|bench|kfault|ksmap|ksmep|kdf|knmi|knmi-iret|debug" >&2
	exit 2
	;;
esac
