#!/usr/bin/env bash
# Build a second qemu-system-x86_64 (and the dma-engine qtest) with gcov
# instrumentation (QEMU's --enable-gcov), in $BUILD/qemu-gcov, from the same
# source tree and with the same options as build-qemu.sh. Running it writes
# .gcda counters next to the objects; scripts/device-coverage.sh reads the
# device model's. Later runs rebuild only what changed.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$top/build}
. "$top/scripts/qemu-lib.sh"
out=$BUILD/qemu-gcov

qemu_unpack
qemu_configure "$out" qemu-gcov --enable-gcov
qemu_build "$out" qemu-gcov
qemu_firmware "$out"
