#!/usr/bin/env bash
# Extract the few files we need from Debian's linux-source-6.1 tarball
# into $BUILD/linux-src (once): checkpatch.pl with its data files, and
# drivers/dma/dmatest.c. Prints the folder.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$top/build}
out=$BUILD/linux-src
tarball=$(ls /usr/src/linux-source-*.tar.xz 2>/dev/null | sort -V | tail -n1)
[ -n "$tarball" ] || { echo "linux-source is not installed; run 'make deps'" >&2; exit 1; }
if [ ! -f "$out/.done" ]; then
	rm -rf "$out"
	mkdir -p "$out"
	base=$(basename "$tarball" .tar.xz)
	tar -xJf "$tarball" -C "$out" --strip-components=1 \
		"$base/scripts/checkpatch.pl" "$base/scripts/spelling.txt" \
		"$base/scripts/const_structs.checkpatch" \
		"$base/drivers/dma/dmatest.c"
	touch "$out/.done"
fi
echo "$out"
