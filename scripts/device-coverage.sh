#!/usr/bin/env bash
# Line and branch coverage of the device model's own sources
# (qemu-device/dma_engine*.c) reached by the project's tests:
#   device-coverage.sh [--guest] [--no-qtest]
# brings the gcov build of QEMU up to date (build-qemu-gcov.sh,
# $BUILD/qemu-gcov), zeroes its counters, runs the qtests under it (as
# tests/run-all.sh runs them; not with --no-qtest) and, with --guest, one
# guest suite run with the IOMMU on (tests/guest-suite.sh; needs make
# initramfs), then reads the device's counters with gcov. Prints result
# lines ("ok - ..." / "not ok - ...") and one "# coverage:" line per file,
# and writes them to $BUILD/logs/device-coverage.txt; gcov's annotated
# sources ("#####" marks a line never run) go to $BUILD/coverage/device/.
# A file under COVERAGE_FLOOR % of its lines (default 85) gets a line of
# its own saying so; it is not a failure (docs/decisions.md).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
export BUILD=${BUILD:-$top/build}
out=$BUILD/qemu-gcov logs=$BUILD/logs cov=$BUILD/coverage/device
floor=${COVERAGE_FLOOR:-85}
guest=0 qtest=1
for a in "$@"; do
	case "$a" in
	--guest) guest=1 ;;
	--no-qtest) qtest=0 ;;
	*) echo "usage: device-coverage.sh [--guest] [--no-qtest]" >&2; exit 2 ;;
	esac
done
mkdir -p "$logs"
report=$logs/device-coverage.txt
: >"$report"
say() { echo "$*" | tee -a "$report"; }

if ! "$top/scripts/build-qemu-gcov.sh" >"$logs/qemu-gcov-build.log" 2>&1; then
	say "not ok - coverage: gcov build of QEMU; see $logs/qemu-gcov-build.log"
	tail -n 20 "$logs/qemu-gcov-build.log" | sed 's/^/#   /'
	exit 1
fi

# Counters accumulate over every run of the binary: start from zero.
find "$out" -name '*.gcda' -delete

# The qtests, as tests/run-all.sh runs them; the counters are written as
# each QEMU exits.
if [ "$qtest" = 1 ]; then
	start=$(date +%s)
	(
		cd "$out" &&
		QTEST_QEMU_BINARY=./qemu-system-x86_64 timeout 600 \
			./tests/qtest/dma-engine-test --tap 2>&1
	) >"$logs/qtest-gcov.log" || true
	secs=$(($(date +%s) - start))
	plan=$(sed -n -E 's/^1\.\.([0-9]+)$/\1/p' "$logs/qtest-gcov.log" | head -n1)
	pass=$(grep -cE '^ok [0-9]+ ' "$logs/qtest-gcov.log" || true)
	if [ -n "$plan" ] && [ "$pass" = "$plan" ]; then
		say "ok - coverage: qtests under the gcov build ($pass of $plan passed, ${secs}s)"
	else
		say "not ok - coverage: qtests under the gcov build ($pass of ${plan:-?} passed, ${secs}s); see $logs/qtest-gcov.log"
		grep -E '^not ok|ERROR|Bail out' "$logs/qtest-gcov.log" | head -n 5 |
			sed 's/^/#   /' || true
	fi
fi

# One guest suite run, IOMMU on (translation and its locking paths), on
# the stock kernel; its own result lines are tagged guest[gcov-iommu-on].
if [ "$guest" = 1 ]; then
	GUEST_VARIANT=gcov DMAE_QEMU=$out/qemu-system-x86_64 \
		"$top/tests/guest-suite.sh" on | tee -a "$report" || true
fi

# gcov reads the counters (.gcda) against the notes of the compile
# (.gcno) and the sources, per file; -b adds branches.
rm -rf "$cov"
mkdir -p "$cov"
obj=$out/libcommon.fa.p
tl=0 tc=0 bl=0 bc=0 files= low=
for src in "$top"/qemu-device/dma_engine*.c; do
	f=$(basename "$src")
	data=$obj/hw_dma-engine_$f.gcda
	if [ ! -f "$data" ]; then
		say "not ok - coverage: no counters for qemu-device/$f ($data)"
		continue
	fi
	# Run in the build directory: the notes name the sources relative to
	# it. gcov writes one annotated file per source there; keep ours.
	res=$(cd "$out" && gcov-12 -b -o "$obj" "$data" 2>/dev/null |
		sed -n "/^File '.*\/$f'$/,/^$/p" || true)
	mv "$out/$f.gcov" "$cov/" 2>/dev/null || true
	rm -f "$out"/*.gcov
	set -- $(sed -n 's/^Lines executed:\([0-9.]*\)% of \([0-9]*\)$/\1 \2/p' <<<"$res") \
		$(sed -n 's/^Taken at least once:\([0-9.]*\)% of \([0-9]*\)$/\1 \2/p' <<<"$res")
	if [ $# -lt 2 ]; then
		say "not ok - coverage: gcov could not read qemu-device/$f"
		continue
	fi
	lp=$1 ln=$2 bp=${3:-0} bn=${4:-0}
	say "# coverage: qemu-device/$f: lines $lp% of $ln, branches $bp% of $bn"
	# gcov gives percentages with 2 decimals: exact counts for these sizes
	tl=$((tl + ln)) bl=$((bl + bn))
	tc=$(awk -v a="$tc" -v p="$lp" -v n="$ln" 'BEGIN { printf "%d", a + p * n / 100 + 0.5 }')
	bc=$(awk -v a="$bc" -v p="$bp" -v n="$bn" 'BEGIN { printf "%d", a + p * n / 100 + 0.5 }')
	files+="${files:+, }$f $(printf '%.1f' "$lp")%/$(printf '%.1f' "$bp")%"
	awk -v p="$lp" -v f="$floor" 'BEGIN { exit !(p < f) }' &&
		low+="${low:+, }$f $(printf '%.1f' "$lp")%"
done
pct() { awk -v c="$1" -v t="$2" 'BEGIN { printf "%.1f", t ? 100 * c / t : 0 }'; }
by=
[ "$qtest" = 1 ] && by=qtests
[ "$guest" = 1 ] && by+="${by:+ + }guest suite (IOMMU on)"
if [ "$tl" -gt 0 ]; then
	say "ok - coverage: qemu-device lines $(pct "$tc" "$tl")% branches $(pct "$bc" "$bl")% by ${by:-nothing} ($files; lines/branches)"
	say "# coverage: qemu-device total: lines $tc of $tl, branches $bc of $bl taken; annotated sources in $cov"
	[ -z "$low" ] ||
		say "# coverage: below the ${floor}% line floor (informational, not a failure): $low"
fi
# The exit status says whether everything above was ok (make
# coverage-device); run-all.sh counts the lines instead.
! grep -q '^not ok' "$report"
