#!/usr/bin/env bash
# make devbench: the device model's copy bandwidth against the host's
# memcpy, in one run. The host side copies buffers of the same sizes with
# memcpy (build/host-bin/host-memcpy); the guest side streams copies through
# the engine (driver attribute "bench": N descriptors issued at once, one
# interrupt, timed from doorbell to last completion), with the IOMMU off
# and on (strict). Best of three for each. Writes build/results/devbench.txt.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$top/build}
out=$BUILD/results/devbench.txt
mkdir -p "$BUILD/results" "$BUILD/logs"

best() { sort -n | tail -n1; }
host=$("$BUILD/host-bin/host-memcpy" 1048576 1048576 1048576 4194304 4194304 4194304) || exit 1
declare -A hostbw dev
for size in 1048576 4194304; do
	hostbw[$size]=$(awk -v s=$size '$2 == s { print $4 }' <<<"$host" | best)
done
rc=0
for mode in ${DEVBENCH_MODES:-off on}; do
	log=$BUILD/logs/devbench-iommu-$mode.log
	echo "devbench: guest with the IOMMU $mode" >&2
	"$top/vm/run-vm.sh" --iommu "$mode" --suite devbench --log "$log" --timeout 600
	grep -q '^# devbench-rc 0' "$log" || { echo "devbench: FAILED, see $log" >&2; rc=1; }
	for size in 1048576 4194304; do
		dev[$mode,$size]=$(awk -v s=$size '$1 == "device" && $3 == s { print $9 }' "$log" | best)
	done
done
{
	echo "Device model copy bandwidth against host memcpy ($(date -u +%Y-%m-%d), $(nproc) host cores)"
	echo "MB/s = 10^6 bytes/s; best of 3; device: N copies in flight, one interrupt"
	printf '%-10s %14s %16s %8s %16s %8s\n' size "host memcpy" "device, no IOMMU" ratio "device, IOMMU" ratio
	for size in 1048576 4194304; do
		h=${hostbw[$size]} a=${dev[off,$size]:-0} b=${dev[on,$size]:-0}
		printf '%-10s %14s %16s %8s %16s %8s\n' "$((size / 1048576)) MiB" "$h" "$a" \
			"$(awk -v a="$a" -v h="$h" 'BEGIN { printf "%.2f", a / h }')" "$b" \
			"$(awk -v b="$b" -v h="$h" 'BEGIN { printf "%.2f", b / h }')"
	done
} | tee "$out"
exit $rc
