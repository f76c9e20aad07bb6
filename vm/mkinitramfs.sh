#!/usr/bin/env bash
# Build the guest's initramfs (uncompressed cpio, fastest to boot):
# static busybox with relative applet links, our /init, the kernel
# modules, the guest test suite and the static guest programs.
#   mkinitramfs.sh OUT.cpio GUEST_BIN_DIR MODULE.ko...
# For another kernel than Debian's amd64 one (the debug kernel, the arm64
# kernel): DMAE_KABI=<release> and DMAE_KMODS=<its lib/modules/<release>
# folder>.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
if [ -n "${DMAE_KABI:-}" ]; then
	KABI=$DMAE_KABI
else
	. "$top/vm/kernel-abi.sh"
fi
out=$1 bindir=$2
shift 2
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
# mktemp's 0700 would become the guest's "/": no user but root could run
# anything (the non-root tests run as other users)
chmod 755 "$root"

mkdir -p "$root"/{bin,dev,proc,sys,tmp,etc,lib/modules/"$KABI"/extra}
# DMAE_BUSYBOX: another architecture's busybox (of the same version as
# the host's, whose applet list is used: the guest's cannot run here)
cp "${DMAE_BUSYBOX:-/bin/busybox}" "$root/bin/busybox"
for a in $(/bin/busybox --list); do
	[ "$a" = busybox ] || ln -s busybox "$root/bin/$a"
done
install -m 755 "$top/vm/guest-init" "$root/init"
cp -r "$top/tests/guest" "$root/tests"
# the udev rule of non-root use, for the test that applies it
mkdir -p "$root/etc/udev/rules.d"
cp "$top/packaging/udev/"*.rules "$root/etc/udev/rules.d/"
[ -d "$top/demos/guest" ] && cp -r "$top/demos/guest" "$root/demos"
find "$bindir" -maxdepth 1 -type f -perm -u+x -exec cp {} "$root/bin/" \;
for ko in "$@"; do
	cp "$ko" "$root/lib/modules/$KABI/extra/"
done
# modules.alias & co., so that "modprobe <modalias>" finds our module.
kmods=${DMAE_KMODS:-${BUILD:-$top/build}/kernel/$KABI/root/lib/modules/$KABI}
# For the file-operation tests: ext4, what it needs, and the RAM disk,
# where the kernel has them as modules; and an ext4 image for the disk
# (160 MiB: the tests write two 16 MiB files beside the others).
for m in crc16 crc32c_generic mbcache jbd2 ext4 brd; do
	f=$(find "$kmods/kernel" -name "$m.ko" 2>/dev/null | head -n 1)
	[ -z "$f" ] || cp "$f" "$root/lib/modules/$KABI/extra/"
done
img=$(mktemp)
truncate -s 160M "$img"
PATH=$PATH:/usr/sbin:/sbin mkfs.ext4 -q -F "$img"
gzip -1 <"$img" >"$root/ext4.img.gz"
rm -f "$img"
cp "$kmods"/modules.builtin* "$kmods"/modules.order "$root/lib/modules/$KABI/" 2>/dev/null || true
depmod -b "$root" "$KABI"
(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet) >"$out.tmp"
mv "$out.tmp" "$out"
