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
start=$(date +%s)
"$top/vm/run-vm.sh" --iommu "$mode" --suite "$suite" --log "$log" \
	--timeout "$timeout" --kernel "$kernel" \
	${GUEST_APPEND:+--append "$GUEST_APPEND"}
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
	echo "not ok - $tag: suite did not finish (qemu exit $rc, $got results, plan '${plan:-none}'); see $log"
	tail -n 20 "$log" | sed 's/^/#   /'
fi

bad='WARNING:|BUG:|Oops|Kernel panic|general protection|Call Trace|UBSAN|'
bad+='soft lockup|hard LOCKUP|blocked for more than|rcu_.*stall|'
bad+='Poison overwritten|Redzone|Object padding|list_(add|del) corruption|refcount_t:|'
# the debug kernel's own reports (most also print a WARNING or BUG line)
bad+='BUG: KASAN|ODEBUG|possible circular locking|suspicious RCU|'
bad+='inconsistent lock state|sleeping function called from invalid context'
if grep -E "$bad" "$log" >/tmp/dmae-bad.$$; then
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
