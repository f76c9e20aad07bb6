#!/bin/sh
# Linux's dmatest on every channel of the MSI-X and INTx engines: memcpy
# with two buffer sizes and alignments, several threads, and memset.
. /tests/lib.sh
ensure_module

chans=
for c in /sys/class/dma/dma*chan*; do
	dev=$(basename "$(readlink -f "$c/device")")
	case "$dev" in
	0000:00:04.0|0000:00:05.0) chans="$chans $(basename "$c")" ;;
	esac
done
nchans=$(echo $chans | wc -w)
check "6 dmaengine channels on 04.0 and 05.0 ($chans)" test "$nchans" = 6

# run_dmatest DESC THREADS PARAMS...: run on every channel, check summaries
run_dmatest() {
	desc=$1 threads=$2
	shift 2
	kmark dmatest
	insmod /lib/modules/$(uname -r)/extra/dmatest.ko timeout=10000 \
		threads_per_chan="$threads" "$@" || return 1
	for c in $chans; do
		echo "$c" >/sys/module/dmatest/parameters/channel
	done
	echo 1 >/sys/module/dmatest/parameters/run
	dmatest_wait
	rmmod dmatest
	# DMA-API debugging (debug kernel): with dmatest gone and no ring
	# open, no streaming mapping of our engines may be left; one that is
	# would be a leak (and is what an "overlapping mappings" report next
	# meets), named here with its address.
	if [ -r /sys/kernel/debug/dma-api/dump ]; then
		_left=$(grep -E '^0000:00:0[45]\.0 [^ ]+ (single|scather-gather) ' \
			/sys/kernel/debug/dma-api/dump)
		[ -z "$_left" ] || { echo "$desc: streaming DMA mappings left:"; echo "$_left" | head -n 10; return 1; }
	fi
	want=$((nchans * threads))
	got=$(dmesg_since dmatest | grep -c 'summary .* 0 failures')
	all=$(dmesg_since dmatest | grep -c 'summary ')
	dmesg_since dmatest | grep 'summary ' | head -n 3
	[ "$got" = "$want" ] && [ "$all" = "$want" ] ||
		{ echo "$desc: $got of $want summaries with 0 failures ($all in all)"; dmesg_since dmatest | grep dmatest | grep -v -e summary -e Added -e Started | head -n 10; return 1; }
}
check "dmatest memcpy: 16 KiB buffers, 2 threads per channel, 100 each" \
	run_dmatest memcpy16k 2 test_buf_size=16384 iterations=100
check "dmatest memcpy: 256 KiB buffers, 8-byte alignment, 1 thread, 20 each" \
	run_dmatest memcpy256k 1 test_buf_size=262144 alignment=3 iterations=20
check "dmatest memset: 16 KiB buffers, 1 thread, 100 each" \
	run_dmatest memset 1 dmatest=1 test_buf_size=16384 iterations=100
check "dmatest memcpy, polled: 4 KiB buffers, 1 thread, 100 each" \
	run_dmatest polled 1 polled=1 test_buf_size=4096 iterations=100
# Polled with several threads per channel: each thread's terminate_sync
# after its own copy must neither cancel the others' copies nor let
# device_tx_status call them complete (issue 10: "not copied!").
check "dmatest memcpy, polled: 64 KiB buffers, 4 threads per channel, 50 each" \
	run_dmatest polled4 4 polled=1 test_buf_size=65536 iterations=50
# make fuzz: the same at length (dmae.dmatest_soak=N iterations a thread)
soak=${DMAE_DMATEST_SOAK:-0}
if [ "$soak" -gt 0 ]; then
	check "dmatest soak, polled: 64 KiB buffers, 4 threads per channel, $soak each ($((nchans * 4 * soak)) tests)" \
		run_dmatest soak 4 polled=1 test_buf_size=65536 iterations="$soak"
fi

# 06.0's one channel moves 1 MB/s: small buffers, few iterations.
chans=$(for c in /sys/class/dma/dma*chan*; do
	[ "$(basename "$(readlink -f "$c/device")")" = 0000:00:06.0 ] && basename "$c"
done)
nchans=$(echo $chans | wc -w)
check "dmatest memcpy on 06.0 (MSI, 1 MB/s): 2 KiB buffers, 20 each" \
	run_dmatest slow 1 test_buf_size=2048 iterations=20
# On the 1 MB/s channel the threads' copies surely overlap: one thread's
# terminate_sync comes while another's copy is running.
check "dmatest memcpy, polled, 4 threads on the 1 MB/s channel: 2 KiB buffers, 10 each" \
	run_dmatest slowpolled4 4 polled=1 test_buf_size=2048 iterations=10

# A dmaengine client taking and releasing the channel must not disturb
# the shared-ring user of the same channel (release used to abort it).
node=$(ls /sys/bus/pci/devices/0000:00:06.0/misc/)
dmatest_beside_ring() {
	lifecycle-test busy /dev/$node 4 >/tmp/ring-beside.out 2>&1 &
	p=$!
	for i in 1 2 3; do
		run_dmatest beside 1 test_buf_size=2048 iterations=1 ||
			{ kill $p; return 1; }
	done
	wait $p || { echo "ring copies failed beside dmatest:"; cat /tmp/ring-beside.out; return 1; }
}
check "dmatest taking and releasing the 1 MB/s channel beside ring copies on it: all whole" \
	dmatest_beside_ring
