#!/usr/bin/env bash
# Host tests of the pure user-space code, built with AddressSanitizer and
# UndefinedBehaviorSanitizer (-Wall -Wextra -Werror, C11). Prints TAP lines.
#   ring-logic-test: libdmae's ring logic on plain memory
#   bench-test: dmae-bench's plans, percentiles, break-even and targets
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-$top/build}
out=$BUILD/host-tests
mkdir -p "$out"
cflags=(-std=c11 -O1 -g -Wall -Wextra -Werror -fsanitize=address,undefined
	-fno-omit-frame-pointer -fno-sanitize-recover=all
	-I"$top/liburing-ext/include" -I"$top/uapi" -I"$top/demos/include")
declare -A srcs=(
	[ring-logic-test]="$top/tests/host/ring-logic-test.c $top/liburing-ext/src/ring.c"
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
exit $rc
