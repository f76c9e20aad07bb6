#!/usr/bin/env bash
# Fetch Debian's guest kernel matching the installed linux-headers-amd64,
# unpack it under $BUILD/kernel (never into the host's /boot) and extract
# the uncompressed vmlinux, which QEMU boots directly (PVH).
# Prints nothing when the kernel is already there.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$top/build}
. "$top/vm/kernel-abi.sh"
out=$BUILD/kernel/$KABI
[ -s "$out/vmlinux" ] && exit 0

mkdir -p "$BUILD/dl" "$out"
pkg=linux-image-$KABI
# The signed and unsigned images carry the same kernel; take either.
find_deb() {
	ls "$BUILD"/dl/"${pkg}"_*.deb "$BUILD"/dl/"${pkg}"-unsigned_*.deb 2>/dev/null |
		head -n1 || true
}
deb=$(find_deb)
if [ -z "$deb" ]; then
	echo "kernel: downloading $pkg"
	(cd "$BUILD/dl" && { apt-get download "$pkg" >/dev/null 2>&1 ||
		apt-get download "$pkg-unsigned" >/dev/null; })
	deb=$(find_deb)
fi
echo "kernel: unpacking $(basename "$deb")"
rm -rf "$out/root"
dpkg -x "$deb" "$out/root"
vmlinuz=$out/root/boot/vmlinuz-$KABI

# The kernel's scripts/extract-vmlinux logic: find the XZ stream inside the
# bzImage and decompress it; the result must be an ELF file.
for off in $(LC_ALL=C grep -obUaP '\xfd7zXZ\x00' "$vmlinuz" | cut -d: -f1); do
	if tail -c +"$((off + 1))" "$vmlinuz" | xz -dc >"$out/vmlinux.tmp" 2>/dev/null ||
		[ -s "$out/vmlinux.tmp" ]; then
		if [ "$(head -c 4 "$out/vmlinux.tmp" | od -An -c | tr -d ' ')" = '177ELF' ]; then
			mv "$out/vmlinux.tmp" "$out/vmlinux"
			break
		fi
	fi
done
rm -f "$out/vmlinux.tmp"
[ -s "$out/vmlinux" ] || { echo "kernel: no vmlinux found in $vmlinuz" >&2; exit 1; }
# Keep only what the guest needs: vmlinux and the modules tree.
rm -rf "$out/root/boot" "$out/root/usr"
