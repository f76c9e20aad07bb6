#!/usr/bin/env bash
# Host side of `make backendbench`: boot the guest (as for every
# measurement), IOMMU off then on, and run the copy service on its native
# backend and on its dmaengine backend over the same engine, then one
# context spread over 1, 2 and 4 channels (demos/guest/backendbench.sh).
# Prints the ratios of the two backends, cell by cell, and the throughput
# against the number of channels.
# Environment: BENCH_MODES (default "off on").
# Output in build/results/backendbench/: backendbench.csv (every cell),
# backendbench-iommu-MODE.txt (the guest's report), tables.txt.
# --tables: only print the tables again from backendbench.csv.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$top/build}
tables_only=
case "${1:-}" in
-h|--help) sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
--tables) tables_only=1 ;;
"") ;;
*) echo "run-backendbench: unknown argument '$1'" >&2; exit 2 ;;
esac
out=$BUILD/results/backendbench
mkdir -p "$out" "$BUILD/logs"
csv=$out/backendbench.csv
rc=0
[ -n "$tables_only" ] || {
echo "run,iommu,path,sweep,size,qd,batch,ops,bytes,secs,mbps,ops_per_s,p50_us,p99_us,cpu_s,cpu_s_per_gib,verified,error" >"$csv"
for mode in ${BENCH_MODES:-off on}; do
	log=$BUILD/logs/backendbench-iommu-$mode.log
	echo "== the two backends: booting the guest, IOMMU $mode =="
	"$top/vm/run-vm.sh" --perf --iommu "$mode" --suite backendbench --log "$log" --timeout 3000
	sed -n '/^# backendbench-begin/,/^# backendbench-end/p' "$log" |
		grep -v '^# backendbench-' >"$out/backendbench-iommu-$mode.txt"
	grep -q '^# backendbench-rc 0' "$log" ||
		{ echo "run-backendbench: a run FAILED, IOMMU $mode; see $log"; rc=1; }
	sed -n '/^# csv-begin/,/^# csv-end/p' "$log" | grep -v '^# csv-' >>"$csv"
done
}
{
	echo "The copy service on two backends over one engine ($(date -u +%Y-%m-%d)); guest CPU emulated by TCG."
	echo "Ratio = dmaengine backend MB/s / native backend MB/s, same cell, same boot."
	tail -n +2 "$csv" | awk -F, '
	$1 == "native" || $1 == "dmaengine" {
		k = $2 "," $3 "," $5 "," $6 "," $7
		if (!(k in seen)) { seen[k] = 1; keys[n++] = k }
		mb[$1 "," k] = $11; cpu[$1 "," k] = $16
	}
	END {
		printf "%-5s %-11s %9s %3s %5s %11s %11s %7s %12s %12s\n", "iommu", "path", "size", "qd", "batch", "native MB/s", "dmaeng MB/s", "ratio", "native CPU", "dmaeng CPU"
		for (i = 0; i < n; i++) {
			split(keys[i], f, ",")
			a = mb["native," keys[i]]; b = mb["dmaengine," keys[i]]
			if (a == "" || b == "") continue
			printf "%-5s %-11s %9s %3s %5s %11.1f %11.1f %7.2f %12.3f %12.3f\n", f[1], f[2], f[3], f[4], f[5], a, b, (a > 0 ? b / a : 0), cpu["native," keys[i]], cpu["dmaengine," keys[i]]
		}
	}'
	echo
	echo "One context spread over N channels, registered buffers, QD 8, batch 4 (MB/s; 2 host cores run the channels)."
	tail -n +2 "$csv" | awk -F, '
	$1 ~ /spread/ && $6 == 8 && $7 == 4 {
		printf "%-5s %-18s %9s %10.1f\n", $2, $1, $5, $11
	}' | sort
} | tee "$out/tables.txt"
exit $rc
