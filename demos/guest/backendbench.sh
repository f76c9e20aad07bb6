#!/bin/sh
# Guest side of `make backendbench`: the service on its two backends over
# the same engine (04.0, 4 channels), in one boot: the native backend
# (/dev/dma_engine0) and the dmaengine backend on all four of 04.0's
# dmaengine channels (/dev/dmae_dmaN), each with one context on one
# channel (ring, ring-fixed, uring-cmd; memcpy for reference); then one
# context spread over 1, 2 and 4 channels (--spread) on each backend,
# registered buffers, and a group of 2 channels of 04.0 and 2 of 05.0 as
# one device (/dev/dmae_group0). Every dmae-bench run checks its copies. CSV rows,
# with a first column naming the run, go to the host between markers.
modprobe dma_engine || { echo "backendbench: cannot load dma_engine"; exit 1; }
P=/sys/module/dmae_svc/parameters/dma_channels
first=$(ls /sys/bus/pci/devices/0000:00:04.0/dma | head -n 1)
eng=${first%chan*}
sizes=${DMAE_BBSIZES:-4k,64k,1m,16m}
cell=${DMAE_CELL:-0.5}
csv=/tmp/backendbench.csv
rc=0
: >"$csv"

# run LABEL DEVICE dmae-bench-options...
run() {
	_l=$1 _d=$2
	shift 2
	echo "== $_l on $_d =="
	dmae-bench -t "$cell" -d "$_d" -o /tmp/bb.csv "$@" | grep -v '^[0-9]*/[0-9]* ' || rc=1
	tail -n +2 /tmp/bb.csv | sed "s/^/$_l,/" >>"$csv"
}

echo "# backendbench-begin"
echo "${eng}chan0,${eng}chan1,${eng}chan2,${eng}chan3" >$P || { echo "backendbench: cannot take $eng's channels"; exit 1; }
run native /dev/dma_engine0 -p memcpy,ring,ring-fixed,uring-cmd -s "$sizes"
run dmaengine /dev/dmae_$eng -p ring,ring-fixed,uring-cmd -s "$sizes"
for n in 1 2 4; do
	list=
	i=0
	while [ $i -lt $n ]; do
		list="$list${list:+,}${eng}chan$i"
		i=$((i + 1))
	done
	echo "$list" >$P || rc=1
	run "dmaengine-spread$n" /dev/dmae_$eng --spread -p ring-fixed -s 1m,16m
done
# a group of two engines as one device: 04.0's chan0-1 and 05.0's chan0-1
first2=$(ls /sys/bus/pci/devices/0000:00:05.0/dma | head -n 1)
echo "${eng}chan0+${eng}chan1+${first2%chan*}chan0+${first2%chan*}chan1" >$P || rc=1
run group-2x2-spread4 /dev/dmae_group0 --spread -p ring-fixed -s 1m,16m
echo >$P
# the native backend spread over all 4 channels (max_chans=N limits them)
run native-spread4 /dev/dma_engine0 --spread -p ring-fixed -s 1m,16m
echo "# backendbench-rc $rc"
echo "# backendbench-end"
echo "# csv-begin"
cat "$csv"
echo "# csv-end"
