#!/usr/bin/env bash
# Usage: tools/test.sh — what `make test` runs (after building everything).
# 1. the hosted unit tests (tools/run-unit.sh), log in $BUILD/unit-test.log;
# 2. the system tests in QEMU (tools/qemu.sh test), log in
#    $BUILD/system-test.log;
# 3. the same system tests on a kernel built with IPC_FASTPATH=0, log in
#    $BUILD/nofast/system-test.log;
# 4. the kernel-fault report checks (tools/qemu.sh kfault, ksmap, ksmep, kdf,
#    knmi, knmi-iret);
# 5. the checks of `make run PROG=...`'s gate (tools/check-prog-test.sh);
# 6. the interactive console, scripted (tools/qemu.sh console: echo,
#    backspace, Ctrl-C, exit statuses, background jobs, Ctrl-D at the shell);
# 7. tools/collect.py over all of them, whose last line is
#    "N passed, M failed".
# Exits non-zero if anything failed, crashed or timed out.
set -uo pipefail
cd "$(dirname "$0")/.."

BUILD=${BUILD:-build}
export BUILD
unit_log=$BUILD/unit-test.log
system_log=$BUILD/system-test.log
mkdir -p "$BUILD"

echo "== unit tests"
if [ -x tools/run-unit.sh ]; then
	tools/run-unit.sh 2>&1 | tee "$unit_log"
else
	echo "tools/run-unit.sh is missing" | tee "$unit_log"
fi

echo "== system tests"
tools/qemu.sh test 2>&1 | tee "$system_log"
qemu_status=${PIPESTATUS[0]}

# The same system tests on a kernel without the IPC fast path: both
# paths must give the same answers (docs/ipc.md).
nofast=$BUILD/nofast
nofast_log=$nofast/system-test.log
echo "== system tests, IPC fast path off"
mkdir -p "$nofast"
make -s BUILD="$nofast" IPC_FASTPATH=0 "$nofast/ferry.bin" &&
	mkdir -p "$nofast/user" &&
	cp "$BUILD/user/init" "$nofast/user/init" &&
	cp "$BUILD/initrd.cpio" "$nofast/initrd.cpio"
BUILD=$nofast tools/qemu.sh test >"$nofast_log" 2>&1
nofast_status=$?
grep -E "^(not ok|# system)" "$nofast_log" || true

echo "== kernel fault reports"
for m in kfault ksmap ksmep kdf knmi knmi-iret; do
	tools/qemu.sh $m 2>&1
done | tee "$BUILD/kfault-tap.log"

echo "== PROG checks"
tools/check-prog-test.sh 2>&1 | tee "$BUILD/prog-check-tap.log"

echo "== interactive console"
tools/qemu.sh console 2>&1 | tee "$BUILD/console-tap.log"

echo "== results"
tools/collect.py --unit "$unit_log" --system "$system_log" \
	--system "$nofast_log" --tap "$BUILD/kfault-tap.log" \
	--tap "$BUILD/prog-check-tap.log" --tap "$BUILD/console-tap.log" \
	--qemu-status "$qemu_status" --qemu-status "$nofast_status"
