#!/usr/bin/env bash
# Host tests of the pure user-space code, built with AddressSanitizer and
# UndefinedBehaviorSanitizer (-Wall -Wextra -Werror, C11). Prints TAP lines.
#   ring-logic-test: libdmae's ring logic on plain memory
#   bench-test: dmae-bench's plans, percentiles, break-even and targets
#   abi-test.sh: libdmae.so exports exactly libdmae.map, versioned
#   install-test.sh: make install/uninstall, pkg-config, dkms build
#   dmaectl-test.sh: dmaectl's subcommands and --json on a fake sysfs
#   guest-runner-test.sh: the guest suite runner's hang guard
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-$top/build}
out=$BUILD/host-tests
mkdir -p "$out"
cflags=(-std=c11 -O1 -g -Wall -Wextra -Werror -fsanitize=address,undefined
	-fno-omit-frame-pointer -fno-sanitize-recover=all
	-I"$top/liburing-ext/include" -I"$top/uapi" -I"$top/demos/include")
declare -A srcs=(
	[ring-logic-test]="$top/tests/host/ring-logic-test.c $top/liburing-ext/src/ring.c
		$top/liburing-ext/src/setup.c"
	[bench-test]="$top/tests/host/bench-test.c $top/bench/plan.c $top/bench/report.c
		$top/bench/measure.c $top/bench/paths.c $top/liburing-ext/src/ring.c
		$top/liburing-ext/src/setup.c -luring"
)
rc=0
for t in ring-logic-test bench-test; do
	# shellcheck disable=SC2086 # the source list splits on purpose
	if ! cc "${cflags[@]}" -o "$out/$t" ${srcs[$t]} 2>"$out/$t.build.log"; then
		echo "not ok - host: $t builds"
		sed 's/^/#   /' "$out/$t.build.log"
		rc=1
		continue
	fi
	"$out/$t"
	r=$?
	if [ $r -ne 0 ]; then
		echo "not ok - host: $t exits 0 under ASan/UBSan (exit $r)"
		rc=1
	fi
done
# libdmae's ABI: exported symbols, their versions, the SONAME
"$top/tests/host/abi-test.sh" || rc=1
# make install, pkg-config, uninstall, dkms build
"$top/tests/host/install-test.sh" || rc=1
# dmaectl on a fake sysfs tree
"$top/tests/host/dmaectl-test.sh" || rc=1
# the guest suite runner fails a hung file and goes on
"$top/tests/host/guest-runner-test.sh" || rc=1
exit $rc
