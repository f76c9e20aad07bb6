#!/usr/bin/env bash
# Build the kernel module against the guest kernel's headers (the ABI comes
# from the installed linux-headers-amd64). Warnings are errors.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/vm/kernel-abi.sh"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
if ! make -C "$KDIR" M="$top/kmod" KCFLAGS=-Werror modules >"$log" 2>&1; then
	cat "$log" >&2
	exit 1
fi
grep -E 'warning:' "$log" >&2 && exit 1
true

# Linux's own dmatest, from Debian's linux-source, as an out-of-tree module.
BUILD=${BUILD:-$top/build}
linux=$("$top/scripts/linux-src.sh")
mkdir -p "$BUILD/dmatest"
cp -u "$linux/drivers/dma/dmatest.c" "$BUILD/dmatest/"
echo 'obj-m := dmatest.o' >"$BUILD/dmatest/Kbuild"
if ! make -C "$KDIR" M="$BUILD/dmatest" modules >"$log" 2>&1; then
	cat "$log" >&2
	exit 1
fi

# The guest tests' own module (tests/guest/testmod), built beside dmatest.
mkdir -p "$BUILD/testmod"
cp -u "$top"/tests/guest/testmod/{Kbuild,dmae_delay.c} "$BUILD/testmod/"
if ! make -C "$KDIR" M="$BUILD/testmod" KCFLAGS=-Werror modules >"$log" 2>&1; then
	cat "$log" >&2
	exit 1
fi
