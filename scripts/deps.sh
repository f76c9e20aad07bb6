#!/usr/bin/env bash
# Install what the project needs from Debian's archive. Idempotent and quiet
# when everything is present. Run as root (or through sudo).
set -euo pipefail

PKGS=(
	# build of QEMU from Debian's source package
	dpkg-dev meson ninja-build pkg-config python3 libglib2.0-dev
	libpixman-1-dev libfdt-dev zlib1g-dev
	# QEMU runtime firmware (PVH option ROM, SeaBIOS, iPXE)
	seabios qemu-system-data ipxe-qemu
	# guest kernel, module build, initramfs
	linux-headers-amd64 gcc-12 make bc kmod busybox-static cpio xz-utils
	# user-space library and demos
	liburing-dev gnuplot-nox
	# checkpatch.pl and dmatest.c (the kernel source tarball)
	perl linux-source-6.1
	# sparse: the modules checked with C=2 (__user, __le, locking annotations)
	sparse
	# the debug guest kernel (KASAN, lockdep, ...) built from that source
	bison flex libelf-dev libssl-dev patch
	# the device model's fuzzer: QEMU built with clang, libFuzzer, ASan
	clang-14 libclang-rt-14-dev
	# make test-loaded: both host cores kept busy beside the suite
	stress-ng
	# vm/run-vm.sh's hang guard: where QEMU's threads are, before it ends
	# a run that did not finish
	gdb
	# the ext4 image of the guest's file-operation tests (mkfs.ext4)
	e2fsprogs
	# make install's DKMS tree, built by the host tests (dkms build);
	# groff for the man pages' lint (scripts/check-style.sh)
	dkms groff-base
	# the arm64 guest (scripts/build-arm64.sh): the cross compiler and C
	# library; its kernel, headers, busybox and liburing are arm64
	# packages downloaded (not installed) by that script
	gcc-aarch64-linux-gnu libc6-dev-arm64-cross
)

SUDO=
[ "$(id -u)" -eq 0 ] || SUDO=sudo

# A deb-src entry derived from the existing deb822 entries, so that
# `apt-get source` finds Debian's qemu. No host name is written here.
ensure_deb_src() {
	local src=/etc/apt/sources.list.d/debian.sources
	local out=/etc/apt/sources.list.d/dmaplane-src.sources
	[ -f "$out" ] && return 0
	grep -qs '^Types:.*deb-src' /etc/apt/sources.list.d/*.sources && return 0
	if [ -f "$src" ]; then
		# Each stanza: swap "Types: deb" for "Types: deb-src".
		sed -n 's/^Types:[[:space:]]*deb[[:space:]]*$/Types: deb-src/;p' "$src" |
			$SUDO tee "$out" >/dev/null
	elif [ -f /etc/apt/sources.list ]; then
		grep -E '^deb[[:space:]]' /etc/apt/sources.list | sed 's/^deb /deb-src /' |
			$SUDO tee /etc/apt/sources.list.d/dmaplane-src.list >/dev/null
		$SUDO touch "$out"
	fi
	NEED_UPDATE=1
}

NEED_UPDATE=0
ensure_deb_src
# arm64 package lists, for the arm64 guest's downloads
if ! dpkg --print-foreign-architectures | grep -qx arm64; then
	$SUDO dpkg --add-architecture arm64
	NEED_UPDATE=1
fi

missing=()
for p in "${PKGS[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing+=("$p")
done

if [ "${#missing[@]}" -gt 0 ] || [ "$NEED_UPDATE" -eq 1 ]; then
	echo "deps: updating package lists"
	$SUDO apt-get update -qq
fi
if [ "${#missing[@]}" -gt 0 ]; then
	echo "deps: installing ${missing[*]}"
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq \
		--no-install-recommends "${missing[@]}" >/dev/null
fi
