#!/bin/sh
# Lifetimes (issue 10): unbind with registered buffers, copies in flight
# and io_uring files open, then close; close right after the last
# completion from a real-time thread; rmmod right after the last close
# while plain-buffer completions were still in their work items.
. /tests/lib.sh
ensure_module

bdf=0000:00:05.0
node=$(ls /sys/bus/pci/devices/$bdf/misc/)
lifecycle-test unbind /dev/$node $bdf
check "pinned pages balanced after unbind and close (long-term pins too)" \
	pins_balanced
check "05.0 binds again" \
	sh -c "echo $bdf >/sys/bus/pci/drivers/dma_engine/bind"

lifecycle-test close-race /dev/dma_engine0 200
check "pinned pages balanced after the close races" pins_balanced

rmmod_after_close() {
	for i in 1 2 3 4 5 6 7 8; do
		ring-stress 0 /dev/dma_engine0 >/dev/null || return 1
		rmmod dma_engine || return 1
		modprobe dma_engine || return 1
	done
}
check "rmmod at once after the last close, 8 times" rmmod_after_close
check "pinned pages balanced after the reloads" pins_balanced
