#!/usr/bin/env bash
# Usage: tools/check-prog-test.sh — TAP checks of tools/check-prog.sh, the
# gate in front of `make run PROG=...` (tools/test.sh runs it). A static
# musl program passes; each kind of file the loader cannot run, and each
# name the initrd already has, is refused with its reason. Several
# programs (PROG="a b") pass together, each is checked, two of one name
# are refused, and the initrd make builds from them holds them all.
set -uo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
good_src=$BUILD/user/tests/linux_abi_io # plain static musl, no Ferry note
names=(init sh hello tests/cpu_state helpers/spinner)

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0
check() { # check WANT_STATUS WANT_TEXT FILE DESCRIPTION
	local out status=0
	out=$(tools/check-prog.sh "$3" "${names[@]}" 2>&1) || status=$?
	n=$((n + 1))
	if [ "$status" = "$1" ] && grep -q -- "$2" <<<"$out"; then
		echo "ok $n - check-prog: $4"
	else
		echo "not ok $n - check-prog: $4 (status $status: $out)"
	fi
}
# patch FILE OFFSET BYTE (octal): one byte of an ELF header.
patch() { printf "\\$3" | dd of="$1" bs=1 seek="$2" conv=notrunc status=none; }

cp "$good_src" "$tmp/myprog"
check 0 "" "$tmp/myprog" "a static x86_64 program passes"
cp "$good_src" "$tmp/hello"
check 1 "already has 'hello'" "$tmp/hello" "a name the initrd has is refused"
cp "$good_src" "$tmp/tests"
check 1 "already has 'tests'" "$tmp/tests" "a folder of the initrd is refused"
check 1 "no such file" "$tmp/none" "a missing file is refused"
echo 'echo hi' >"$tmp/script"
check 1 "not an ELF" "$tmp/script" "a script is refused"
cp "$good_src" "$tmp/pie" && patch "$tmp/pie" 16 003
check 1 "position-independent" "$tmp/pie" "an ET_DYN executable is refused"
cp "$good_src" "$tmp/arm" && patch "$tmp/arm" 18 267 # EM_AARCH64 = 183
check 1 "built for AArch64" "$tmp/arm" "another machine is refused"
cp "$good_src" "$tmp/elf32" && patch "$tmp/elf32" 4 001
check 1 "ELF32" "$tmp/elf32" "an ELF32 file is refused"
if printf 'int main(void){return 0;}\n' >"$tmp/d.c" &&
	gcc -o "$tmp/dyn" "$tmp/d.c" 2>/dev/null; then
	check 1 "dynamically linked" "$tmp/dyn" "a dynamic binary is refused"
fi

# Several at once: the first argument is the blank-separated list.
mkdir "$tmp/sub"
cp "$good_src" "$tmp/other"
cp "$good_src" "$tmp/sub/myprog"
check 0 "" "$tmp/myprog $tmp/other" "two programs pass together"
check 1 "another PROG is also named 'myprog'" "$tmp/myprog $tmp/sub/myprog" \
	"two programs of one name are refused"
check 1 "PROG=$tmp/script: not an ELF" "$tmp/myprog $tmp/script" \
	"a bad one among good ones is refused, by its name"
check 1 "already has 'hello'" "$tmp/other $tmp/hello" \
	"a taken name among several is refused"

# make builds the initrd with every PROG in it (in $tmp, so the build's
# own initrd and PROG stamp stay as they are).
n=$((n + 1))
if make -s BUILD="$BUILD" PROG="$tmp/myprog $tmp/other" \
	INITRD="$tmp/initrd.cpio" INITRD_PROG_STAMP="$tmp/prog.stamp" \
	"$tmp/initrd.cpio" >"$tmp/make.log" 2>&1 &&
	names=$(cpio -it --quiet <"$tmp/initrd.cpio") &&
	grep -qx myprog <<<"$names" && grep -qx other <<<"$names" &&
	grep -qx sh <<<"$names"; then
	echo "ok $n - check-prog: make puts every PROG=\"a b\" in the initrd"
else
	echo "not ok $n - check-prog: make puts every PROG=\"a b\" in the initrd" \
		"($(tail -3 "$tmp/make.log"))"
fi
echo "1..$n"
