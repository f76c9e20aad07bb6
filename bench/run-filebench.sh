#!/usr/bin/env bash
# Host side of `make filebench`: boot the guest (without slab and page
# poisoning, as for every measurement), IOMMU off then on, run every way
# of copying a file for sizes from 64 KiB to 256 MiB on tmpfs and ext4
# (demos/guest/filebench.sh), keep the CSV, print the tables and draw the
# plots.
#   run-filebench.sh [--sizes "64k 1m ..."]
# Environment: BENCH_MODES (default "off on").
# Output in build/results/filebench/: filebench.csv (every run, a column
# for the IOMMU mode), filebench-iommu-MODE.txt (the guest's report),
# tables.txt, plots/files-{mbps,cpu}-FS-iommu-MODE.png.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$top/build}
sizes=
while [ $# -gt 0 ]; do
	case "$1" in
	--sizes) sizes=$2; shift 2 ;;
	-h|--help) sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "run-filebench: unknown argument '$1'" >&2; exit 2 ;;
	esac
done
out=$BUILD/results/filebench
mkdir -p "$out/plots/data" "$BUILD/logs"
csv=$out/filebench.csv
echo "iommu,fs,bytes,method,seconds,mbps,cpu_all_s,cpu_proc_s,output" >"$csv"
rc=0
for mode in ${BENCH_MODES:-off on}; do
	log=$BUILD/logs/filebench-iommu-$mode.log
	echo "== file copies: booting the guest, IOMMU $mode =="
	# shellcheck disable=SC2086
	"$top/vm/run-vm.sh" --perf --iommu "$mode" --suite filebench --log "$log" \
		--timeout 3000 ${sizes:+--append "dmae.fbsizes=$(echo $sizes | tr ' ' ,)"}
	sed -n '/^# filebench-begin/,/^# filebench-end/p' "$log" |
		grep -v '^# filebench-' | tee "$out/filebench-iommu-$mode.txt" |
		grep -E '^(==|  method|  engine-fd|  copy_file_range)'
	grep -q '^# filebench-rc 0' "$log" ||
		{ echo "run-filebench: a copy FAILED or differed, IOMMU $mode; see $log"; rc=1; }
	sed -n '/^# csv-begin/,/^# csv-end/p' "$log" | grep -v -e '^# csv-' -e '^label,' |
		sed "s/^/$mode,/" >>"$csv"
done

# Per IOMMU mode and file system: MB/s and guest CPU seconds per GiB (all
# vCPUs) of each method, and engine-fd against copy_file_range and sendfile.
{
	echo "File copies in one run per IOMMU mode ($(date -u +%Y-%m-%d)); guest CPU emulated by TCG."
	echo "MB/s = 10^6 bytes/s; CPU = busy time of all vCPUs (/proc/stat) per GiB copied."
	tail -n +2 "$csv" | grep ',identical$' | sort -t, -k1,1 -k2,2 -k3,3n | awk -F, '
	function show(   i, s) {
		if (key == "") return
		printf "%-5s %-15s %8s", pm, pf, hs(pb)
		for (i = 1; i <= n; i++) printf " %15s", (ms[i] in mb) ? sprintf("%.0f", mb[ms[i]]) : "-"
		printf " %8s", ("engine-fd" in mb && "copy_file_range" in mb) ? sprintf("%.2fx", mb["engine-fd"] / mb["copy_file_range"]) : "-"
		printf " %8s", ("engine-fd" in mb && "sendfile" in mb) ? sprintf("%.2fx", mb["engine-fd"] / mb["sendfile"]) : "-"
		for (i = 1; i <= 2; i++) printf " %12s", (ms[i] in cpu) ? sprintf("%.2f", cpu[ms[i]]) : "-"
		printf "\n"
		delete mb; delete cpu
	}
	function hs(b) { return b >= 1048576 ? (b / 1048576) "M" : (b / 1024) "K" }
	BEGIN {
		n = split("engine-fd copy_file_range sendfile read-write engine", ms, " ")
		printf "%-5s %-15s %8s", "iommu", "fs", "size"
		for (i = 1; i <= n; i++) printf " %15s", ms[i]
		printf " %8s %8s %12s %12s\n", "fd/cfr", "fd/sf", "fd CPU s/GiB", "cfr CPU s/GiB"
	}
	{
		k = $1 "," $2 "," $3
		if (k != key) { show(); key = k; pm = $1; pf = $2; pb = $3 }
		mb[$4] = $6; cpu[$4] = $7 / ($3 / 1073741824)
	}
	END { show() }'
} | tee "$out/tables.txt"

# Plots: one line per method, against file size.
for mode in ${BENCH_MODES:-off on}; do
	for fs in tmpfs tmpfs-overwrite ext4; do
		for m in engine-fd copy_file_range sendfile read-write engine; do
			awk -F, -v mo="$mode" -v f="$fs" -v me="$m" \
				'$1 == mo && $2 == f && $4 == me && $9 == "identical" {
					print $3, $6, $7 / ($3 / 1073741824) }' "$csv" |
				sort -n >"$out/plots/data/$mode-$fs-$m.dat"
		done
	done
done
if command -v gnuplot >/dev/null; then
	gnuplot -e "dir='$out/plots'; modes='${BENCH_MODES:-off on}'" "$top/bench/fileplot.gp" ||
		{ echo "run-filebench: gnuplot failed"; rc=1; }
	echo "plots: $out/plots/"
fi
exit $rc
