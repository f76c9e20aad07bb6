#!/bin/sh
# Threads, module unload and device unbind with files open, and the
# per-device counters.
. /tests/lib.sh
ensure_module

check "4 threads, each with its own ring, every copy checked" \
	ring-stress --threads 4 1 /dev/dma_engine0
check "pinned pages balanced after the threads" pins_balanced

# errors to count, whatever ran before this file
check "13 bad entries, each refused" sh -c "ring-bad-entries /dev/dma_engine0 >/dev/null"
stats_ok() {
	set -- $(cat "$DEV_MSIX/ring_stats")
	# contexts N submitted N completed N errors N ...
	[ "$2" -gt 0 ] && [ "$4" = "$6" ] && [ "$8" -gt 0 ] ||
		{ echo "ring_stats: $*"; return 1; }
}
check "ring_stats: contexts seen, every submission completed" stats_ok

exec 3</dev/dma_engine0
check "rmmod is refused while a ring file is open" sh -c "! rmmod dma_engine"
exec 3<&-
check "after close, rmmod works" rmmod dma_engine
check "and the module loads again" modprobe dma_engine

# Unbind an engine under traffic: the unbind finishes, the process sees
# errors (ENODEV) and exits, nothing stays pinned.
ring-stress 5 /dev/dma_engine1 >/dev/null 2>&1 &
p=$!
sleep 1
check "unbind 05.0 with copies in flight" \
	sh -c "echo 0000:00:05.0 >/sys/bus/pci/drivers/dma_engine/unbind"
wait "$p"
check "the process saw the engine go (non-zero exit)" test $? -ne 0
check "pinned pages balanced after the unbind" pins_balanced
check "05.0 binds again" \
	sh -c "echo 0000:00:05.0 >/sys/bus/pci/drivers/dma_engine/bind"
check "its ring works again" ring-stress 0 /dev/dma_engine1
