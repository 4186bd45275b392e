#!/usr/bin/env bash
# Usage: tools/deps.sh PKG... — make sure the Debian packages are installed.
set -euo pipefail
missing=()
for p in "$@"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -eq 0 ]; then
	echo "deps: installing ${missing[*]}"
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
else
	echo "deps: missing Debian packages. Run:"
	echo "  sudo apt-get update && sudo apt-get install -y ${missing[*]}"
	exit 1
fi
