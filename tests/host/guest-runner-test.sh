#!/usr/bin/env bash
# The guest's suite runner (tests/guest/run.sh), run here under busybox sh
# (the guest's shell) on a made-up suite whose middle file hangs: the hang
# guard must fail that file by name, say where its processes wait, end
# all of them, and go on with the next file; files that finish are not
# touched. Prints TAP lines.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
rc=0
ok() { echo "ok - host: guest runner: $1"; }
bad() { echo "not ok - host: guest runner: $1"; rc=1; }

mkdir -p "$tmp/bin" "$tmp/tests/s"
ln -s "$(command -v busybox)" "$tmp/bin/sh"
cat >"$tmp/tests/lib.sh" <<'LIB'
check() { _d=$1; shift; if "$@"; then echo "ok - $_d"; else echo "not ok - $_d"; fi; }
kmark() { :; }
dmesg_since() { :; }
dmar_faults() { grep -c 'DMAR: \[DMA'; }
LIB
echo 'echo "ok - first"' >"$tmp/tests/s/10-first.sh"
cat >"$tmp/tests/s/20-hang.sh" <<'HANG'
echo "ok - before the hang"
sleep 3600 &
echo $! >"$DMAE_TAP.child"
sleep 3601
echo "ok - never printed"
HANG
echo 'echo "ok - after"' >"$tmp/tests/s/30-after.sh"

out=$tmp/out
PATH=$tmp/bin:$PATH DMAE_TESTS=$tmp/tests DMAE_FILE_TIMEOUT=2 \
	DMAE_SYSRQ=$tmp/sysrq DMAE_TAP=$tmp/tap \
	timeout 300 "$tmp/bin/sh" "$top/tests/guest/run.sh" s >"$out" 2>&1
r=$?
if [ $r = 0 ]; then ok "the suite ends though one file hangs"; else bad "the suite ends though one file hangs (exit $r)"; fi
if grep -q '^not ok - s/20-hang.sh: finished within 2s (hung in: sleep@' "$out"; then
	ok "the hung file fails by name, with where it waits"
else
	bad "the hung file fails by name, with where it waits"
fi
if grep -q '^ok - first$' "$out" && grep -q '^ok - before the hang$' "$out" &&
	grep -q '^ok - after$' "$out" && ! grep -q 'never printed' "$out"; then
	ok "the files before and after it run as usual"
else
	bad "the files before and after it run as usual"
fi
if grep -qx '1\.\.5' "$out"; then ok "the plan counts every result (1..5)"; else bad "the plan counts every result"; fi
if [ "$(cat "$tmp/sysrq" 2>/dev/null | tr -d '\n')" = wl ]; then
	ok "the kernel is asked for blocked tasks and CPU stacks (sysrq w, l)"
else
	bad "the kernel is asked for blocked tasks and CPU stacks (sysrq w, l)"
fi
# ended: gone, or a zombie not yet reaped by whoever inherited it (a
# killed process stays one until then, and kill -0 still finds it)
ended() { [ ! -e "/proc/$1" ] || [ "$(sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null | cut -c1)" = Z ]; }
child=$(cat "$tmp/tap.child" 2>/dev/null)
if [ -n "$child" ] && ended "$child"; then
	ok "the hung file's background processes are ended too"
else
	bad "the hung file's background processes are ended too"
	[ -n "$child" ] && kill "$child" 2>/dev/null
fi
[ $rc = 0 ] && [ -z "${SHOW:-}" ] || sed 's/^/#   /' "$out"
exit $rc
