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

section "the hang guard: a guest that hangs on purpose"
"$top/tests/hang-guard.sh" | emit

# The five guest runs, two at a time: a TCG guest keeps about one host
# core busy (its vCPU threads mostly wait on each other and on the
# device), so two lanes finish in about the time of the longer one. Each
# run writes its own log and result file; the results are passed on in
# the usual order once both lanes are done. (The suite passes with both
# host cores busy: make test-loaded.)
guest_run() { # ID MODE SUITE KERNEL ARCH
	section "guest run $1 starts"
	GUEST_ARCH=$5 "$top/tests/guest-suite.sh" "$2" "$3" "$4" >"$logs/results-$1.txt" 2>&1
	section "guest run $1 done"
}
(
	guest_run debug-on on all debug x86
	guest_run arm64-off off "${ARM64_SUITE:-all}" stock arm64
) &
lane1=$!
(
	guest_run x86-off off all stock x86
	guest_run x86-on on all stock x86
	guest_run arm64-on on "${ARM64_SUITE:-all}" stock arm64
) &
lane2=$!
section "guest suites: x86 IOMMU off and on, the debug kernel (KASAN, lockdep, ...) with the IOMMU on, arm64 virt with the SMMUv3 and without an IOMMU; two at a time"
wait $lane1 $lane2
for id in x86-off x86-on debug-on arm64-on arm64-off; do
	if [ -s "$logs/results-$id.txt" ]; then
		emit <"$logs/results-$id.txt"
	else
		echo "not ok - guest run $id left no results" | emit
	fi
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
