#!/usr/bin/env bash
# Usage: tools/run-unit.sh [DIR] — runs every test_* binary in DIR
# (default build/unit), adds up cmocka's results and ends with
#   unit: N passed, M failed
# A binary that crashes or exits non-zero without a cmocka failure line
# (an ASan report, say) counts as one failure. Exits non-zero on any failure.
set -uo pipefail

dir=${1:-${BUILD:-build}/unit}
passed=0
failed=0
ran=0

for t in "$dir"/test_*; do
	[ -f "$t" ] && [ -x "$t" ] || continue
	ran=$((ran + 1))
	out=$(CMOCKA_MESSAGE_OUTPUT=stdout "$t" 2>&1)
	rc=$?
	printf '%s\n' "$out"

	p=$(printf '%s\n' "$out" | sed -n 's/^\[  PASSED  \] \([0-9]*\) test(s)\..*/\1/p' |
		awk '{ s += $1 } END { print s + 0 }')
	f=$(printf '%s\n' "$out" | sed -n 's/^\[  FAILED  \] \([0-9]*\) test(s).*/\1/p' |
		awk '{ s += $1 } END { print s + 0 }')
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "unit: $(basename "$t") exited with status $rc"
		f=1
	fi
	passed=$((passed + p))
	failed=$((failed + f))
done

if [ "$ran" -eq 0 ]; then
	echo "unit: no test binaries in $dir"
	failed=$((failed + 1))
fi
echo "unit: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
