#!/usr/bin/env bash
# run-vm.sh's hang guard, on a guest that hangs on purpose (the suite
# tests/guest/hang-selftest.sh): when the time is up the run ends with 124,
# and its log holds where QEMU's threads were (gdb) and, on x86, every
# guest CPU's stack (the NMI the guard sends). Prints TAP lines.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$top/build}
log=$BUILD/logs/hang-guard.log
# dmae.file_timeout: the guest's own guard of the file must not fire
# first. 60 s: a guest boots in a few; this is the time the guard waits.
"$top/vm/run-vm.sh" --iommu off --suite hang-selftest --log "$log" \
	--timeout 60 --append "dmae.file_timeout=100000"
rc=$?
res() { if [ "$1" = 0 ]; then echo "ok - hang guard: $2"; else echo "not ok - hang guard: $2; see $log"; fi; }
grep -q '^# hang-selftest: hanging' "$log"
res $? "the guest reached its hang"
[ "$rc" = 124 ]
res $? "the run of a hung guest ends with 124 (got $rc)"
grep -q '^# hang-dump: QEMU (pid [0-9]*) still running' "$log" &&
	grep -q 'Thread .*"CPU 0/TCG"' "$log" && grep -q 'Thread .*"CPU 1/TCG"' "$log"
res $? "its log shows QEMU's threads, the vCPUs by name"
grep -q '^# hang-dump: \(no QEMU thread\|[0-9]* QEMU threads\)' "$log"
res $? "its log sums up QEMU's lock waits"
grep -q 'NMI backtrace for cpu 0' "$log" && grep -q 'NMI backtrace for cpu 1' "$log"
res $? "its log shows each guest CPU's stack"
