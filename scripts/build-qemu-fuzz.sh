#!/usr/bin/env bash
# Build qemu-fuzz-x86_64 (QEMU's libFuzzer targets, generic-fuzz among
# them) with clang, AddressSanitizer and UBSan, from the same Debian QEMU
# source tree as qemu-system-x86_64, in $BUILD/qemu-fuzz. Only that one
# target is built; later runs rebuild what changed.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$top/build}
src=$BUILD/qemu-src/tree out=$BUILD/qemu-fuzz
[ -f "$src/.unpacked" ] || bash "$top/scripts/build-qemu.sh"
"$top/qemu-device/setup-tree.sh" "$src"

if [ ! -f "$out/build.ninja" ]; then
	echo "qemu-fuzz: configuring (clang, libFuzzer, ASan, UBSan)"
	rm -rf "$out"
	mkdir -p "$out"
	(cd "$out" && CC=clang-14 CXX=clang++-14 "$src/configure" \
		--cc=clang-14 --cxx=clang++-14 --host-cc=clang-14 \
		--target-list=x86_64-softmmu --without-default-features \
		--enable-tcg --enable-fuzzing --enable-sanitizers \
		--without-default-devices --with-devices-x86_64=dma-engine \
		--disable-docs --disable-werror >configure.log 2>&1) || {
		tail -n 30 "$out/configure.log" >&2
		rm -f "$out/build.ninja"
		exit 1
	}
fi
echo "qemu-fuzz: building qemu-fuzz-x86_64"
if ! ninja -C "$out" qemu-fuzz-x86_64 >"$out/ninja.log" 2>&1; then
	grep -vE '^\[[0-9]+/[0-9]+\] ' "$out/ninja.log" | tail -n 40 >&2
	exit 1
fi
