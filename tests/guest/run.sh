#!/bin/sh
# Run every test file of a suite in order; each prints TAP lines
# ("ok - ..." / "not ok - ..."). The plan comes last, from the count.
# DMAE_TESTS: where the suites are (/tests; the host test of this file
# points it elsewhere). DMAE_FILE_TIMEOUT: the hang guard of one file, in
# seconds (guest-suite.sh sets half of the whole run's). DMAE_SYSRQ and
# DMAE_TAP: the host test's stand-ins for /proc/sysrq-trigger and the
# results file.
suite=$1
T=${DMAE_TESTS:-/tests}
case "$suite" in
all) files=$(cd "$T" && ls */[0-9]*.sh 2>/dev/null | sort -t/ -k2n) ;;
*) files=$(cd "$T" && ls "$suite"/[0-9]*.sh "$suite".sh 2>/dev/null) ;;
esac
[ -n "$files" ] || { echo "not ok - suite '$suite' has no tests"; exit 1; }
. "$T"/lib.sh
ftimeout=${DMAE_FILE_TIMEOUT:-600}
sysrq=${DMAE_SYSRQ:-/proc/sysrq-trigger}
tap=${DMAE_TAP:-/tmp/tap.log}

# hang_report FILE SID: FILE's processes (session SID) are still there
# after the guard's time: say where each waits, have the kernel show every
# blocked task and every CPU's stack, end them, and fail the file. The
# suite goes on with the next file, so that one hang is named as such
# instead of ending the whole run at the host's timeout.
hang_report() {
	_waits=
	echo "# hang: $1 still running after ${ftimeout}s; its processes:"
	for _p in /proc/[0-9]*; do
		_s=$(sed 's/^.*) //' "$_p/stat" 2>/dev/null | cut -d' ' -f4)
		[ "$_s" = "$2" ] || continue
		_c=$(cat "$_p/comm" 2>/dev/null) _w=$(cat "$_p/wchan" 2>/dev/null)
		echo "#   ${_p#/proc/} $_c: $(tr '\0' ' ' <"$_p/cmdline" 2>/dev/null) (in ${_w:-?})"
		sed 's/^/#     /' "$_p/stack" 2>/dev/null
		[ "$_c" = sh ] || _waits="$_waits $_c@${_w:-?}"
	done
	echo w >>"$sysrq" 2>/dev/null
	echo l >>"$sysrq" 2>/dev/null
	kill -KILL -"$2" 2>/dev/null
	echo "not ok - $1: finished within ${ftimeout}s (hung in:${_waits:- its shell})"
}

# run_guarded FILE: run it in a session of its own, under the hang guard
run_guarded() {
	setsid sh "$T/$1" &
	_pid=$!
	(
		_n=0
		while kill -0 "$_pid" 2>/dev/null; do
			if [ "$_n" -ge "$ftimeout" ]; then
				hang_report "$1" "$_pid"
				break
			fi
			# not on the pipe: ending the guard must not wait for it
			sleep 1 </dev/null >/dev/null 2>&1
			_n=$((_n + 1))
		done
	) &
	_guard=$!
	wait "$_pid"
	kill "$_guard" 2>/dev/null
	wait "$_guard" 2>/dev/null
	return 0
}

# IOMMU faults are counted file by file (the ring may rotate over a
# whole suite), each from a marker put into the log before the file ran.
seen=0
for f in $files; do
	echo "# file: $f"
	t0=$(date +%s)
	kmark run-file
	run_guarded "$f" 2>&1 | tee -a "$tap"
	echo "# file: $f took $(($(date +%s) - t0)) s"
	seen=$((seen + $(dmesg_since run-file | dmar_faults)))
done
# IOMMU faults only where a test provoked them on purpose
allowed=$(cat /tmp/dmar-allowed 2>/dev/null || echo 0)
check "no unexpected IOMMU faults ($seen seen, $allowed allowed)" \
	test "$seen" -le "$allowed" | tee -a "$tap"
n=$(grep -cE '^(not )?ok' "$tap")
echo "1..$n"
