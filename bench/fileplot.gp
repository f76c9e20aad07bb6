# Plots of the file-copy benchmark (gnuplot 5), drawn by bench/run-filebench.sh:
#   gnuplot -e "dir='build/results/filebench/plots'; modes='off on'" bench/fileplot.gp
# dir/data/MODE-FS-METHOD.dat: bytes MB/s CPU-s-per-GiB
set terminal pngcairo size 900,560 font ",10"
set key outside right top
set grid
set pointsize 0.8
methods = "engine-fd copy_file_range sendfile read-write engine"
f(m, fs, me) = sprintf("%s/data/%s-%s-%s.dat", dir, m, fs, me)
set logscale x 2
set format x "%.0b%B"
set xlabel "file size (bytes)"
set logscale y 10
set format y "%g"
do for [m in modes] {
	do for [fs in "tmpfs tmpfs-overwrite ext4"] {
		# Only the methods with data: gnuplot stops at an empty plot.
		have = system("for me in " . methods . "; do [ -s \"" . f(m, fs, "$me") . "\" ] && printf '%s ' $me; done")
		if (strlen(have) > 0) {
			set output sprintf("%s/files-mbps-%s-iommu-%s.png", dir, fs, m)
			set title sprintf("File copy throughput on %s, IOMMU %s\n(one copy per method and size; guest CPU emulated by TCG)", fs, m)
			set ylabel "MB/s (10^6 bytes/s)"
			plot for [me in have] f(m, fs, me) using 1:2 with linespoints title me
		}
		have = system("for me in " . methods . "; do awk '$3 > 0 { n++ } END { exit !n }' \"" . f(m, fs, "$me") . "\" 2>/dev/null && printf '%s ' $me; done")
		if (strlen(have) > 0) {
			set output sprintf("%s/files-cpu-%s-iommu-%s.png", dir, fs, m)
			set title sprintf("Guest CPU time per GiB copied on %s, IOMMU %s (all vCPUs, /proc/stat)", fs, m)
			set ylabel "CPU seconds per GiB"
			plot for [me in have] f(m, fs, me) using 1:($3 > 0 ? $3 : 1/0) with linespoints title me
		}
	}
}
