#!/usr/bin/env bash
# The guest for the debug kernel: the kernel (scripts/build-debug-kernel.sh,
# cached per machine), our module built against its tree with gcov
# profiling, its own dmatest, and an initramfs with the same tests and
# programs as the stock guest ($BUILD/initramfs-debug.cpio). Records the
# kernel's folder in $BUILD/debug/kernel-dir for vm/run-vm.sh.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$top/build}
kdir=$("$top/scripts/build-debug-kernel.sh")
rel=$(cat "$kdir/release")
out=$BUILD/debug
mkdir -p "$out/kmod"
echo "$kdir" >"$out/kernel-dir"

# The modules' sources, linked file by file into a tree of their own
# (kbuild writes its objects beside them), with ../include and ../uapi
# as in the tree.
ln -sf "$top/kmod/Kbuild" "$out/kmod/"
for d in hw svc include; do
	mkdir -p "$out/kmod/$d"
	for f in "$top/kmod/$d"/*.[ch]; do
		ln -sf "$f" "$out/kmod/$d/"
	done
done
ln -sfn "$top/include" "$out/include"
ln -sfn "$top/uapi" "$out/uapi"
log=$out/kmod-build.log
if ! make -C "$kdir/tree" M="$out/kmod" CC=gcc-12 KCFLAGS=-Werror \
	DMAE_GCOV=y modules >"$log" 2>&1; then
	cat "$log" >&2
	exit 1
fi
grep -E 'warning:' "$log" >&2 && exit 1

mods=$kdir/mods/lib/modules/$rel
DMAE_KABI=$rel DMAE_KMODS=$mods bash "$top/vm/mkinitramfs.sh" \
	"$BUILD/initramfs-debug.cpio" "$BUILD/guest-bin" \
	"$out/kmod/dmae_svc.ko" "$out/kmod/dma_engine.ko" \
	"$mods/kernel/drivers/dma/dmatest.ko"
