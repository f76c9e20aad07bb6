#!/bin/sh
# Ordering on a context spread over the channels (link-test): chains,
# drains, cancelling; every channel takes work; closing with chains in
# flight leaves nothing pinned. On the MSI-X engine (4 channels).
. /tests/lib.sh
ensure_module

prog link-test /dev/dma_engine0
check "pinned pages balanced after link-test" pins_balanced

# spread_used: 64 copies on a spread context reach every channel
spread_used() {
	_n=$(awk '/^ch[0-9]/ { n++ } END { print n + 0 }' "$DEV_MSIX/chan_stats")
	_b=$(awk '/^ch[0-9]/ { for (i = 2; i < NF; i++) if ($i == "submitted") printf "%s ", $(i + 1) }' "$DEV_MSIX/chan_stats")
	link-test --spread 64 /dev/dma_engine0 || return 1
	_a=$(awk '/^ch[0-9]/ { for (i = 2; i < NF; i++) if ($i == "submitted") printf "%s ", $(i + 1) }' "$DEV_MSIX/chan_stats")
	echo "channels $_n, submitted before: $_b after: $_a"
	set -- $_b
	for _x in $_a; do
		[ "$_x" -gt "$1" ] || return 1
		shift
	done
	[ "$_n" -ge 2 ]
}
check "a spread context's copies reach every channel of the engine" spread_used
# Many small rounds: a drained NOP completes the moment it starts, so it
# shows any completion ahead of it counted as done before it was posted.
check "an IO_DRAIN NOP after 8 small copies, 1000 rounds: every completion in its place" \
	link-test --drain-order 1000 /dev/dma_engine0
# The same with every completion posted on CPU 0 held up at its start
# (testmod/dmae_delay.ko, a kprobe) and 04.0's vectors spread over CPUs 0
# and 1, so that completions are posted on both at once: a completion
# counted as done before it was posted let CPU 1 start the drain, and post
# it, first. (Seen once in a CI run on a loaded host, where a vCPU was
# preempted between the two; here it is made to wait there every time.)
drain_order_delayed() {
	_saved=
	for _irq in $(ls "$DEV_MSIX/msi_irqs"); do
		_saved="$_saved $_irq:$(cat /proc/irq/$_irq/smp_affinity_list)"
		echo $((_irq % 2)) >/proc/irq/$_irq/smp_affinity_list || return 1
	done
	insmod /lib/modules/$(uname -r)/extra/dmae_delay.ko cpu=0 delay_us=300 ||
		return 1
	link-test --drain-order 200 /dev/dma_engine0
	_rc=$?
	rmmod dmae_delay
	for _s in $_saved; do
		echo "${_s#*:}" >/proc/irq/${_s%%:*}/smp_affinity_list
	done
	dmesg | grep 'dmae_delay: .* posts waited' | tail -n 1
	return $_rc
}
if [ -e /lib/modules/$(uname -r)/extra/dmae_delay.ko ] &&
   [ "$(nproc)" -ge 2 ] && [ -d "$DEV_MSIX/msi_irqs" ]; then
	check "the same with CPU 0's posts held up 300 us, vectors on both CPUs: every completion in its place" \
		drain_order_delayed
else
	skip "drain order with delayed posts" "no dmae_delay.ko, one CPU or no MSI-X"
fi
check "closing with chains and drains in flight" link-test --close /dev/dma_engine0
check "pinned pages balanced after the close" pins_balanced
