#!/usr/bin/env bash
# The whole test suite: QEMU qtests of the device model, host tests of the
# user-space code, and the guest suite with the IOMMU off and on (strict).
# Prints one line per result and ends with "N passed, N failed".
# Logs: build/logs/ (qtest.log, qtest-gcov.log, device-coverage.txt,
# host-tests.log, guest-iommu-{off,on}.log, guest-debug-iommu-on.log,
# guest-arm64-iommu-{on,off}.log),
# build/fuzz/ (generic-fuzz).
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
export BUILD=${BUILD:-$top/build}
logs=$BUILD/logs
mkdir -p "$logs"
results=$logs/results.txt
: >"$results"

# emit: pass result lines through, keep them for the summary
emit() { tee -a "$results"; }

# each section's start, in seconds since the suite began (where the time goes)
t_start=$(date +%s)
section() { echo "== $* (at $(($(date +%s) - t_start)) s) ==" >&2; }

section "qtest: dma-engine device model"
(
	cd "$BUILD/qemu-build" &&
	QTEST_QEMU_BINARY=./qemu-system-x86_64 timeout 300 \
		./tests/qtest/dma-engine-test --tap 2>&1
) >"$logs/qtest.log"
sed -n -E 's/^(not )?ok [0-9]+ (.*)/\1ok - qtest: \2/p' "$logs/qtest.log" | emit
plan=$(sed -n -E 's/^1\.\.([0-9]+)$/\1/p' "$logs/qtest.log" | head -n1)
got=$(grep -cE '^(not )?ok [0-9]+ ' "$logs/qtest.log")
if [ -z "$plan" ] || [ "$got" != "$plan" ]; then
	echo "not ok - qtest: all ${plan:-?} tests ran (got $got); see $logs/qtest.log" | emit
	grep -E 'ERROR|Bail out' "$logs/qtest.log" | head -n 5 | sed 's/^/#   /'
fi

# Measured, not a pass/fail floor: the device model's line and branch
# coverage by the same qtests, under the gcov build (docs/coverage.md).
section "coverage: the device model under the qtests (gcov)"
"$top/scripts/device-coverage.sh" | emit

if [ -x "$top/tests/host/run.sh" ]; then
	section "host tests"
	"$top/tests/host/run.sh" 2>&1 | tee "$logs/host-tests.log" |
		grep -E '^(not )?ok - ' | emit
fi

section "style: kernel and QEMU checkpatch"
"$top/scripts/check-style.sh" >"$logs/style.log" 2>&1
grep -E '^(not )?ok - ' "$logs/style.log" | emit
grep -q '^not ok' "$logs/style.log" && grep '^#' "$logs/style.log" | head -n 20

section "fuzz: the device model under generic-fuzz (a bounded slice)"
"$top/scripts/fuzz-device.sh" "${FUZZ_SLICE:-3000}" | emit

for mode in off on; do
	section "guest suite, IOMMU $mode"
	"$top/tests/guest-suite.sh" "$mode" | emit
done
section "guest suite on the debug kernel (KASAN, lockdep, ...), IOMMU on"
"$top/tests/guest-suite.sh" on all debug | emit
# The seed's platform: arm64 virt, with the SMMUv3 (strict) and without an
# IOMMU (tags guest[arm64-smmuv3], guest[arm64-no-iommu]).
for mode in on off; do
	section "guest suite on arm64 virt, IOMMU $mode"
	GUEST_ARCH=arm64 "$top/tests/guest-suite.sh" "$mode" "${ARM64_SUITE:-all}" | emit
done

section "end"
pass=$(grep -c '^ok - ' "$results")
fail=$(grep -c '^not ok - ' "$results")
skipped=$(grep -c '^ok - .*# SKIP' "$results")
if [ "$fail" -gt 0 ]; then
	echo
	echo "Failed:"
	grep '^not ok - ' "$results" | sed 's/^not ok - /  /'
	echo "Logs are in $logs/"
fi
echo "$((pass - skipped)) passed, $fail failed, $skipped skipped"
[ "$fail" -eq 0 ]
