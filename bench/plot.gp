# Plots of dmae-bench results (gnuplot 5), drawn by bench/run-bench.sh from
# the per-path data files it cuts out of the CSV:
#   gnuplot -e "dir='build/results/plots'" bench/plot.gp
# dir/data/size-MODE-PATH.dat: size MB/s CPU-s-per-GiB (size sweep)
# dir/data/qd-MODE-PATH.dat:   QD ops/s (4 KiB, batch QD/2)
set terminal pngcairo size 900,560 font ",10"
set key outside right top
set grid
set pointsize 0.8
paths = "memcpy kernel-cpu ring ring-fixed uring-cmd seed"
f(kind, m, p) = sprintf("%s/data/%s-%s-%s.dat", dir, kind, m, p)

set logscale x 2
set format x "%.0b%B"
set xlabel "copy size (bytes)"
set logscale y 10
set format y "%g"
do for [m in "off on"] {
	set output sprintf("%s/throughput-iommu-%s.png", dir, m)
	set title sprintf("Throughput against copy size, IOMMU %s\n(offload at QD 8, batches of 4; guest CPU emulated by TCG)", m)
	set ylabel "MB/s (10^6 bytes/s)"
	plot for [p in paths] f("size", m, p) using 1:2 with linespoints title p

	set output sprintf("%s/cpu-iommu-%s.png", dir, m)
	set title sprintf("Guest CPU time per GiB moved, IOMMU %s (all vCPUs, /proc/stat)", m)
	set ylabel "CPU seconds per GiB"
	plot for [p in paths] f("size", m, p) using 1:($3 > 0 ? $3 : 1/0) \
		with linespoints title p
}

set output sprintf("%s/qd-4k.png", dir)
set title "4 KiB copies: operations per second against queue depth (batch QD/2)"
set xlabel "queue depth"
set format x "%g"
set ylabel "operations/s"
unset logscale y
plot for [m in "off on"] for [p in "ring ring-fixed uring-cmd"] f("qd", m, p) \
	using 1:2 with linespoints title sprintf("%s, IOMMU %s", p, m)
