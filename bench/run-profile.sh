#!/usr/bin/env bash
# Host side of `make profile`: boot the guest (--perf, as for every
# measurement), IOMMU off then on, and take the per-stage breakdown of a
# 4 KiB registered copy at QD 1, interrupt-driven and IOPOLL, from the
# kernel's tracepoints (demos/guest/profile.sh). The guest CPU is
# emulated by TCG, and every event costs some time itself: read the
# shares, not the microseconds, as what a native machine would show.
# Environment: BENCH_MODES (default "off on"), DMAE_PROFILE_N (copies a
# mode, default 400).
# Output: build/results/profile/profile-iommu-MODE.txt.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$top/build}
case "${1:-}" in
-h|--help) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
"") ;;
*) echo "run-profile: unknown argument '$1'" >&2; exit 2 ;;
esac
out=$BUILD/results/profile
mkdir -p "$out" "$BUILD/logs"
rc=0
for mode in ${BENCH_MODES:-off on}; do
	log=$BUILD/logs/profile-iommu-$mode.log
	echo "== profile: booting the guest, IOMMU $mode =="
	"$top/vm/run-vm.sh" --perf --iommu "$mode" --suite profile --log "$log" \
		--timeout 1200 --append "dmae.profile_n=${DMAE_PROFILE_N:-400}"
	sed -n '/^# profile-begin/,/^# profile-end/p' "$log" |
		grep -v '^# profile-\(begin\|end\)' >"$out/profile-iommu-$mode.txt"
	grep -q '^# profile-rc 0' "$log" ||
		{ echo "run-profile: the run FAILED, IOMMU $mode; see $log"; rc=1; }
	echo "-- IOMMU $mode --"
	cat "$out/profile-iommu-$mode.txt"
done
exit $rc
