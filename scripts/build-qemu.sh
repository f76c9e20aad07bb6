#!/usr/bin/env bash
# Build qemu-system-x86_64 with the dma-engine device, and its qtest, from
# Debian's own qemu source package. Everything lands in $BUILD (default
# build/). The first run takes a few minutes; later runs rebuild only what
# changed (seconds after editing the device).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$top/build}
dl=$BUILD/dl src=$BUILD/qemu-src/tree out=$BUILD/qemu-build
mkdir -p "$dl"

if [ ! -f "$src/.unpacked" ]; then
	dsc=$(ls "$dl"/qemu_*.dsc 2>/dev/null | head -n1 || true)
	if [ -z "$dsc" ]; then
		echo "qemu: fetching Debian's qemu source package"
		(cd "$dl" && apt-get source --download-only qemu >/dev/null)
		dsc=$(ls "$dl"/qemu_*.dsc | head -n1)
	fi
	echo "qemu: unpacking $(basename "$dsc")"
	rm -rf "$BUILD/qemu-src"
	mkdir -p "$BUILD/qemu-src"
	# apt-get source checked the files against the signed archive;
	# dpkg-source's notes about the .dsc's own signature go to the log.
	if ! dpkg-source -x "$dsc" "$src" >"$BUILD/qemu-src/unpack.log" 2>&1; then
		cat "$BUILD/qemu-src/unpack.log" >&2
		exit 1
	fi
	touch "$src/.unpacked"
fi

"$top/qemu-device/setup-tree.sh" "$src"

if [ ! -f "$out/build.ninja" ]; then
	echo "qemu: configuring (x86_64, TCG, only the devices we need)"
	rm -rf "$out"
	mkdir -p "$out"
	(cd "$out" && "$src/configure" --target-list=x86_64-softmmu \
		--without-default-features --enable-tcg \
		--without-default-devices --with-devices-x86_64=dma-engine \
		--disable-docs --disable-werror >configure.log 2>&1) || {
		tail -n 30 "$out/configure.log" >&2
		rm -f "$out/build.ninja"
		exit 1
	}
fi

echo "qemu: building qemu-system-x86_64 and the dma-engine qtest"
if ! ninja -C "$out" qemu-system-x86_64 tests/qtest/dma-engine-test \
	>"$out/ninja.log" 2>&1; then
	grep -vE '^\[[0-9]+/[0-9]+\] ' "$out/ninja.log" | tail -n 60 >&2
	exit 1
fi
# QEMU is configured without -Werror; our own files must still build clean.
if grep -E 'dma[-_]engine[^ ]*: (warning|error)' "$out/ninja.log" >&2; then
	echo "qemu: warnings in the dma-engine sources" >&2
	exit 1
fi

# The binary in the build tree looks for firmware in qemu-bundle/: link
# Debian's SeaBIOS and option ROMs (PVH loader, iPXE) there.
fw=$out/qemu-bundle/usr/local/share/qemu
mkdir -p "$fw"
for f in /usr/share/seabios/bios-256k.bin /usr/share/qemu/pvh.bin \
	/usr/share/qemu/linuxboot_dma.bin /usr/share/qemu/kvmvapic.bin \
	/usr/share/ipxe/qemu/efi-e1000e.rom; do
	[ -e "$f" ] && ln -sf "$f" "$fw/$(basename "$f")"
done
true
