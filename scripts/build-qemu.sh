#!/usr/bin/env bash
# Build qemu-system-x86_64 and qemu-system-aarch64 (the seed's arm64 virt
# platform) with the dma-engine device, and its qtest, from
# Debian's own qemu source package. Everything lands in $BUILD (default
# build/). The first run takes a few minutes; later runs rebuild only what
# changed (seconds after editing the device). The steps are shared with
# build-qemu-gcov.sh (scripts/qemu-lib.sh).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$top/build}
qemu_targets="x86_64 aarch64"
. "$top/scripts/qemu-lib.sh"
out=$BUILD/qemu-build

qemu_unpack
qemu_configure "$out" qemu
qemu_build "$out" qemu
qemu_firmware "$out"
