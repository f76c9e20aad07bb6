#!/bin/sh
# Run every test file of a suite in order; each prints TAP lines
# ("ok - ..." / "not ok - ..."). The plan comes last, from the count.
suite=$1
case "$suite" in
all) files=$(ls /tests/*/[0-9]*.sh 2>/dev/null | sort -t/ -k4n) ;;
*) files=$(ls /tests/"$suite"/[0-9]*.sh /tests/"$suite".sh 2>/dev/null) ;;
esac
[ -n "$files" ] || { echo "not ok - suite '$suite' has no tests"; exit 1; }
. /tests/lib.sh
# IOMMU faults are counted file by file (the ring may rotate over a
# whole suite), each from a marker put into the log before the file ran.
seen=0
for f in $files; do
	echo "# file: ${f#/tests/}"
	t0=$(date +%s)
	kmark run-file
	sh "$f" 2>&1 | tee -a /tmp/tap.log
	echo "# file: ${f#/tests/} took $(($(date +%s) - t0)) s"
	seen=$((seen + $(dmesg_since run-file | dmar_faults)))
done
# IOMMU faults only where a test provoked them on purpose
allowed=$(cat /tmp/dmar-allowed 2>/dev/null || echo 0)
check "no unexpected IOMMU faults ($seen seen, $allowed allowed)" \
	test "$seen" -le "$allowed" | tee -a /tmp/tap.log
n=$(grep -cE '^(not )?ok' /tmp/tap.log)
echo "1..$n"
