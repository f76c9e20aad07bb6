#!/bin/sh
# Run every test file of a suite in order; each prints TAP lines
# ("ok - ..." / "not ok - ..."). The plan comes last, from the count.
suite=$1
case "$suite" in
all) files=$(ls /tests/*/[0-9]*.sh 2>/dev/null | sort -t/ -k4n) ;;
*) files=$(ls /tests/"$suite"/[0-9]*.sh /tests/"$suite".sh 2>/dev/null) ;;
esac
[ -n "$files" ] || { echo "not ok - suite '$suite' has no tests"; exit 1; }
for f in $files; do
	echo "# file: ${f#/tests/}"
	sh "$f" 2>&1 | tee -a /tmp/tap.log
done
# IOMMU faults only where a test provoked them on purpose
. /tests/lib.sh
allowed=$(cat /tmp/dmar-allowed 2>/dev/null || echo 0)
check "no unexpected IOMMU faults ($(dmar_faults) seen, $allowed allowed)" \
	test "$(dmar_faults)" -le "$allowed" | tee -a /tmp/tap.log
n=$(grep -cE '^(not )?ok' /tmp/tap.log)
echo "1..$n"
