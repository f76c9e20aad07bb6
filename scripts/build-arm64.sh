#!/usr/bin/env bash
# The arm64 guest, the seed's own platform (QEMU virt, SMMUv3): Debian's
# arm64 kernel of the same ABI as the amd64 one, our modules and dmatest
# cross-built against its headers, libdmae and the guest programs
# cross-built statically, an arm64 busybox initramfs. Nothing is installed
# on the host but the cross compiler (make deps); the arm64 packages are
# downloaded into $BUILD/dl and unpacked under $BUILD/arm64.
#   build-arm64.sh            everything (only what changed)
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$top/build}
. "$top/vm/kernel-abi.sh"
A64=${KABI%-amd64}-arm64
out=$BUILD/arm64
dl=$BUILD/dl
cross=aarch64-linux-gnu-
mkdir -p "$out" "$dl"

# fetch PACKAGE: download PACKAGE:arm64 into $dl once; print the .deb
fetch() {
	local deb
	deb=$(ls "$dl/$1"_*_arm64.deb 2>/dev/null | head -n1 || true)
	if [ -z "$deb" ]; then
		echo "arm64: downloading $1" >&2
		(cd "$dl" && apt-get download "$1:arm64" >/dev/null 2>&1) || {
			echo "arm64: cannot download $1:arm64 (run 'make deps')" >&2
			exit 1
		}
		deb=$(ls "$dl/$1"_*_arm64.deb | head -n1)
	fi
	echo "$deb"
}
# unpack DEB DIR: dpkg -x once per .deb
unpack() {
	[ "$(cat "$2/.deb" 2>/dev/null)" = "$(basename "$1")" ] && return 0
	rm -rf "$2"
	mkdir -p "$2"
	dpkg -x "$1" "$2"
	basename "$1" >"$2/.deb"
}

# The kernel: Debian's arm64 vmlinuz is an uncompressed Image.
unpack "$(fetch "linux-image-$A64")" "$out/kernel"
img=$out/kernel/boot/vmlinuz-$A64
[ "$(od -An -tx1 -j56 -N4 "$img" | tr -d ' ')" = 41524d64 ] || {
	echo "arm64: $img is not an arm64 Image" >&2
	exit 1
}
kmods=$out/kernel/lib/modules/$A64

# The headers; their scripts/ and tools/ are the host's linux-kbuild-6.1
# (host programs, installed with the amd64 headers), the common part is
# the amd64 headers' own (the same source version).
unpack "$(fetch "linux-headers-$A64")" "$out/headers"
kdir=$out/headers/usr/src/linux-headers-$A64
for l in scripts tools; do
	ln -sfn "/usr/lib/linux-kbuild-6.1/$l" "$kdir/$l"
done
[ -d "/usr/src/linux-headers-${KABI%-amd64}-common" ] || {
	echo "arm64: linux-headers-${KABI%-amd64}-common is missing (make deps)" >&2
	exit 1
}

# busybox and liburing for the initramfs and the static programs
unpack "$(fetch busybox-static)" "$out/busybox"
unpack "$(fetch liburing-dev)" "$out/sysroot"

log=$(mktemp)
trap 'rm -f "$log"' EXIT
kbuild() { # DIR: build the modules in DIR against the arm64 headers
	if ! make -C "$kdir" ARCH=arm64 CROSS_COMPILE=$cross M="$1" \
		KCFLAGS=-Werror modules >"$log" 2>&1; then
		cat "$log" >&2
		exit 1
	fi
	if grep -E 'warning:' "$log" >&2; then exit 1; fi
	true
}
# Our modules: a copy of kmod/ (objects stay out of the checkout), with
# uapi/ and include/ beside it as the Kbuild file expects.
mkdir -p "$out/src"
cp -ru "$top/kmod" "$out/src/"
ln -sfn "$top/uapi" "$out/src/uapi"
ln -sfn "$top/include" "$out/src/include"
kbuild "$out/src/kmod"
linux=$("$top/scripts/linux-src.sh")
mkdir -p "$out/dmatest"
cp -u "$linux/drivers/dma/dmatest.c" "$out/dmatest/"
echo 'obj-m := dmatest.o' >"$out/dmatest/Kbuild"
kbuild "$out/dmatest"

# libdmae and the guest programs, static, for arm64
make -s --no-print-directory -C "$top" BUILD="$out" CC=${cross}gcc \
	GUEST_SYSROOT="$out/sysroot" guest-tools

DMAE_KABI=$A64 DMAE_KMODS=$kmods DMAE_BUSYBOX=$out/busybox/bin/busybox \
	bash "$top/vm/mkinitramfs.sh" "$out/initramfs.cpio" "$out/guest-bin" \
	"$out/src/kmod/dmae_svc.ko" "$out/src/kmod/dma_engine.ko" \
	"$out/dmatest/dmatest.ko"
