#!/usr/bin/env bash
# Hook qemu-device/ into an unpacked QEMU source tree. Idempotent.
#   setup-tree.sh <qemu-source-tree>
# The device folder is linked in as hw/dma-engine (its own meson.build,
# Kconfig and trace-events), the register header as
# include/hw/dma_engine_regs.h, the qtest is linked into tests/qtest, and
# four one-line edits register them with QEMU's build.
set -euo pipefail
tree=$(cd "$1" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
rel() { realpath --relative-to="$1" "$2"; }

ln -sfn "$(rel "$tree/hw" "$here")" "$tree/hw/dma-engine"
# the register header the driver shares, from the project's include/hw/
ln -sfn "$(rel "$tree/include/hw" "$here/../include/hw/dma_engine_regs.h")" \
	"$tree/include/hw/dma_engine_regs.h"
for f in "$here"/tests/*.[ch]; do
	ln -sfn "$(rel "$tree/tests/qtest" "$f")" "$tree/tests/qtest/$(basename "$f")"
done
ln -sfn "$(rel "$tree/configs/devices/x86_64-softmmu" "$here/dma-engine.mak")" \
	"$tree/configs/devices/x86_64-softmmu/dma-engine.mak"
ln -sfn "$(rel "$tree/configs/devices/aarch64-softmmu" "$here/dma-engine-aarch64.mak")" \
	"$tree/configs/devices/aarch64-softmmu/dma-engine.mak"

add_after() { # file, anchor regex (first match), line to add
	grep -qxF "$3" "$1" && return 0
	local n
	n=$(grep -n -m1 -E "$2" "$1" | cut -d: -f1)
	[ -n "$n" ] || { echo "setup-tree: anchor '$2' not in $1" >&2; exit 1; }
	sed -i "${n}a\\$3" "$1"
}
add_after "$tree/hw/meson.build" "^subdir\('dma'\)" "subdir('dma-engine')"
add_after "$tree/hw/Kconfig" "^source dma/Kconfig" "source dma-engine/Kconfig"
add_after "$tree/meson.build" "^    'hw/misc',$" "    'hw/dma-engine',"
# the test's own line, rewritten whenever its list of files changes
qtest_line="  'dma-engine-test': files('dma-engine-lib.c', 'dma-engine-chan-test.c', 'dma-engine-reach-test.c', 'dma-engine-inject-test.c', 'dma-engine-unplug-test.c', 'dma-engine-cover-test.c'),"
grep -qxF "$qtest_line" "$tree/tests/qtest/meson.build" ||
	sed -i "/^  'dma-engine-test': files(/d" "$tree/tests/qtest/meson.build"
add_after "$tree/tests/qtest/meson.build" "^qtests = \{" "$qtest_line"
add_after "$tree/tests/qtest/meson.build" "^qtests_x86_64 = qtests_i386" \
	"qtests_x86_64 += config_all_devices.has_key('CONFIG_DMA_ENGINE') ? ['dma-engine-test'] : []"

# Patches to QEMU's own files (each applied once): patches/README.md
for p in "$here"/patches/*.patch; do
	patch -d "$tree" -p1 -R -s -f --dry-run <"$p" >/dev/null 2>&1 ||
		patch -d "$tree" -p1 -N -s <"$p"
done
