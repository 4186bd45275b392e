#!/usr/bin/env bash
# Usage: tools/test.sh — what `make test` runs (after building everything).
# 1. the hosted unit tests (tools/run-unit.sh), log in $BUILD/unit-test.log;
# 2. the system tests in QEMU (tools/qemu.sh test), log in
#    $BUILD/system-test.log;
# 3. tools/collect.py over both, whose last line is "N passed, M failed".
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

echo "== kernel fault report"
tools/qemu.sh kfault 2>&1 | tee "$BUILD/kfault-tap.log"

echo "== results"
tools/collect.py --unit "$unit_log" --system "$system_log" \
	--tap "$BUILD/kfault-tap.log" --qemu-status "$qemu_status"
