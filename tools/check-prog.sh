#!/usr/bin/env bash
# Usage: tools/check-prog.sh 'PROG...' NAME...
# Checks the binaries given as `make run PROG=...` (one, or several
# separated by blanks, as PROG="a b c") before they go into the initrd,
# so that a file Ferry cannot run is refused here, with the reason,
# instead of failing later in the shell. NAME... are the initrd's other
# names: each PROG goes in under its basename, which must not be one of
# them (nor the folder of one: "tests", "helpers"), nor another PROG's.
#
# Ferry's loader (kernel/lib/elf.c) takes static, non-PIE x86_64 ELF
# executables: ELF64, EM_X86_64, ET_EXEC, no PT_INTERP.
set -euo pipefail

[ $# -ge 1 ] || { echo "usage: $0 'PROG...' NAME..." >&2; exit 2; }
read -r -a progs <<<"$1"
shift
[ ${#progs[@]} -ge 1 ] || { echo "PROG is empty" >&2; exit 1; }

# Two PROGs of one basename would take the same initrd name.
seen=()
for p in "${progs[@]}"; do
	b=$(basename -- "$p")
	for s in "${seen[@]+"${seen[@]}"}"; do
		if [ "$s" = "$b" ]; then
			echo "PROG=$p: another PROG is also named '$b';" \
				"copy one to another name" >&2
			exit 1
		fi
	done
	seen+=("$b")
done

check_one() { # check_one PROG NAME...
	local prog=$1 base hint hdr class machine type interp name
	shift
	base=$(basename -- "$prog")
	fail() {
		echo "PROG=$prog: $*" >&2
		exit 1
	}
	hint="build it with: musl-gcc -static -O2 -o $base SOURCE.c"

	[ -e "$prog" ] || fail "no such file"
	[ -f "$prog" ] || fail "not a regular file"
	[ -r "$prog" ] || fail "cannot read it"
	for name in "$@"; do
		if [ "$name" = "$base" ] || [ "${name%%/*}" = "$base" ]; then
			fail "the initrd already has '${name%%/*}'; copy the binary" \
				"to another name (e.g. my$base) and use that"
		fi
	done

	[ "$(head -c 4 -- "$prog" | od -An -c | tr -d ' ')" = '177ELF' ] ||
		fail "not an ELF executable; Ferry runs static x86_64 ELF binaries ($hint)"

	hdr=$(LC_ALL=C readelf -h -- "$prog" 2>/dev/null) || fail "readelf cannot read its ELF header"
	field() { sed -n "s/^ *$1: *//p" <<<"$hdr"; }
	class=$(field Class)
	machine=$(field Machine)
	type=$(field Type)
	[ "$class" = ELF64 ] && [ "$machine" = "Advanced Micro Devices X86-64" ] ||
		fail "built for $machine ($class); Ferry runs x86_64 (ELF64) binaries only"

	interp=$(LC_ALL=C readelf -l -- "$prog" 2>/dev/null |
		sed -n 's/.*\[Requesting program interpreter: \(.*\)\]/\1/p')
	[ -z "$interp" ] ||
		fail "dynamically linked (interpreter $interp); Ferry has no dynamic" \
			"loader, so the binary must be static ($hint)"
	case $type in
	EXEC*) ;;
	DYN*) fail "a position-independent executable (ET_DYN, e.g. -static-pie);" \
		"Ferry loads only fixed-address ones ($hint)" ;;
	*) fail "not an executable (ELF type: $type)" ;;
	esac
}

for p in "${progs[@]}"; do
	check_one "$p" "$@"
done
