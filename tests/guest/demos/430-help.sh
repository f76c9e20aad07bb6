#!/bin/sh
# Every program speaks to a person (issue 15, item 7): --help and -h print
# the usage and exit 0; a device that is missing or of the wrong kind is
# named, with what to do, and the exit status is 1.
. /tests/lib.sh
ensure_module

for p in dmae-filecopy dmae-pipeline uring-pipeline ring-example seed-demo dmae-bench; do
	check "$p --help: usage on stdout, exit 0" \
		sh -c "$p --help 2>/dev/null | grep -q '^usage: $p'"
	check "$p -h: the same" sh -c "$p -h 2>/dev/null | grep -q '^usage: $p'"
done

echo data >/tmp/help-src
# hint DESC WANT CMD...: CMD fails with exit 1 and says WANT on stderr
hint() {
	_want=$1
	shift
	"$@" >/dev/null 2>/tmp/hint.err
	_rc=$?
	[ $_rc = 1 ] && grep -q "$_want" /tmp/hint.err ||
		{ echo "exit $_rc:"; cat /tmp/hint.err; return 1; }
}
missing="is the module loaded"
check "dmae-filecopy -d /dev/missing: says to load the module" \
	hint "$missing" dmae-filecopy -d /dev/missing /tmp/help-src /tmp/help-dst
check "dmae-pipeline -d /dev/missing: the same" \
	hint "$missing" dmae-pipeline -d /dev/missing -s 4096
check "uring-pipeline -d /dev/missing: the same" \
	hint "$missing" uring-pipeline -d /dev/missing /tmp/help-src /tmp/help-dst
check "dmae-bench -d /dev/missing: the same" \
	hint "$missing" dmae-bench -d /dev/missing
check "ring-example on /dev/missing (DMAE_DEVICE): the same" \
	hint "$missing" env DMAE_DEVICE=/dev/missing ring-example
check "ring-example on /dev/null: not a copy-service device" \
	hint "not a copy-service device" env DMAE_DEVICE=/dev/null ring-example
check "dmae-bench on /dev/null: the same" \
	hint "not a copy-service device" dmae-bench -d /dev/null
