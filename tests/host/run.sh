#!/usr/bin/env bash
# Host tests of the pure user-space code, built with AddressSanitizer and
# UndefinedBehaviorSanitizer (-Wall -Wextra -Werror, C11). Prints TAP lines.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-$top/build}
out=$BUILD/host-tests
mkdir -p "$out"
cflags=(-std=c11 -O1 -g -Wall -Wextra -Werror -fsanitize=address,undefined
	-fno-omit-frame-pointer -fno-sanitize-recover=all
	-I"$top/liburing-ext/include" -I"$top/uapi")
if ! cc "${cflags[@]}" -o "$out/ring-logic-test" \
	"$top/tests/host/ring-logic-test.c" "$top/liburing-ext/src/ring.c" 2>"$out/build.log"; then
	echo "not ok - host: ring-logic-test builds"
	sed 's/^/#   /' "$out/build.log"
	exit 1
fi
"$out/ring-logic-test"
rc=$?
[ $rc -eq 0 ] || echo "not ok - host: ring-logic-test exits 0 under ASan/UBSan (exit $rc)"
exit $rc
