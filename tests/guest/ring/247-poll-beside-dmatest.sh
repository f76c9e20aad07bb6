#!/bin/sh
# Two reapers of one channel at once: Linux's dmatest (interrupt mode, so
# the channel's tasklet completes its descriptors) beside a polled ring
# spread over the same shared channels (the poller completes whatever is
# done, dmatest's descriptors too, from process context). Completions of
# one channel then finish on two CPUs at once, and the channel's completed
# cookie must still only move forward: a descriptor whose callback ran
# must read DMA_COMPLETE, or dmatest says "completion busy status".
# (dmatest's timeout of a copy is a hang guard here: 60 s.)
. /tests/lib.sh
ensure_module
ko=/lib/modules/$(uname -r)/extra/dmatest.ko
dev=/dev/$(ls $DEV_MSIX/misc/)
[ -d /sys/module/dmatest ] && rmmod dmatest
kmark poll-beside-dmatest
insmod $ko threads_per_chan=2 test_buf_size=4096 iterations=${DMAE_ITER:-3000} timeout=60000
for c in /sys/class/dma/dma*chan*; do
	[ "$(basename "$(readlink -f "$c/device")")" = 0000:00:04.0 ] &&
		basename "$c" >/sys/module/dmatest/parameters/channel
done
echo 1 >/sys/module/dmatest/parameters/run
# polled copies on every channel for as long as dmatest runs
: >/tmp/poll-beside.out
polls=0 pbad=0
while [ "$(cat /sys/module/dmatest/parameters/run)" = Y ]; do
	poll-test "$dev" 50 4096 spread >>/tmp/poll-beside.out 2>&1 || pbad=$((pbad + 1))
	polls=$((polls + 1))
done
dmatest_wait
log=$(dmesg_since poll-beside-dmatest | grep 'dmatest: dma.*chan')
good=$(echo "$log" | grep -c 'summary .* 0 failures')
check "dmatest beside a polled ring on the same channels: 8 of 8 threads without a failure ($good; $polls polled runs)" \
	sh -c "[ $good = 8 ] || { echo \"$log\" | grep -v -e Added -e Started | head -n 20; false; }"
check "the polled ring's copies all whole" test "$pbad" = 0
rmmod dmatest
check "pinned pages balanced after them" pins_balanced
