#!/usr/bin/env bash
# Usage: tools/mkinitrd.sh OUT.cpio NAME=PATH...
# Builds the initial RAM disk: a "newc" cpio archive (what the kernel's
# lib/cpio.c reads) holding each PATH under NAME, names without a leading
# "./", in sorted order, with fixed times and inode numbers so the same
# inputs give the same bytes.
set -euo pipefail

[ $# -ge 1 ] || { echo "usage: $0 OUT.cpio NAME=PATH..." >&2; exit 2; }
out=$1
shift

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT

for pair in "$@"; do
	name=${pair%%=*}
	path=${pair#*=}
	case "$name" in
	"" | /* | *..*) echo "mkinitrd: bad name '$name'" >&2; exit 1 ;;
	esac
	[ -f "$path" ] || { echo "mkinitrd: $path: no such file" >&2; exit 1; }
	[ ! -e "$stage/$name" ] || { echo "mkinitrd: '$name' given twice" >&2; exit 1; }
	mkdir -p "$stage/$(dirname "$name")"
	cp "$path" "$stage/$name"
	touch -h -d @0 "$stage/$name"
done

mkdir -p "$(dirname "$out")"
(cd "$stage" && find . -type f | sed 's|^\./||' | LC_ALL=C sort |
	cpio -o -H newc --quiet --reproducible) >"$out.tmp"
mv "$out.tmp" "$out"
