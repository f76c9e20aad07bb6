#!/usr/bin/env bash
# make demo-arm64: the seed's copy_size demo on the seed's own platform,
# QEMU's arm64 virt machine with an SMMUv3 (strict), and a few lines of
# QEMU's --trace "smmuv3_*" beside the driver's log, as the seed did.
# Writes build/results/demo-arm64/{guest.log,trace.log}.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$top/build}
out=$BUILD/results/demo-arm64
mkdir -p "$out"
rm -f "$out/trace.log"
echo "demo-arm64: booting arm64 virt (cortex-a57, GICv3 ITS, SMMUv3), about a minute"
DMAE_QEMU_ARGS="--trace smmuv3_translate_success,file=$out/trace.log \
--trace smmuv3_translate_abort,file=$out/trace.log" \
	bash "$top/vm/run-vm.sh" --arch arm64 --iommu on --suite seed-arm64 \
	--log "$out/guest.log" --timeout 900 || {
	echo "demo-arm64: the guest did not finish; see $out/guest.log" >&2
	exit 1
}
sed -n '/^# demo-begin/,/^# demo-end/p' "$out/guest.log" | grep -v '^# demo-'
n=$(grep -c smmuv3_translate_success "$out/trace.log" || true)
echo
echo "QEMU --trace smmuv3_translate_success: $n translations; the first few:"
grep -m 5 smmuv3_translate_success "$out/trace.log" | sed 's/^/  /'
grep -q '^# demo-rc 0' "$out/guest.log" && [ "$n" -gt 0 ] || {
	echo "demo-arm64: FAILED (see $out/)" >&2
	exit 1
}
echo "demo-arm64: ok; logs in $out/"
