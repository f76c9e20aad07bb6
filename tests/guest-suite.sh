#!/usr/bin/env bash
# Boot the guest with the IOMMU on or off, run a guest suite, and turn the
# serial log into result lines ("ok - ..." / "not ok - ..."). Besides the
# guest's own TAP lines it adds: the suite finished (no hang, no crash),
# and the kernel log is free of warnings, BUGs, Oopses and panics.
#   guest-suite.sh on|off [SUITE [stock|debug]]    (GUEST_ARCH=arm64: on virt)
# GUEST_VARIANT=NAME names a run of its own (tag guest[NAME-iommu-MODE],
# log guest-NAME-iommu-MODE.log), e.g. under another QEMU (DMAE_QEMU).
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$top/build}
mode=$1 suite=${2:-all} kernel=${3:-stock}
name=${GUEST_VARIANT:+$GUEST_VARIANT-}
[ "$kernel" = debug ] && name+=debug-
tag="guest[${name}iommu-$mode]"
# GUEST_ARCH=arm64: the seed's platform, QEMU virt (tags guest[arm64-smmuv3]
# and guest[arm64-no-iommu]; scripts/build-arm64.sh builds its guest)
export DMAE_ARCH=${GUEST_ARCH:-x86}
if [ "$DMAE_ARCH" = arm64 ]; then
	name+=arm64-
	if [ "$mode" = on ]; then tag="guest[${name}smmuv3]"; else tag="guest[${name}no-iommu]"; fi
fi
log=$BUILD/logs/guest-${name}iommu-$mode.log

# A hang guard only, generous: the debug kernel runs the same suite several
# times slower, and the host may be busy with other work (the suite must
# pass with both cores loaded).
if [ "$kernel" = debug ]; then
	timeout=${GUEST_TIMEOUT:-2700}
else
	timeout=${GUEST_TIMEOUT:-1200}
fi
# Each test file has a hang guard of its own, half of that unless
# GUEST_FILE_TIMEOUT says (run.sh): a file that hangs fails by name, with
# where it waits, and the rest runs. (make fuzz's soaks are one long file.)
append="dmae.file_timeout=${GUEST_FILE_TIMEOUT:-$((timeout / 2))}${GUEST_APPEND:+ $GUEST_APPEND}"
start=$(date +%s)
"$top/vm/run-vm.sh" --iommu "$mode" --suite "$suite" --log "$log" \
	--timeout "$timeout" --kernel "$kernel" --append "$append"
rc=$?
secs=$(($(date +%s) - start))

# The guest's TAP lines, tagged with the mode.
sed -n -E "s/^(not )?ok - (.*)/\1ok - $tag: \2/p" "$log"

plan=$(sed -n -E 's/^1\.\.([0-9]+)$/\1/p' "$log" | tail -n1)
got=$(grep -cE '^(not )?ok - ' "$log")
if grep -q '^# guest-suite-finished' "$log" && [ -n "$plan" ] &&
	[ "$plan" = "$got" ] && [ "$rc" = 0 ]; then
	echo "ok - $tag: suite ran to the end ($got results, ${secs}s)"
else
	# where it stopped: the last file begun, and whether it ended
	last=$(sed -n -E 's/^# file: ([^ ]+)( took .*)?$/\1\2/p' "$log" | tail -n1)
	case "$last" in
	*" took "*) at="after ${last%% took *}" ;;
	"") at="before the first file" ;;
	*) at="in $last" ;;
	esac
	# and, if the hang guard ended QEMU, what its threads were doing
	hd=$(sed -n -E 's/^# hang-dump: ((no QEMU thread|[0-9]+ QEMU threads) .*)/\1/p' "$log" | tail -n1)
	# and where each guest CPU was when the guard's NMI came
	cpus=$(awk '/NMI backtrace for cpu [0-9]+/ { c = $NF; next }
		c != "" && /RIP: 0010:/ { r = $0; sub(/.*RIP: 0010:/, "", r)
			sub(/\/.*/, "", r); l = l (l ? ", " : "") "cpu" c " at " r; c = "" }
		END { print l }' "$log")
	[ -n "$cpus" ] && hd="${hd:+$hd; }guest $cpus"
	echo "not ok - $tag: suite did not finish (qemu exit $rc, $got results, plan '${plan:-none}', stopped $at${hd:+; $hd}); see $log"
	tail -n 20 "$log" | sed 's/^/#   /'
fi

# What a clean kernel log has none of (the guest's prog() uses it too)
if grep -E -f "$top/tests/guest/klog-bad.ere" "$log" >/tmp/dmae-bad.$$; then
	echo "not ok - $tag: kernel log is clean; see $log"
	sed 's/^/#   /' /tmp/dmae-bad.$$ | head -n 30
else
	echo "ok - $tag: kernel log is clean (no WARNING, BUG, Oops, panic)"
fi
rm -f /tmp/dmae-bad.$$

# The debug kernel's run also measures the module's coverage (gcov).
if [ "$kernel" = debug ] && grep -q '^# gcov-begin' "$log"; then
	"$top/scripts/kmod-coverage.sh" "$log" 2>&1 | sed 's/^/# /' |
		tee "$BUILD/logs/kmod-coverage-iommu-$mode.txt"
fi
