#!/usr/bin/env bash
# Build the debug guest kernel (KASAN, lockdep, DMA-API debug, debug
# objects, fault injection, gcov) from Debian's linux-source-6.1, the same
# 6.1.x as the stock guest, configured small for our q35 guest
# (vm/debug-kernel/config.frag on top of tinyconfig), with the fixes in
# vm/debug-kernel/patches/ applied (each says why).
#
# It is built once per machine and kept outside the clone, in
# $DMAE_CACHE (default ~/.cache/dmae), in a folder named by the hash of
# its inputs (the fragment, the patches, the source package's version and
# the compiler, and the layout of what this script leaves there), so that
# fresh clones on one machine reuse it. Prints the folder: bzImage (QEMU
# boots it through SeaBIOS: the PVH entry code is instrumented by KASAN in
# 6.1 and faults before KASAN is up), the built tree for out-of-tree
# modules (tree/), and the modules installed under mods/.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
frag=$top/vm/debug-kernel/config.frag
patches=$(ls "$top"/vm/debug-kernel/patches/*.patch 2>/dev/null || true)
cache=${DMAE_CACHE:-$HOME/.cache/dmae}
tarball=$(ls /usr/src/linux-source-6.1.tar.xz 2>/dev/null || true)
[ -n "$tarball" ] || { echo "linux-source-6.1 is not installed; run 'make deps'" >&2; exit 1; }

# What this script leaves in the folder; bump it when that changes.
layout=2
key=$( { cat "$frag" $patches; echo "layout $layout"; dpkg-query -W -f='${Version}' linux-source-6.1;
	gcc-12 --version | head -n1; } | sha256sum | cut -c1-16)
dir=$cache/debug-kernel-$key
if [ -f "$dir/.done" ]; then
	echo "$dir"
	exit 0
fi

log=$cache/debug-kernel-$key.log
mkdir -p "$cache"
rm -rf "$dir"
mkdir -p "$dir/tree"
start=$(date +%s)
echo "debug kernel: building from $(basename "$tarball") (once per machine; log: $log)" >&2
tar -xJf "$tarball" -C "$dir/tree" --strip-components=1
cd "$dir/tree"
: >"$log"
for p in $patches; do
	patch -p1 --forward --batch <"$p" >>"$log" 2>&1 ||
		{ echo "debug kernel: $(basename "$p") does not apply" >&2; tail -n 20 "$log" >&2; exit 1; }
done
{
	make CC=gcc-12 tinyconfig
	scripts/kconfig/merge_config.sh -m .config "$frag"
	make CC=gcc-12 olddefconfig
} >>"$log" 2>&1 || { tail -n 30 "$log" >&2; exit 1; }

# Every option the fragment asks for must have survived olddefconfig.
missing=0
while IFS= read -r line; do
	case "$line" in CONFIG_*=n|'#'*|'') continue ;; esac
	grep -qxF "$line" .config || { echo "debug kernel: $line did not stick" >&2; missing=1; }
done <"$frag"
[ "$missing" = 0 ] || exit 1

# A line a minute, so that a long build shows it is alive.
( while sleep 60; do
	echo "debug kernel: building, $(( ($(date +%s) - start) / 60 )) min so far" >&2
done ) &
ticker=$!
trap 'kill $ticker 2>/dev/null || true' EXIT
if ! make CC=gcc-12 -j"$(nproc)" bzImage modules >>"$log" 2>&1; then
	grep -E 'error|Error' "$log" | tail -n 20 >&2
	exit 1
fi
make CC=gcc-12 modules_install INSTALL_MOD_PATH="$dir/mods" >>"$log" 2>&1
cp arch/x86/boot/bzImage "$dir/bzImage"
make -s kernelrelease >"$dir/release"
echo $(( $(date +%s) - start )) >"$dir/build-seconds"
touch "$dir/.done"
echo "debug kernel: built in $(( ($(date +%s) - start) / 60 )) min" >&2
echo "$dir"
