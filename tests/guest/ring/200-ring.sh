#!/bin/sh
# The shared ring through libdmae: one program per feature (tools/ring/,
# each prints its own TAP lines; prog checks its exit and the kernel log
# after it), then pinned-page accounting, several processes at once, and
# kill -9 and close with copies in flight.
. /tests/lib.sh
ensure_module

echo 8 >/proc/sys/vm/nr_hugepages
check "/dev/dma_engine0 exists, mode 0600" \
	expect_eq "crw-------" sh -c "ls -l /dev/dma_engine0 | cut -c1-10"
for t in $RING_PROGS; do
	prog $t /dev/dma_engine0
	check "pinned pages balanced after $t" pins_balanced
done

pids=
for i in 1 2 3; do
	ring-stress 1 /dev/dma_engine$((i % 2)) >/tmp/stress.$i 2>&1 &
	pids="$pids $!"
done
all_ok() {
	for p in $pids; do
		wait "$p" || return 1
	done
}
check "3 processes on 2 engines at once, every copy checked" all_ok
check "pinned pages balanced after the processes" pins_balanced

ring-stress 30 /dev/dma_engine0 >/dev/null 2>&1 &
p=$!
sleep 1
kill -9 "$p"
wait "$p" 2>/dev/null
check "kill -9 with copies in flight: pinned pages balanced" pins_balanced
check "the engine works after the kill" \
	sh -c "ring-stress 0 /dev/dma_engine0 >/dev/null"
check "pinned pages balanced at the end" pins_balanced
