#!/usr/bin/env bash
# Line and branch coverage of kmod/ from a debug-kernel guest log: the
# gcov counters the guest printed between "# gcov-begin" and "# gcov-end"
# (base64 of a tar.gz of the .gcda files), read with gcc's gcov against
# the .gcno files of build/debug/kmod. Prints one line per source file,
# and a total.
#   kmod-coverage.sh LOG [OUTDIR]
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$top/build}
log=$1 out=${2:-$BUILD/coverage/kmod}
obj=$BUILD/debug/kmod
rm -rf "$out"
mkdir -p "$out"
sed -n '/^# gcov-begin$/,/^# gcov-end$/p' "$log" | sed '1d;$d' | tr -d '\r' |
	base64 -d | tar xz -C "$out"
ls "$out"/*.gcda >/dev/null 2>&1 || { echo "kmod-coverage: no gcov data in $log" >&2; exit 1; }
cp "$obj"/*/*.gcno "$out/"
cd "$out"
tl=0 tc=0 bl=0 bc=0
for src in "$top"/kmod/*/dmae_*.c; do
	b=$(basename "$src" .c)
	[ -f "$b.gcda" ] || { echo "coverage: kmod/$(basename "$(dirname "$src")")/$b.c: no data"; continue; }
	res=$(gcov-12 -b -n -o . "$src" 2>/dev/null | sed -n "/File '.*\/$b.c'/,/^$/p" || true)
	lines=$(echo "$res" | sed -n 's/^Lines executed:\([0-9.]*\)% of \([0-9]*\)/\1 \2/p' | head -n1)
	br=$(echo "$res" | sed -n 's/^Taken at least once:\([0-9.]*\)% of \([0-9]*\)/\1 \2/p' | head -n1)
	if [ -z "$lines" ]; then
		echo "coverage: kmod/$(basename "$(dirname "$src")")/$b.c: gcov could not read its data"
		continue
	fi
	set -- $lines $br
	echo "coverage: kmod/$(basename "$(dirname "$src")")/$b.c: lines $1% of $2, branches ${3:-0}% of ${4:-0}"
	tl=$((tl + $2)); tc=$(awk -v a="$tc" -v p="$1" -v n="$2" 'BEGIN { printf "%d", a + p * n / 100 + 0.5 }')
	bl=$((bl + ${4:-0})); bc=$(awk -v a="$bc" -v p="${3:-0}" -v n="${4:-0}" 'BEGIN { printf "%d", a + p * n / 100 + 0.5 }')
done
echo "coverage: kmod/ total: lines $tc of $tl ($(awk -v c="$tc" -v t="$tl" 'BEGIN { printf "%.1f", 100 * c / t }')%), branches $bc of $bl ($(awk -v c="$bc" -v t="$bl" 'BEGIN { printf "%.1f", t ? 100 * c / t : 0 }')%)"
