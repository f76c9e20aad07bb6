#!/usr/bin/env bash
# make demo: boot the guest with the IOMMU off, then on (strict), run the
# demo suite in it, and print its report. Reports and serial logs are
# kept in build/results/ and build/logs/.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$top/build}
results=$BUILD/results
mkdir -p "$results" "$BUILD/logs"
rc=0
for mode in off on; do
	log=$BUILD/logs/demo-iommu-$mode.log
	echo "== demo: booting the guest, IOMMU $mode =="
	"$top/vm/run-vm.sh" --iommu "$mode" --suite demo --log "$log" --timeout 600
	sed -n '/^# demo-begin/,/^# demo-end/p' "$log" | grep -v '^# demo-' |
		tee "$results/demo-iommu-$mode.txt"
	if ! grep -q '^# demo-rc 0' "$log"; then
		echo "demo: FAILED with the IOMMU $mode; serial log: $log"
		rc=1
	fi
done
echo
echo "Reports: $results/demo-iommu-{off,on}.txt; serial logs: $BUILD/logs/"
exit $rc
