#!/usr/bin/env bash
# Runs the Linux-ABI table tests (user/tests/linux_abi_*.c) under real Linux
# 6.1, to check that the values written in them are Linux's. Each program is
# built exactly as for Ferry's initrd (static musl, no libferry, no Ferry
# note) and run by the reference runner; every line must be "ok".
#
#   tools/linux-ref-tests.sh [NAME...]      (default: every linux_abi_*)
#   env: LINUX_REF (default /work/shared/linux-ref/run.sh; any runner with
#        its interface: run.sh PROG, prints the output, exits with its status)
set -euo pipefail
cd "$(dirname "$0")/.."
ref=${LINUX_REF:-/work/shared/linux-ref/run.sh}
out=build/linux-ref
mkdir -p "$out"
names=("$@")
[ ${#names[@]} -gt 0 ] || names=($(cd user/tests && ls linux_abi_*.c | sed 's/\.c$//'))
fail=0
for n in "${names[@]}"; do
	musl-gcc -static -O2 -Wall -Iinclude -Iuser/lib -o "$out/$n" \
		"user/tests/$n.c" user/tests/tap.c
	log="$out/$n.log"
	status=0
	"$ref" "$out/$n" >"$log" 2>&1 || status=$?
	bad=$(grep -c '^not ok' "$log" || true)
	good=$(grep -c '^ok' "$log" || true)
	if [ "$status" != 0 ] || [ "$bad" != 0 ] || [ "$good" = 0 ]; then
		echo "linux-ref: $n: $good ok, $bad not ok, exit $status (see $log)"
		grep '^not ok' "$log" || true
		fail=1
	else
		echo "linux-ref: $n: all $good ok under Linux"
	fi
done
exit $fail
