#!/usr/bin/env bash
# Host side of `make bench` (full sweep) and of the quick sweep in
# `make demo`: boot the guest with the IOMMU off, then on (strict), run
# dmae-bench in it, keep its report and CSV, measure the host's memcpy for
# the device-against-host ratio, and draw the plots with gnuplot.
#   run-bench.sh [--quick|--full] [--cell SECS] [--suite bench|demo]
#                [--arch x86|arm64]
# Environment: BENCH_MODES (default "off on").
# --arch arm64 (make bench-arm64): the seed's platform, virt with the
# SMMUv3 for the IOMMU-on run (scripts/build-arm64.sh builds its guest);
# its results go to bench-full-arm64/ (or bench-quick-arm64/).
# Output in build/results/bench-full/ (or bench-quick/): bench-iommu-MODE.txt
# (the guest's report), bench.csv (every cell, both modes), bench-device.txt
# (engine against host memcpy), plots/*.png and plots/data/*.dat. With
# --suite demo (make demo) the guest runs the demos first; their report
# goes to build/results/demo-iommu-MODE.txt.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$top/build}
sweep=full cell= suite=bench arch=x86
usage() {
	sed -n '5,17p' "$0" | sed 's/^# \{0,1\}//'
	exit "${1:-0}"
}
while [ $# -gt 0 ]; do
	case "$1" in
	--quick) sweep=quick; shift ;;
	--full) sweep=full; shift ;;
	--cell) cell=$2; shift 2 ;;
	--suite) suite=$2; shift 2 ;;
	--arch) arch=$2; shift 2 ;;
	-h|--help) usage 0 ;;
	*) echo "run-bench: unknown argument '$1'" >&2; usage 2 >&2 ;;
	esac
done
case "$arch" in
x86) tag= ;;
arm64) tag=-arm64 ;;
*) echo "run-bench: --arch x86|arm64" >&2; usage 2 >&2 ;;
esac
export DMAE_ARCH=$arch
demos=$BUILD/results
results=$BUILD/results/bench-$sweep$tag
plots=$results/plots
mkdir -p "$results" "$plots/data" "$BUILD/logs"

# The host's memcpy, for the ceiling of an emulated engine (best of 3).
host=$("$BUILD/host-bin/host-memcpy" 1048576 1048576 1048576 4194304 4194304 4194304) ||
	{ echo "run-bench: host-memcpy failed" >&2; exit 1; }
declare -A hostbw
for size in 1048576 4194304; do
	hostbw[$size]=$(awk -v s=$size '$2 == s { print $4 }' <<<"$host" | sort -n | tail -n1)
done

rc=0
csv=$results/bench.csv
: >"$csv.tmp"
for mode in ${BENCH_MODES:-off on}; do
	log=$BUILD/logs/$suite$tag-iommu-$mode.log
	echo "== $suite ($sweep benchmark sweep): booting the $arch guest, IOMMU $mode =="
	"$top/vm/run-vm.sh" --perf --iommu "$mode" --suite "$suite" --log "$log" \
		--timeout 3000 --append "dmae.sweep=$sweep${cell:+ dmae.cell=$cell}"
	if [ "$suite" = demo ]; then
		sed -n '/^# demo-begin/,/^# demo-end/p' "$log" | grep -v '^# demo-' |
			tee "$demos/demo-iommu-$mode.txt"
		if ! grep -q '^# demo-rc 0' "$log"; then
			echo "run-bench: a demo FAILED with the IOMMU $mode; serial log: $log"
			rc=1
		fi
	fi
	sed -n '/^# bench-begin/,/^# bench-end/p' "$log" | grep -v '^# bench-' \
		>"$results/bench-iommu-$mode.txt"
	# The per-cell lines went by as progress; show the summary.
	sed -n '/^== Comparison/,$p' "$results/bench-iommu-$mode.txt"
	if ! grep -q '^# bench-rc 0' "$log"; then
		echo "run-bench: the benchmark FAILED with the IOMMU $mode; serial log: $log"
		grep 'FAILED' "$results/bench-iommu-$mode.txt"
		rc=1
	fi
	sed -n '/^# csv-begin/,/^# csv-end/p' "$log" | grep -v '^# csv-' >"$results/bench-iommu-$mode.csv"
	if [ -s "$csv.tmp" ]; then
		tail -n +2 "$results/bench-iommu-$mode.csv" >>"$csv.tmp"
	else
		cat "$results/bench-iommu-$mode.csv" >>"$csv.tmp"
	fi
done
mv "$csv.tmp" "$csv"

# The engine's in-kernel streaming bandwidth against host memcpy.
{
	echo "Device model against host memcpy, same run ($(date -u +%Y-%m-%d), $(nproc) host cores, $arch guest under TCG)"
	printf '%-8s %12s %18s %7s %18s %7s\n' size "host MB/s" "device, no IOMMU" ratio "device, IOMMU" ratio
	for size in 1048576 4194304; do
		h=${hostbw[$size]}
		a=$(awk -F, -v s=$size '$1 == "off" && $2 == "device" && $4 == s { print $10 }' "$csv")
		b=$(awk -F, -v s=$size '$1 == "on" && $2 == "device" && $4 == s { print $10 }' "$csv")
		printf '%-8s %12.0f %18.0f %7.2f %18.0f %7.2f\n' "$((size >> 20)) MiB" "$h" "${a:-0}" \
			"$(awk -v x="${a:-0}" -v h="$h" 'BEGIN { print x / h }')" "${b:-0}" \
			"$(awk -v x="${b:-0}" -v h="$h" 'BEGIN { print x / h }')"
	done
} | tee "$results/bench-device.txt"

# Plot data: one file per figure, mode and path.
for mode in off on; do
	for p in memcpy kernel-cpu ring ring-fixed uring-cmd seed; do
		awk -F, -v m=$mode -v p=$p '$1 == m && $2 == p && $3 == "size" && $17 == "" { print $4, $10, $15 }' \
			"$csv" | sort -n >"$plots/data/size-$mode-$p.dat"
	done
	for p in ring ring-fixed uring-cmd; do
		awk -F, -v m=$mode -v p=$p '$1 == m && $2 == p && $4 == 4096 && $6 == ($5 > 1 ? int($5 / 2) : 1) && $17 == "" { print $5, $11 }' \
			"$csv" | sort -n >"$plots/data/qd-$mode-$p.dat"
	done
done
if gnuplot -e "dir='$plots'" "$top/bench/plot.gp"; then
	echo "Plots: $plots/{throughput,cpu}-iommu-{off,on}.png, $plots/qd-4k.png"
else
	echo "run-bench: gnuplot failed" >&2
	rc=1
fi
[ "$suite" = demo ] && echo "Demo reports: $demos/demo-iommu-{off,on}.txt"
echo "Benchmark reports: $results/bench-iommu-{off,on}.txt; raw data: $csv"
exit $rc
